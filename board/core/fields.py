"""THE field spec of an opportunity: one row per fact a listing holds. Validation, the search
document and index settings, the API structs, facet labels, import columns and the listing
form are all derived from OPPORTUNITY_FIELDS, so adding a fact is one row here, a template
line where it is displayed, and a migration (see docs/adding-a-field.md).

A leaf: imports nothing from the project, so every layer (and `search` through data the
board hands it) can depend on it."""

from __future__ import annotations

from dataclasses import dataclass

# Kinds of value; each maps to one cleaning rule in board.core.validation.
TEXT, BOOL, INT, DATE, CHOICE, URL, EMAIL = "text", "bool", "int", "date", "choice", "url", "email"


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    type: str
    label: str = ""
    # Input side: given in forms, the write API and import files (False: set by the system).
    editable: bool = True
    required: bool = False  # always required (the cross-field rules are in validation)
    max_length: int | None = None
    int_range: tuple[int, int] | None = None
    nullable: bool = True  # for numbers and dates: empty means "not given" (None)
    vocabulary: str | None = None  # "kinds" | "specialties" | "states" (board.core.vocab)
    # Search side.
    facet: bool = False
    facet_title: str = ""
    facet_labels: tuple[str, str] = ("", "")  # yes / no option labels of a boolean facet
    facet_rank: int = 100  # position in the facet list (ties keep the spec's order)
    filterable: bool = False  # beyond facets and stats (eligibility filters)
    sortable: bool = False
    stat: bool = False  # min/max shown next to the results
    # API side: in the search hit struct ("optional" ones were added later, with defaults).
    in_hits: bool = False
    hit_optional: bool = False
    hit_rank: int = 0  # position in the hit struct (ties keep the spec's order)
    # Listing form: its fieldset, widget and the hint/extra attributes the form shows.
    group: str = ""
    widget: str = ""  # input | number | date | url | email | textarea | select | checkbox
    hint: str = ""
    extra: str = ""
    rows: int = 8
    form_rank: int = 0  # position inside its fieldset (ties keep the spec's order)

    @property
    def is_bool(self) -> bool:
        return self.type == BOOL


_NUM = 'inputmode="numeric"'

OPPORTUNITY_FIELDS: tuple[Field, ...] = (
    Field("title", TEXT, "Title", required=True, max_length=200, in_hits=True, group="The opportunity",
          widget="input", hint="5 to 200 characters, e.g. “Internal Medicine Observership”.",
          extra='maxlength="200"'),
    Field("kind", CHOICE, "Kind", required=True, vocabulary="kinds", facet=True,
          facet_title="Type", facet_rank=1, in_hits=True, group="The opportunity", widget="select"),
    Field("specialty", CHOICE, "Specialty", required=True, vocabulary="specialties", facet=True,
          facet_title="Specialty", facet_rank=3, in_hits=True, group="The opportunity", widget="select",
          hint="From the ACGME specialty list."),
    Field("state", CHOICE, "State", vocabulary="states", facet=True, facet_title="State", facet_rank=2,
          in_hits=True, group="Where", widget="select",
          hint="Required unless the opportunity is remote."),
    Field("city", TEXT, "City", max_length=120, in_hits=True, group="Where", widget="input",
          extra='maxlength="120"'),
    Field("remote", BOOL, "Remote (online)", facet=True, facet_title="Remote", facet_rank=200,
          facet_labels=("Remote", "On site"), in_hits=True, hit_rank=3, group="Where", widget="checkbox"),
    Field("hands_on", BOOL, "Hands-on (direct patient care)", facet=True,
          facet_title="Hands-on",
          facet_labels=("Hands-on (direct patient care)", "Observation only"), in_hits=True,
          hit_rank=2,
          group="The opportunity", widget="checkbox", form_rank=1),
    Field("description", TEXT, "Description", max_length=20_000, group="The opportunity",
          widget="textarea",
          hint="Markdown: **bold**, lists, links. What will the participant do and see?"),
    Field("duration_weeks", INT, "Duration in weeks", int_range=(1, 104), stat=True,
          in_hits=True, hit_rank=4, group="The opportunity", widget="number", form_rank=1,
          extra=f'min="1" max="104" {_NUM}'),
    Field("start_date", DATE, "Start date", in_hits=True, hit_optional=True, group="Dates",
          widget="date", hint="Leave empty for a rolling start."),
    Field("application_deadline", DATE, "Application deadline", sortable=True, in_hits=True,
          hit_rank=4, group="Dates", widget="date"),
    Field("fee_usd", INT, "Fee in USD", int_range=(0, 100_000), nullable=False, stat=True, sortable=True,
          in_hits=True, hit_rank=1, group="Money", widget="number", hint="0 means free.",
          extra=f'min="0" max="100000" {_NUM}'),
    Field("stipend_usd", INT, "Stipend in USD", int_range=(0, 1_000_000), in_hits=True,
          hit_optional=True, hit_rank=-1, group="Money", widget="number", extra=f'min="0" {_NUM}'),
    Field("lor_offered", BOOL, "A letter of recommendation is possible", facet=True,
          facet_title="Letter of recommendation", facet_labels=("Letter offered", "No letter"),
          in_hits=True, hit_rank=2, group="Money", widget="checkbox"),
    Field("ecfmg_required", BOOL, "ECFMG certificate required", filterable=True, in_hits=True,
          hit_optional=True, group="Prerequisites", widget="checkbox"),
    Field("usmle_step1_required", BOOL, "USMLE Step 1 required", filterable=True,
          in_hits=True, hit_optional=True, group="Prerequisites", widget="checkbox"),
    Field("usmle_step2ck_required", BOOL, "USMLE Step 2 CK required", filterable=True,
          in_hits=True, hit_optional=True, group="Prerequisites", widget="checkbox"),
    Field("max_years_since_graduation", INT, "Maximum years since graduation",
          int_range=(0, 60), in_hits=True, hit_optional=True, group="Prerequisites",
          widget="number", hint="Leave empty for no limit.", extra=f'min="0" max="60" {_NUM}'),
    Field("b1b2_accepted", BOOL, "Visitors on a B1/B2 visa may attend", facet=True,
          facet_title="B1/B2 visitors accepted",
          facet_labels=("B1/B2 accepted", "B1/B2 not accepted"), in_hits=True, hit_rank=2,
          group="Visa",
          widget="checkbox"),
    Field("j1_sponsored", BOOL, "J-1 visa sponsored", facet=True, facet_title="J-1 sponsored",
          facet_labels=("J-1 sponsored", "No J-1"), in_hits=True, hit_rank=2, group="Visa",
          widget="checkbox"),
    Field("visa_notes", TEXT, "Visa notes", max_length=2_000, group="Visa", widget="textarea",
          rows=3),
    Field("apply_url", URL, "Application link", max_length=500, group="How to apply",
          widget="url", hint="An https:// address on your institution's site.",
          extra='maxlength="500" placeholder="https://"'),
    Field("apply_email", EMAIL, "Application email", max_length=254, group="How to apply",
          widget="email", extra='maxlength="254"'),
    Field("status", TEXT, "Status", editable=False),
    Field("published_at", DATE, "Published", editable=False, sortable=True, in_hits=True,
          hit_rank=4),
    Field("expires_at", DATE, "Listing expires on", sortable=True, in_hits=True, hit_rank=4,
          group="Dates",
          widget="date", hint="Leave empty for 60 days after publishing. At most one year ahead."),
    # Honest signals (issue 15), set by the system: the host's last "still accepting", a
    # "full until" date, and three visitors' "closed or full" reports.
    Field("confirmed_at", DATE, "Confirmed open", editable=False, sortable=True, in_hits=True,
          hit_optional=True),
    Field("full_until", DATE, "Full until", editable=False, in_hits=True, hit_optional=True),
    Field("reported_closed_at", DATE, "Reported closed", editable=False, in_hits=True,
          hit_optional=True),
)

BY_NAME: dict[str, Field] = {f.name: f for f in OPPORTUNITY_FIELDS}
INPUT_FIELDS: tuple[Field, ...] = tuple(f for f in OPPORTUNITY_FIELDS if f.editable)
# Fieldsets of the listing form, in the order the form shows them.
FORM_GROUPS: tuple[str, ...] = (
    "The opportunity", "Where", "Dates", "Money", "Prerequisites", "Visa", "How to apply",
)
GROUP_NOTES: dict[str, str] = {"How to apply": "Give a link or an email address (or both)."}
# Facets in the order the search page lists them (the most used first).
FACET_FIELDS: tuple[Field, ...] = tuple(
    sorted((f for f in OPPORTUNITY_FIELDS if f.facet), key=lambda f: f.facet_rank))


def api_type(field: Field) -> object:
    """The Python type of the field in the JSON API (dates travel as ISO strings)."""
    if field.type == BOOL:
        return bool
    if field.type in (INT, DATE):
        base = int if field.type == INT else str
        return base | None if field.nullable else base
    return str


def hit_fields(*, optional: bool) -> tuple[Field, ...]:
    """The required (or the optional) fields of a search hit, in the hit struct's order."""
    return tuple(sorted((f for f in OPPORTUNITY_FIELDS if f.in_hits and f.hit_optional == optional),
                        key=lambda f: f.hit_rank))


def names(fields: tuple[Field, ...]) -> tuple[str, ...]:
    return tuple(f.name for f in fields)


def form_sections() -> list[tuple[str, str, tuple[Field, ...]]]:
    """(legend, note, fields) per fieldset of the listing form."""
    return [(group, GROUP_NOTES.get(group, ""),
             tuple(sorted((f for f in INPUT_FIELDS if f.group == group),
                          key=lambda f: f.form_rank)))
            for group in FORM_GROUPS]
