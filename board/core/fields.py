"""THE field spec of an opportunity: one row per fact a listing holds. Validation, the search
document and index settings, the API structs, facet labels, import columns and the listing
form are all derived from OPPORTUNITY_FIELDS, so adding a fact is one row here, a template
line where it is displayed, and a migration (see README, "Adding a field").

A leaf: imports nothing from the project, so every layer (and `search` through data the
board hands it) can depend on it."""

from __future__ import annotations

from dataclasses import dataclass

# Kinds of value; each maps to one cleaning rule in board.core.validation.
TEXT, BOOL, INT, DATE, CHOICE, URL, EMAIL = "text", "bool", "int", "date", "choice", "url", "email"
# A set of values from a vocabulary (CSV: `b1b2;j1`, JSON: an array); empty = not stated.
LIST = "list"
# Yes / no / not stated: a fact whose absence must not read as "no" (empty = None).
TRISTATE = "tristate"
# A moment with its offset (ISO 8601; a time without an offset is read in the event's zone).
DATETIME = "datetime"


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
    # "kinds" | "specialties" | "states", or a key of board.core.vocab.CHOICES (the values and
    # their labels of a CHOICE or LIST field, or the labels of an INT level such as 0..4).
    vocabulary: str | None = None
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
    # input | number | date | url | email | textarea | select | checkbox | radio (a choice
    # with an explicit "Not stated") | checkboxes (a LIST) | yesno (a TRISTATE)
    widget: str = ""
    hint: str = ""
    extra: str = ""
    rows: int = 8
    form_rank: int = 0  # position inside its fieldset (ties keep the spec's order)

    @property
    def is_bool(self) -> bool:
        return self.type == BOOL

    @property
    def is_list(self) -> bool:
        return self.type == LIST


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
    # Derived from hands_on_level when it is stated (board.core.derived); as given otherwise.
    Field("hands_on", BOOL, "Hands-on (direct patient care)", facet=True,
          facet_title="Hands-on",
          facet_labels=("Hands-on (direct patient care)", "Observation only"), in_hits=True,
          hit_rank=2,
          group="What the participant does", widget="checkbox", form_rank=1,
          hint="Set for you when you choose a hands-on level above."),
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
    Field("application_fee_usd", INT, "Application fee in USD", int_range=(0, 100_000),
          in_hits=True, hit_optional=True, group="Money", widget="number", form_rank=-1,
          hint="Charged when applying, usually not refunded, e.g. 100. 0 = no application fee; "
               "empty = not stated.",
          extra=f'min="0" max="100000" {_NUM}'),
    # Nullable: empty is "not stated", 0 is free; a skipped fee must never publish as "Free".
    Field("fee_usd", INT, "Program fee in USD", int_range=(0, 100_000), stat=True, sortable=True,
          in_hits=True, hit_rank=1, group="Money", widget="number",
          hint="For the whole rotation, e.g. 2500. 0 means free; empty = not stated.",
          extra=f'min="0" max="100000" {_NUM}'),
    Field("deposit_usd", INT, "Deposit in USD", int_range=(0, 100_000), in_hits=True,
          hit_optional=True, group="Money", widget="number",
          hint="Paid to hold a seat, e.g. 899. Counted in the total unless fully refundable.",
          extra=f'min="0" max="100000" {_NUM}'),
    Field("refund_policy", CHOICE, "Refund policy", vocabulary="refund_policies", facet=True,
          facet_title="Refunds", in_hits=True, hit_optional=True, group="Money", widget="radio"),
    Field("refund_terms", TEXT, "Refund terms", max_length=2_000, in_hits=True, hit_optional=True,
          group="Money", widget="textarea", rows=3,
          hint="In your words, e.g. “Full refund up to 30 days before the start; "
               "$250 cancellation fee after that.”"),
    Field("payee", CHOICE, "Who receives the money", vocabulary="payees", facet=True,
          facet_title="Who is paid", in_hits=True, hit_optional=True, group="Money",
          widget="radio", hint="The hospital or university, a physician, or a company in between."),
    Field("intermediary_name", TEXT, "Name of the intermediary", max_length=200, in_hits=True,
          hit_optional=True, group="Money", widget="input", extra='maxlength="200"',
          hint="Required when a company in between is paid, e.g. “Example Rotations LLC”."),
    Field("total_cost_usd", INT, "Total cost in USD", editable=False, int_range=(0, 400_000),
          stat=True, sortable=True, in_hits=True, hit_optional=True),
    Field("stipend_usd", INT, "Stipend in USD", int_range=(0, 1_000_000), in_hits=True,
          hit_optional=True, hit_rank=-1, group="Money", widget="number", extra=f'min="0" {_NUM}'),
    # Derived from lor_policy when it is stated (board.core.derived); as given otherwise.
    Field("lor_offered", BOOL, "A letter of recommendation is possible", facet=True,
          facet_title="Letter of recommendation", facet_labels=("Letter offered", "No letter"),
          in_hits=True, hit_rank=2, group="Letters", widget="checkbox", form_rank=1,
          hint="Set for you when you choose a letter policy above."),
    Field("lor_policy", CHOICE, "Letter of recommendation policy", vocabulary="lor_policies",
          facet=True, facet_title="Letter policy", in_hits=True, hit_optional=True,
          group="Letters", widget="radio"),
    Field("participants_last_year", INT, "Participants last year", int_range=(0, 10_000),
          in_hits=True, hit_optional=True, group="Letters", widget="number", form_rank=2,
          hint="Your own figures, e.g. 15.", extra=f'min="0" {_NUM}'),
    Field("letters_last_year", INT, "Of them, got a letter", int_range=(0, 10_000),
          in_hits=True, hit_optional=True, group="Letters", widget="number", form_rank=2,
          hint="E.g. 12: shown as “12 of 15 participants last year got a letter”.",
          extra=f'min="0" {_NUM}'),
    Field("hands_on_level", INT, "Hands-on level", int_range=(0, 4), vocabulary="hands_on_levels",
          filterable=True, in_hits=True, hit_optional=True, group="What the participant does",
          widget="radio", hint="The most the participant may do, under supervision."),
    Field("ehr_access", CHOICE, "Access to the health record (EHR)", vocabulary="ehr_access",
          in_hits=True, hit_optional=True, group="What the participant does", widget="radio"),
    Field("setting", CHOICE, "Setting", vocabulary="settings", facet=True, facet_title="Setting",
          in_hits=True, hit_optional=True, group="What the participant does", widget="radio"),
    Field("hours_per_week", INT, "Hours per week", int_range=(1, 100), in_hits=True,
          hit_optional=True, group="What the participant does", widget="number",
          hint="E.g. 40.", extra=f'min="1" max="100" {_NUM}'),
    Field("seats", INT, "Seats", int_range=(1, 1_000), in_hits=True, hit_optional=True,
          group="What the participant does", widget="number",
          hint="Participants at a time, e.g. 2.", extra=f'min="1" {_NUM}'),
    Field("ecfmg_required", BOOL, "ECFMG certificate required", filterable=True, in_hits=True,
          hit_optional=True, group="Prerequisites", widget="checkbox"),
    Field("usmle_step1_required", BOOL, "USMLE Step 1 required", filterable=True,
          in_hits=True, hit_optional=True, group="Prerequisites", widget="checkbox"),
    Field("usmle_step2ck_required", BOOL, "USMLE Step 2 CK required", filterable=True,
          in_hits=True, hit_optional=True, group="Prerequisites", widget="checkbox"),
    Field("max_years_since_graduation", INT, "Maximum years since graduation",
          int_range=(0, 60), in_hits=True, hit_optional=True, group="Prerequisites",
          widget="number", hint="Leave empty for no limit.", extra=f'min="0" max="60" {_NUM}'),
    Field("open_to", LIST, "Open to", vocabulary="open_to", facet=True, facet_title="Open to",
          in_hits=True, hit_optional=True, group="Prerequisites", widget="checkboxes",
          hint="Tick none to leave it not stated."),
    Field("visa_statuses", LIST, "Statuses under which one may take part",
          vocabulary="visa_statuses", facet=True, facet_title="Visa status", in_hits=True,
          hit_optional=True, group="Visa", widget="checkboxes",
          hint="Tick every status you accept, e.g. B-1/B-2 and J-1. Tick none to leave it "
               "not stated."),
    # Derived from visa_statuses when they are stated (board.core.derived).
    Field("b1b2_accepted", BOOL, "Visitors on a B1/B2 visa may attend", facet=True,
          facet_title="B1/B2 visitors accepted",
          facet_labels=("B1/B2 accepted", "B1/B2 not accepted"), in_hits=True, hit_rank=2,
          group="Visa", form_rank=1,
          widget="checkbox", hint="Set for you when you tick the statuses above."),
    Field("j1_sponsored", BOOL, "J-1 visa sponsored", facet=True, facet_title="J-1 sponsored",
          facet_labels=("J-1 sponsored", "No J-1"), in_hits=True, hit_rank=2, group="Visa",
          widget="checkbox"),
    Field("visa_notes", TEXT, "Visa notes", max_length=2_000, group="Visa", widget="textarea",
          rows=3),
    Field("remote_from_abroad", TRISTATE, "Can be done from outside the US", in_hits=True,
          hit_optional=True, group="Visa", widget="yesno", form_rank=2,
          hint="Research or mentorship that needs no US visa."),
    # The `event` kind (issue 18): the (first) occurrence, the host's zone, an RFC 5545 RRULE
    # (board.core.events), online or not, and a join link shown openly or only to visitors
    # who saved the event (join_url_public).
    Field("starts_at", DATETIME, "Starts at", in_hits=True, hit_optional=True, group="Event",
          widget="input", form_rank=1,
          hint="Events only: the (first) time it starts, e.g. 2027-01-27T20:00, in the time "
               "zone below."),
    Field("ends_at", DATETIME, "Ends at", in_hits=True, hit_optional=True, group="Event",
          widget="input", form_rank=1, hint="E.g. 2027-01-27T21:00."),
    Field("timezone", TEXT, "Time zone", max_length=64, in_hits=True, hit_optional=True,
          group="Event", widget="input", form_rank=2, extra='maxlength="64"',
          hint="An IANA name such as America/New_York."),
    Field("recurrence", TEXT, "Repeats (RFC 5545 rule)", max_length=300, in_hits=True,
          hit_optional=True, group="Event", widget="input", form_rank=3,
          extra='maxlength="300"',
          hint="Empty = once. E.g. FREQ=MONTHLY;INTERVAL=2;BYDAY=4WE: every other month on "
               "the 4th Wednesday."),
    Field("online", BOOL, "Online event", in_hits=True, hit_optional=True, group="Event",
          widget="checkbox", form_rank=4),
    Field("join_url", URL, "Join link", max_length=500, group="Event", widget="url",
          form_rank=5, extra='maxlength="500" placeholder="https://"',
          hint="An https:// link to the video call or registration."),
    Field("join_url_public", BOOL, "Show the join link to everyone", group="Event",
          widget="checkbox", form_rank=6,
          hint="Unticked: only visitors who saved the event see the link."),
    # Computed from the rule when indexing (epoch seconds): the next occurrence not yet over.
    Field("next_starts_at", INT, "Next occurrence", editable=False, sortable=True,
          filterable=True, in_hits=True, hit_optional=True),
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
          widget="date", hint="Leave empty for 60 days after publishing (or the day after the "
          "application deadline, if that is later). At most one year ahead."),
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
    "The opportunity", "What the participant does", "Where", "Dates", "Money", "Letters",
    "Prerequisites", "Visa", "Event", "How to apply",
)
GROUP_NOTES: dict[str, str] = {
    "How to apply": "Give a link or an email address (or both).",
    "Money": "Everything the participant pays, and to whom. Leave a figure empty when you do "
             "not state it: it then shows as “Not stated”, never as free.",
    "Letters": "Whether participants can get a letter of recommendation, with last year's "
               "figures.",
    "Event": "Only for the kind Event (a coffee chat, a workshop): when it takes place and "
             "how to join.",
    "What the participant does": "IMGs are asked whether a rotation was real patient care: "
                                 "say how hands-on it is.",
}
# Facets in the order the search page lists them (the most used first).
FACET_FIELDS: tuple[Field, ...] = tuple(
    sorted((f for f in OPPORTUNITY_FIELDS if f.facet), key=lambda f: f.facet_rank))


# The original choices store "" when empty; the later ones store NULL ("not stated").
STRING_VOCABULARIES = frozenset({"kinds", "specialties", "states"})


def api_type(field: Field) -> object:
    """The Python type of the field in the JSON API (dates travel as ISO strings)."""
    if field.type == BOOL:
        return bool
    if field.type == TRISTATE:
        return bool | None
    if field.type == DATETIME:
        return str | None
    if field.type == LIST:
        return list[str] | None
    if field.type == CHOICE and field.vocabulary not in STRING_VOCABULARIES:
        return str | None
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
