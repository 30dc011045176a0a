"""The vocab.py additions the legacy XML and CSV importers needed (real wording from ../shared data)."""

from __future__ import annotations

import pytest

from stemtrials import vocab


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Estimate", "estimated"),  # legacy XML <study_first_posted type="Estimate">
        ("Estimated", "estimated"),
        ("ESTIMATED", "estimated"),
        ("Anticipated", "estimated"),
        ("Actual", "actual"),
    ],
)
def test_date_type_estimate(text: str, expected: str) -> None:
    assert vocab.date_type(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # pre-2017 <study_design> wording
        ("Double Blind (Subject, Investigator)", "double"),
        ("Single Blind (Outcomes Assessor)", "single"),
        ("Triple Blind (Subject, Caregiver, Investigator)", "triple"),
        ("Quadruple Blind (Subject, Caregiver, Investigator, Outcomes Assessor)", "quadruple"),
        ("Double Blind", "double"),
        ("Open Label", "none"),
        # current wording still works
        ("Double (Participant, Investigator)", "double"),
        ("None (Open Label)", "none"),
        ("QUADRUPLE", "quadruple"),
        # v2's ECT enum and the older spelled-out purpose agree
        ("Educational/Counseling/Training", "educational_counseling_training"),
        ("ECT", "educational_counseling_training"),
    ],
)
def test_design_value_legacy(text: str, expected: str) -> None:
    assert vocab.design_value(text) == expected
