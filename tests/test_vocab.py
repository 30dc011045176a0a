"""Registry wording → contract vocabulary, on the spellings real exports use."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stemtrials import vocab


@pytest.mark.parametrize(("text", "expected"), [
    ("Enrolling by invitation", "enrolling_by_invitation"),
    ("ENROLLING_BY_INVITATION", "enrolling_by_invitation"),
    ("Unknown status", "unknown"),
    ("UNKNOWN", "unknown"),
    ("Active, not recruiting", "active_not_recruiting"),
    ("Not yet recruiting", "not_yet_recruiting"),
    ("Withdrawn", "withdrawn"),
    ("Available", "other"),
    ("", None),
    (None, None),
])
def test_status(text, expected):
    assert vocab.status(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Phase 1/Phase 2", ["phase1", "phase2"]),
    ("PHASE1", ["phase1"]),
    (["PHASE2", "PHASE3"], ["phase2", "phase3"]),
    ("Phase 2/3", ["phase2", "phase3"]),
    ("Early Phase 1", ["early_phase1"]),
    ("EARLY_PHASE1", ["early_phase1"]),
    ("N/A", ["not_applicable"]),
    ("NA", ["not_applicable"]),
    ("Not Applicable", ["not_applicable"]),
    ("Other", ["other"]),
    ("Phase I/II", ["phase1", "phase2"]),
    (None, []),
])
def test_phases(text, expected):
    assert vocab.phases(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("January 1, 2016", "2016-01-01"),
    ("February 2018", "2018-02"),
    ("2019-12", "2019-12"),
    ("2016", "2016"),
    ("2020-03-20", "2020-03-20"),
    ("20/03/2020", "2020-03-20"),
    ("Sept 5, 2019", "2019-09-05"),
    ("February 30, 2019", None),
    ("soon", None),
])
def test_iso_date_keeps_precision(text, expected):
    assert vocab.iso_date(text) == expected


def test_date_info_types():
    assert vocab.date_info("January 1, 2016", "Actual").model_dump() == {"date": "2016-01-01", "type": "actual"}
    assert vocab.date_info("December 2019", "Anticipated").type == "estimated"
    assert vocab.date_info("2019-12-31", "ESTIMATED").type == "estimated"
    assert vocab.date_info("December 2019 (Anticipated)").model_dump() == {"date": "2019-12", "type": "estimated"}
    assert vocab.date_info("February 2018").type is None


@pytest.mark.parametrize(("text", "expected"), [
    ("1 Year", 1.0), ("6 Months", 0.5), ("18 Years", 18.0), ("N/A", None), ("18Y", 18.0), ("65+", 65.0),
    (">= 20age old", 20.0), ("2 Weeks", round(14 / 365.25, 4)), ("", None), (None, None),
])
def test_age_years(text, expected):
    assert vocab.age_years(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("All", "all"), ("Both", "all"), ("Female", "female"), ("MALE", "male"), ("Male and Female", "all"),
    ("Women", "female"), ("", None),
])
def test_sex(text, expected):
    assert vocab.sex(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("None (Open Label)", "none"), ("NONE", "none"), ("Double (Participant, Investigator)", "double"),
    ("Single Group Assignment", "single_group"), ("SINGLE_GROUP", "single_group"), ("N/A", "not_applicable"),
    ("NA", "not_applicable"), ("Non-Randomized", "non_randomized"), ("Supportive Care", "supportive_care"),
    ("Double Blind (Subject, Investigator)", "double"),
])
def test_design_value(text, expected):
    assert vocab.design_value(text) == expected


def test_split_criteria_seed_layout():
    text = """Inclusion Criteria:
- Informed consent.
- No available alternative treatment that can reduce the symptoms
-
Patients are required to meet the following inclusion criteria:
- Any patient that has clinically documented abnormal immune disorders.
Exclusion Criteria:
- Inability to give informed consent.
- Pregnancy."""
    incl, excl = vocab.split_criteria(text)
    assert incl[0] == "Informed consent."
    assert "Any patient that has clinically documented abnormal immune disorders." in incl
    assert excl == ["Inability to give informed consent.", "Pregnancy."]


def test_split_criteria_joins_wrapped_lines_and_numbered_items():
    text = "Inclusion criteria:\n1. Age 18-65\n2. Diagnosed with knee\n   osteoarthritis\nExclusion criteria: pregnancy"
    incl, excl = vocab.split_criteria(text)
    assert incl == ["Age 18-65", "Diagnosed with knee osteoarthritis"]
    assert excl == ["pregnancy"]


@given(st.text())
def test_normalisers_are_total(text):
    # Any registry text: a value or None, never an exception.
    vocab.status(text)
    vocab.phases(text)
    vocab.iso_date(text)
    vocab.date_info(text, text)
    vocab.age_years(text)
    vocab.sex(text)
    vocab.design_value(text)
    vocab.split_criteria(text)
    vocab.enrollment_count(text)


def test_split_criteria_legacy_xml_indented_wrapping():
    text = """
        Inclusion Criteria:

          -  Age 18-65 years

          -  Diagnosed with knee
             osteoarthritis (Kellgren-Lawrence grade II-III)

        Exclusion Criteria:

          -  Pregnancy
        Patients with cancer"""
    incl, excl = vocab.split_criteria(text)
    assert incl == ["Age 18-65 years", "Diagnosed with knee osteoarthritis (Kellgren-Lawrence grade II-III)"]
    assert excl == ["Pregnancy", "Patients with cancer"]


def test_a_sentence_mentioning_exclusion_criterion_is_not_a_heading():
    incl, excl = vocab.split_criteria("Inclusion Criteria:\n- Adults\n- Patients meeting any\nexclusion criterion.\n")
    assert excl == []
    assert incl == ["Adults", "Patients meeting any exclusion criterion."]
