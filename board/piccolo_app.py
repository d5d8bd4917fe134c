"""Piccolo app registration: the tables and the committed migrations of the board."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from board.store.tables import ALL_TABLES  # includes board.planner.tables (Planner, ShortlistItem)

APP_CONFIG = AppConfig(
    app_name="board",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=ALL_TABLES,
    migration_dependencies=[],
    commands=[],
)
