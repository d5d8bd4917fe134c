"""What a posted listing form means: an unanswered yes/no question is an error only when the
form asked it (its marker), a derived fact needs no answer once its source is stated, a
typed synonym resolves to the ACGME name, and errors come in form order in the form's words."""

from __future__ import annotations

from litestar.datastructures import FormMultiDict

from board.listings.form import FORM_MARKER, ordered_errors, submitted


def _form(**values: str) -> FormMultiDict:
    return FormMultiDict(list(values.items()))


def test_unanswered_questions_are_errors_when_the_form_asked_them():
    data, errors = submitted(_form(**{FORM_MARKER: "1", "remote": "true"}))
    assert "remote" not in errors and errors["ecfmg_required"] == "choose Yes or No"
    assert errors["remote_from_abroad"] == "choose Yes, No or Not stated"
    assert "hands_on" in errors  # its source (the level) is not stated either


def test_a_derived_fact_follows_its_stated_source():
    _, errors = submitted(_form(**{FORM_MARKER: "1", "hands_on_level": "2"}))
    assert "hands_on" not in errors


def test_without_the_marker_an_absent_box_is_false_as_before():
    data, errors = submitted(_form(lor_offered="true"))
    assert data["lor_offered"] == "true" and data["remote"] == "false"
    assert not any(name in errors for name in ("remote", "lor_offered", "remote_from_abroad"))


def test_a_synonym_resolves_and_an_unknown_name_suggests():
    data, errors = submitted(_form(specialty="cardiology"))
    assert data["specialty"] == "Cardiovascular disease" and "specialty" not in errors
    _, errors = submitted(_form(specialty="Cardiologyy"))
    assert "did you mean “Cardiovascular disease”?" in errors["specialty"]


def test_errors_follow_the_form_and_use_its_labels():
    ordered = ordered_errors({"apply_url": "give a https link or an email address "
                                           "(apply_email) for applying",
                              "title": "is required", "state": "is required"})
    assert list(ordered) == ["title", "state", "apply_url"]
    assert "“Application email”" in ordered["apply_url"]
