"""Fuzzing the XML importers (CT.gov legacy <clinical_study> XML, WHO ICTRP portal and per-trial XML) with real
records mutated element by element: see tests/fuzzkit.py for the mutations and the property."""

from __future__ import annotations

import copy
import gzip
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import Engine

from fuzzkit import (
    FUZZ,
    FUZZ_IMPORT,
    dump_xml,
    import_checked,
    maybe_truncate,
    mutate_xml,
    parsed_ids,
    read_checked,
)
from stemtrials.sources import ctgov_legacy_xml, ictrp_xml
from stemtrials.sources.base import SourceError
from stemtrials.store import open_engine

# The fixtures are whole real records: hypothesis warns that printing them in a failure report is long.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

SMALL_LEGACY = ("NCT03182660", "NCT03133988", "NCT03245528")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)


@pytest.fixture(scope="module")
def legacy_studies(shared: Path) -> list[etree._Element]:
    return [etree.fromstring((shared / f"data/ctgov/legacy_xml/{n}.xml").read_bytes(), _PARSER)
            for n in SMALL_LEGACY]


@pytest.fixture(scope="module")
def portal_trials(shared: Path) -> list[etree._Element]:
    """The first three <Trial> records of the real ICTRP portal export."""
    trials = []
    with gzip.open(shared / "data/ictrp/ICTRP-Results_18Mar2020.xml.gz") as fh:
        for _, elem in etree.iterparse(fh, tag="Trial", resolve_entities=False, no_network=True):
            trials.append(copy.deepcopy(elem))
            if len(trials) == 3:
                break
    return trials


@pytest.fixture(scope="module")
def per_trial(shared: Path) -> etree._Element:
    return etree.fromstring((shared / "data/ictrp/ChiCTR2000034346.xml").read_bytes(), _PARSER)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return open_engine(str(tmp_path_factory.mktemp("fuzz") / "fuzz.db"))


def _wrap(tag: str, records: list[etree._Element]) -> etree._Element:
    root = etree.Element(tag)
    root.extend(copy.deepcopy(r) for r in records)
    return root


def _ids_of(fmt: ModuleType, records: list[etree._Element], wrapper: str) -> list[str]:
    return [parsed_ids(read_checked(fmt, dump_xml(_wrap(wrapper, [r]))))[0] for r in records]


def _one_bad_among_good(data: st.DataObject, fmt: ModuleType, records: list[etree._Element], wrapper: str) -> None:
    bad = data.draw(st.integers(0, len(records) - 1))
    mixed = [mutate_xml(data.draw, r) if i == bad else r for i, r in enumerate(records)]
    result = read_checked(fmt, dump_xml(_wrap(wrapper, mixed)))
    assert not isinstance(result, SourceError), result.reason  # element-level changes keep the XML well-formed
    good = [i for n, i in enumerate(_ids_of(fmt, records, wrapper)) if n != bad]
    assert set(good) <= set(parsed_ids(result))


@FUZZ
@given(data=st.data())
def test_legacy_one_mutated_study_costs_only_itself(legacy_studies, data):
    _one_bad_among_good(data, ctgov_legacy_xml, legacy_studies, "clinical_studies")


@FUZZ
@given(data=st.data())
def test_legacy_mutated_or_truncated_file(legacy_studies, data):
    study = data.draw(st.sampled_from(legacy_studies))
    read_checked(ctgov_legacy_xml, maybe_truncate(data.draw, dump_xml(mutate_xml(data.draw, study))))


@FUZZ_IMPORT
@given(data=st.data())
def test_legacy_import_of_mutated_input_never_fails(legacy_studies, store, data):
    mixed = [mutate_xml(data.draw, s) for s in legacy_studies[:2]]
    import_checked(store, ctgov_legacy_xml, maybe_truncate(data.draw, dump_xml(_wrap("search_results", mixed))),
                   "fuzz.xml")


@FUZZ
@given(data=st.data())
def test_ictrp_portal_one_mutated_trial_costs_only_itself(portal_trials, data):
    _one_bad_among_good(data, ictrp_xml, portal_trials, "Trials_downloaded_from_ICTRP")


@FUZZ
@given(data=st.data())
def test_ictrp_per_trial_mutated_or_truncated(per_trial, portal_trials, data):
    read_checked(ictrp_xml, maybe_truncate(data.draw, dump_xml(mutate_xml(data.draw, per_trial))))
    whole = _wrap("Trials_downloaded_from_ICTRP", portal_trials)
    read_checked(ictrp_xml, maybe_truncate(data.draw, dump_xml(mutate_xml(data.draw, whole))))


@FUZZ_IMPORT
@given(data=st.data())
def test_ictrp_import_of_mutated_input_never_fails(per_trial, portal_trials, store, data):
    source = data.draw(st.sampled_from([per_trial, _wrap("Trials_downloaded_from_ICTRP", portal_trials[:2])]))
    import_checked(store, ictrp_xml, maybe_truncate(data.draw, dump_xml(mutate_xml(data.draw, source))), "fuzz.xml")
