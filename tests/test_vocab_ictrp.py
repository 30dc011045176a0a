"""vocab / registry_ids additions that ICTRP data needed."""

from __future__ import annotations

import pytest

from stemtrials import vocab
from stemtrials.registry_ids import registry_of


@pytest.mark.parametrize(("text", "expected"), [
    ("Both males and females", "all"),  # ANZCTR via ICTRP: "males" is plural
    ("Males", "male"), ("Females", "female"), ("Male", "male"), ("Male and Female", "all"),
])
def test_sex_plural_words(text: str, expected: str) -> None:
    assert vocab.sex(text) == expected


@pytest.mark.parametrize(("ident", "registry"), [
    ("EUCTR2012-000123-11-3RD", "EU-CTR"),  # EU-CTR's suffix for sites outside the EU/EEA
    ("EUCTR2019-001155-39-GB", "EU-CTR"), ("2019-001155-39", "EU-CTR"), ("EUCTR2019-001155-39-ABCD", None),
])
def test_eu_ctr_country_suffixes(ident: str, registry: str | None) -> None:
    assert registry_of(ident) == registry
