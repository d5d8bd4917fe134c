"""`board import FILE (--institution NAME [--existing] | --institution-id N) [--state ST
--city CITY] [--publish]`.

Exit 0 with "imported N listings (M published)"; a file with bad rows exits 1 with one
`error:` line per problem (the first one the summary); a missing or unreadable file or a
bad option exits 2 with one line. Nothing is written unless everything is right."""

from __future__ import annotations

from pathlib import Path

import click

from board.core import vocab
from board.core.cli_support import Failure, progress_bar, run, settings_or_exit
from board.store.setup import open_db

# A terminal shows every problem of a small file; a broken 20k-row file must not flood it.
MAX_LINES = 200


class OneLineUsage(click.UsageError):
    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"error: {self.message}", err=True)


class Rejected(Failure):
    def __init__(self, lines: list[str]):
        super().__init__(lines[0])
        self.lines = lines

    def show(self, file=None) -> None:
        for line in self.lines:
            click.echo(f"error: {line}", err=True)


class _OneLineCommand(click.Command):
    """Click's own usage errors print the usage block and a blank line; the CONTRACT asks
    for one line on stderr."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except OneLineUsage:
            raise
        except click.UsageError as exc:
            raise OneLineUsage(f"{exc.format_message()} (see `board import --help`)", ctx) from None


def _read(path: str) -> bytes:
    file = Path(path)
    if not file.exists():
        raise OneLineUsage(f"FILE {path}: no such file")
    if file.is_dir():
        raise OneLineUsage(f"FILE {path} is a directory, not a CSV or JSON file")
    try:
        return file.read_bytes()
    except OSError as exc:
        raise OneLineUsage(f"FILE {path} cannot be read: {exc.strerror}") from None


def _check_options(institution: str | None, institution_id: int | None, state: str | None,
                   city: str | None) -> tuple[str, str, str]:
    if (institution is None) == (institution_id is None):
        raise OneLineUsage("give either --institution NAME or --institution-id N")
    name = " ".join((institution or "").split())
    if institution is not None and (not name or len(name) > 200):
        raise OneLineUsage("--institution must be a name of 1 to 200 characters")
    st = (state or "").strip().upper()
    if st and st not in vocab.states():
        raise OneLineUsage(f"--state {state!r} is not a USPS state code such as NY")
    town = " ".join((city or "").split())
    if len(town) > 120:
        raise OneLineUsage("--city must be at most 120 characters")
    return name, st, town


@click.command("import", cls=_OneLineCommand)
@click.argument("file", type=str)
@click.option("--institution", default=None,
              help="The institution's name: created if new; an existing one needs --existing.")
@click.option("--institution-id", type=click.IntRange(1, 2**31 - 1), default=None,
              help="An existing institution, by id.")
@click.option("--existing", is_flag=True,
              help="Import into the existing institution of that --institution name.")
@click.option("--state", default=None, help="USPS state code of a new institution.")
@click.option("--city", default=None, help="City of a new institution.")
@click.option("--publish", is_flag=True, help="Publish every row directly (staff use); "
              "otherwise the rows become drafts.")
def import_cmd(file: str, institution: str | None, institution_id: int | None, existing: bool,
               state: str | None, city: str | None, publish: bool) -> None:
    """Import listings from a CSV (header = field names) or JSON file (a list of objects)."""
    from board.imports.formats import ImportFileError, read_rows
    from board.imports.services import ImportRejected, validate_rows

    name, st, town = _check_options(institution, institution_id, state, city)
    data = _read(file)
    settings = settings_or_exit()
    try:
        cleaned = validate_rows(read_rows(file, data))
    except ImportFileError as exc:
        raise Failure(f"{file}: {exc}") from None
    except ImportRejected as exc:
        lines = [f"{file}: {exc}"] + [p.line() for p in exc.problems[:MAX_LINES]]
        if len(exc.problems) > MAX_LINES:
            lines.append(f"... and {len(exc.problems) - MAX_LINES} more problems")
        raise Rejected(lines) from None

    async def go():
        from board.imports.services import InstitutionRefused, import_rows, resolve_institution
        from board.store import engine as db

        await open_db(settings)
        bar = progress_bar(len(cleaned), "importing")
        try:
            # The institution and its listings are written together or not at all.
            async with db.write_transaction():
                try:
                    inst = await resolve_institution(name or None, institution_id,
                                                     existing=existing, state=st, city=town)
                except InstitutionRefused as exc:
                    raise Failure(str(exc)) from None
                click.echo(f"institution {inst['id']} {inst['name']!r}: "
                           f"{'created, ' if inst['created'] else ''}"
                           f"{'verified' if inst['verified'] else 'not verified'}")
                return await import_rows(
                    inst["id"], cleaned, mode="publish" if publish else "draft",
                    listing_days=settings.listing_days, progress=bar.update if bar else None)
        finally:
            if bar:
                bar.close()
            await db.close_store()

    result = run(go)
    click.echo(f"imported {result.imported} listings ({result.published} published)")
