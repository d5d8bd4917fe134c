"""The IMG's planner (issue 18): one Planner row per visitor (anonymous, in the session) or
per signed-in IMG (an address confirmed by a magic link), and what hangs off it: the
shortlist, the eligibility profile, the calendar token, and the tables other modules add to
PLANNER_TABLES (export and delete cover them)."""
