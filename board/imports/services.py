"""Bulk import of listings: every row is validated before anything is written; one bad row
rejects the whole file with a report naming each bad row and field; a valid file goes into
the store in ONE transaction with batched multi-row INSERTs (row-by-row saves would take
minutes for 20k rows), and the outbox events of what became searchable in the same one."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from board.core.validation import LIST_FIELDS, ValidationErrors, validate_opportunity
from board.imports.formats import ImportFileError, read_rows
from board.imports.suggestions import suggest
from board.indexing import outbox
from board.indexing.gateway import utcnow
from board.listings import services as listings
from board.listings.red_flags import red_flags
from board.listings.review import snapshot
from board.listings.status import Status, expiry_on_publish, status_on_submit
from board.settings import DEFAULT_LISTING_DAYS
from board.store.engine import write_transaction
from board.store.tables import Institution, Opportunity

# ~40 columns a row: 400 rows stay under the bound-parameter limits of SQLite (32766)
# and PostgreSQL (32767).
BATCH = 400

# One multi-row INSERT per batch, built from the table's own column list. Piccolo's
# Insert(*instances) spends ~1 ms of Python per row building nested query strings (slower
# than one save() per row); a flat parameterised statement keeps 20k rows to seconds.
# Only placeholders and the table's identifiers are in the SQL; every value is bound.
_COLUMNS = [c for c in Opportunity._meta.columns if c is not Opportunity.id]
_NAMES = [c._meta.name for c in _COLUMNS]
_DEFAULTS = {c._meta.name: c.default for c in _COLUMNS if not callable(c.default)}
_INSERT_INTO = ("INSERT INTO " + Opportunity._meta.get_formatted_tablename() + " ("  # noqa: S608
                + ", ".join('"' + c._meta.db_column_name + '"' for c in _COLUMNS) + ") VALUES ")
_ROW_MARKS = "(" + ", ".join(["{}"] * len(_COLUMNS)) + ")"
MODES = ("draft", "submit", "publish")
# A web request holds a worker and the member's patience: bigger files go through the CLI,
# which has no request timeout and shows progress.
WEB_MAX_ROWS = 5_000
WEB_TOO_MANY = ("upload at most that many here, or ask the board's staff to run "
                "`board import FILE --institution NAME` on the server")

__all__ = ["BATCH", "WEB_MAX_ROWS", "ImportFileError", "ImportRejected", "ImportResult",
           "InstitutionRefused", "Problem", "import_file", "import_rows", "read_upload",
           "resolve_institution", "validate_rows"]


@dataclass(frozen=True)
class Problem:
    row: int  # 1-based data row; the CSV header is not a row
    field: str
    message: str
    value: str = ""  # what the row had in that column (shortened)
    suggestion: str = ""  # what it probably meant ("Cardiology" -> "Cardiovascular disease")

    def line(self) -> str:
        hint = f' (did you mean "{self.suggestion}"?)' if self.suggestion else ""
        return f"row {self.row}, field {self.field}: {self.message}{hint}"


class ImportRejected(Exception):
    """The file was not imported; `problems` names every bad row and field."""

    def __init__(self, problems: list[Problem], rows: int):
        self.problems = problems
        self.rows = rows
        bad = len({p.row for p in problems})
        super().__init__(f"{bad} of {rows} rows are not valid; nothing was imported")

    @property
    def bad_rows(self) -> int:
        return len({p.row for p in self.problems})


@dataclass
class ImportResult:
    imported: int = 0
    published: int = 0
    pending: int = 0
    drafts: int = 0
    ids: list[int] = field(default_factory=list)


def validate_rows(rows: list[dict[str, Any]], today: dt.date | None = None
                  ) -> list[dict[str, Any]]:
    """Clean values of every row, or ImportRejected naming every problem of every row."""
    today = today or utcnow().date()
    cleaned: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for number, row in enumerate(rows, start=1):
        try:
            cleaned.append(validate_opportunity(row, today=today))
        except ValidationErrors as exc:
            problems.extend(_problem(number, row, name, msg) for name, msg in exc.errors.items())
    if problems:
        raise ImportRejected(problems, len(rows))
    return cleaned


def _problem(number: int, row: dict[str, Any], name: str, message: str) -> Problem:
    raw = row.get(name)
    shown = "" if raw is None else (";".join(map(str, raw)) if isinstance(raw, list) else str(raw))
    return Problem(number, name, message, shown[:80], suggest(name, raw) if name in row else "")


async def read_upload(filename: str, data: bytes) -> list[dict[str, Any]]:
    """A web upload read and validated in a worker thread: parsing and validating thousands
    of rows is CPU work that would otherwise stall every request on the event loop."""
    def work() -> list[dict[str, Any]]:
        return validate_rows(read_rows(filename, data, WEB_MAX_ROWS, WEB_TOO_MANY))

    return await asyncio.to_thread(work)


def _status_of(clean: dict[str, Any], mode: str, verified: bool) -> tuple[Status, list[str]]:
    if mode == "publish":
        return Status.PUBLISHED, []
    if mode == "draft":
        return Status.DRAFT, []
    flags = red_flags(clean)
    return status_on_submit(verified, flags), flags  # the same rule as listings.submit


def _row(institution_id: int, member_id: int | None, clean: dict[str, Any], mode: str,
         verified: bool, now: dt.datetime, listing_days: int) -> dict[str, Any]:
    values = listings.row_values(clean)  # geocoded, expiry as the end of its day
    status, flags = _status_of(clean, mode, verified)
    values.update(institution=institution_id, created_by=member_id, created_at=now,
                  updated_at=now, status=str(status), review_flags=json.dumps(flags))
    for name in LIST_FIELDS:  # JSON columns take text in a raw statement (asyncpg insists)
        if values.get(name) is not None:
            values[name] = json.dumps(values[name])
    if status in {Status.PUBLISHED, Status.PENDING}:
        values["submitted_at"] = now
    if status == Status.PUBLISHED:
        values["published_at"] = now
        values["expires_at"] = expiry_on_publish(values.get("expires_at"), now, listing_days,
                                                 clean.get("application_deadline"))
        values["approved_values"] = json.dumps(snapshot(clean))
    return values


async def _insert(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    sql = _INSERT_INTO + ", ".join([_ROW_MARKS] * len(rows)) + ' RETURNING "id", "status"'
    args = [row.get(name, _DEFAULTS.get(name)) for row in rows for name in _NAMES]
    return await Opportunity.raw(sql, *args).run()


async def import_rows(
    institution_id: int, cleaned: list[dict[str, Any]], *, mode: str = "draft",
    member_id: int | None = None, listing_days: int = DEFAULT_LISTING_DAYS,
    now: dt.datetime | None = None, progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Write validated rows in one transaction. `mode`: draft (stay drafts), submit (as if
    each were submitted: published or pending) or publish (staff: published directly)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    now = now or utcnow()
    result = ImportResult()
    async with write_transaction():
        inst = await Institution.select(Institution.verified).where(
            Institution.id == institution_id).first().run()
        if inst is None:
            raise listings.NotFound(institution_id)
        for start in range(0, len(cleaned), BATCH):
            rows = [_row(institution_id, member_id, c, mode, inst["verified"], now, listing_days)
                    for c in cleaned[start:start + BATCH]]
            returned = sorted(await _insert(rows), key=lambda r: r["id"])
            result.ids.extend(r["id"] for r in returned)
            published = [r["id"] for r in returned if r["status"] == Status.PUBLISHED]
            await outbox.record(published, "publish")
            result.published += len(published)
            result.pending += sum(1 for r in returned if r["status"] == Status.PENDING)
            result.drafts += sum(1 for r in returned if r["status"] == Status.DRAFT)
            result.imported += len(returned)
            if progress:
                progress(len(returned))
    return result


async def import_file(institution_id: int, filename: str, data: bytes, **kwargs: Any
                      ) -> ImportResult:
    """Read, validate every row, then import; ImportFileError / ImportRejected leave the
    store untouched."""
    cleaned = validate_rows(read_rows(filename, data))
    return await import_rows(institution_id, cleaned, **kwargs)


class InstitutionRefused(Exception):
    """The CLI will not attach listings to this institution without the operator saying so."""


async def resolve_institution(name: str | None = None, institution_id: int | None = None, *,
                              existing: bool = False, state: str = "", city: str = ""
                              ) -> dict[str, Any]:
    """The import's institution as {id, name, verified, created}. By name, a new one is
    created (unverified, like a sign-up); an existing name is refused unless `existing`,
    because anyone may have registered it through /signup and would then own (and with
    --publish, see published) the operator's listings. By id, it must exist. A banned
    institution is always refused."""
    query = Institution.select(Institution.id, Institution.name, Institution.verified,
                               Institution.banned_at)
    if institution_id is not None:
        row = await query.where(Institution.id == institution_id).first().run()
        if row is None:
            raise InstitutionRefused(f"--institution-id {institution_id}: no such institution")
    else:
        row = await query.where(Institution.name == name).first().run()
        if row is None:
            inst = Institution(name=name, state=state, city=city, verified=False)
            await inst.save().run()
            return {"id": inst.id, "name": name, "verified": False, "created": True}
        if not existing:
            raise InstitutionRefused(
                f"institution {name!r} already exists (id {row['id']}, "
                f"{'verified' if row['verified'] else 'NOT verified'}); name it with "
                f"--institution-id {row['id']} or pass --existing to import into it")
    if row["banned_at"] is not None:
        raise InstitutionRefused(f"institution {row['id']} is banned")
    return {"id": row["id"], "name": row["name"], "verified": bool(row["verified"]),
            "created": False}
