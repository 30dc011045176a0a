"""Fuzzing the text importers (a CT.gov study page as a curator copies it, an hPSCreg clinical-study record) with
real records mutated line by line: see tests/fuzzkit.py for the mutations and the property."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from fuzzkit import FUZZ, FUZZ_IMPORT, import_checked, maybe_truncate, mutate_lines, parsed_ids, read_checked
from stemtrials.enrich import annotate
from stemtrials.export.hpscreg_text import render_hpscreg
from stemtrials.sources import ctgov_page, ctgov_v2, hpscreg_text
from stemtrials.sources.base import Parsed, SourceError
from stemtrials.store import open_engine

# The fixtures are whole real records: hypothesis warns that printing them in a failure report is long.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

PAGE_SEED = "seeds/004_e65ca66711663aaa.txt"
HPSCREG_SEED = "seeds/000_c4e1eefd5bb6b75c.txt"


@pytest.fixture(scope="module")
def pages(shared: Path) -> dict[str, list[str]]:
    """The seed page, and the same page of another trial (its ID changed): lines of two real-shaped pages."""
    seed = (shared / PAGE_SEED).read_text(encoding="utf-8")
    return {"NCT03123458": seed.splitlines(), "NCT03123459": seed.replace("NCT03123458", "NCT03123459").splitlines()}


@pytest.fixture(scope="module")
def hpscreg_records(shared: Path) -> dict[str, list[str]]:
    """The hPSCreg seed record, and two real CT.gov records rendered in the hPSCreg layout (show --format hpscreg)."""
    records = {"ChiCTR2000031139": (shared / HPSCREG_SEED).read_text(encoding="utf-8").splitlines()}
    for nct in ("NCT03418623", "NCT00973089"):
        raw = (shared / f"data/ctgov/v2/{nct}.json").read_bytes()
        [parsed] = list(ctgov_v2.read(io.BytesIO(json.dumps(json.loads(raw)).encode()), f"{nct}.json"))
        assert isinstance(parsed, Parsed)
        records[nct] = render_hpscreg(annotate(parsed.record)).splitlines()
    return records


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return open_engine(str(tmp_path_factory.mktemp("fuzz") / "fuzz.db"))


def _text(blocks: list[list[str]]) -> bytes:
    return "\n\n".join("\n".join(b) for b in blocks).encode("utf-8", "surrogatepass")


def _bad_first(data: st.DataObject, records: dict[str, list[str]]) -> tuple[bytes, list[str]]:
    """A file whose first record is mutated and the others not. First: a record is delimited only by the heading
    of the next one, so a mutation that removes its own heading merges it into its neighbour — the one after it,
    never into a good record already read."""
    bad = data.draw(st.sampled_from(sorted(records)))
    good = [k for k in sorted(records) if k != bad]
    blocks = [mutate_lines(data.draw, records[bad]), *(records[k] for k in good)]
    return _text(blocks), good


@FUZZ
@given(data=st.data())
def test_page_one_mutated_page_costs_only_itself(pages, data):
    payload, good = _bad_first(data, pages)
    result = read_checked(ctgov_page, payload)
    assert not isinstance(result, SourceError), result.reason
    assert set(good) <= set(parsed_ids(result))


@FUZZ
@given(data=st.data())
def test_page_mutated_or_truncated(pages, data):
    lines = mutate_lines(data.draw, pages["NCT03123458"], max_mutations=12)
    read_checked(ctgov_page, maybe_truncate(data.draw, _text([lines])))


@FUZZ_IMPORT
@given(data=st.data())
def test_page_import_of_mutated_input_never_fails(pages, store, data):
    payload = _text([mutate_lines(data.draw, lines) for lines in pages.values()])
    import_checked(store, ctgov_page, maybe_truncate(data.draw, payload), "page.txt")


@FUZZ
@given(data=st.data())
def test_hpscreg_one_mutated_record_costs_only_itself(hpscreg_records, data):
    payload, good = _bad_first(data, hpscreg_records)
    result = read_checked(hpscreg_text, payload)
    assert not isinstance(result, SourceError), result.reason
    assert set(good) <= set(parsed_ids(result))


@FUZZ
@given(data=st.data())
def test_hpscreg_mutated_or_truncated(hpscreg_records, data):
    lines = mutate_lines(data.draw, data.draw(st.sampled_from(list(hpscreg_records.values()))), max_mutations=12)
    read_checked(hpscreg_text, maybe_truncate(data.draw, _text([lines])))


@FUZZ_IMPORT
@given(data=st.data())
def test_hpscreg_import_of_mutated_input_never_fails(hpscreg_records, store, data):
    payload = _text([mutate_lines(data.draw, lines) for lines in hpscreg_records.values()])
    import_checked(store, hpscreg_text, maybe_truncate(data.draw, payload), "hpscreg.txt")


def test_a_page_without_its_header_is_not_read_as_the_next_page(pages):
    """Regression: the lines of a page whose header line was lost ran into the next page's block, and that page was
    read with the first page's identifier (from its bottom 'ClinicalTrials.gov Identifier: | NCT… |' row) and
    values: the second trial vanished under the first one's ID."""
    headless = [line for line in pages["NCT03123458"] if not line.startswith("ClinicalTrials.gov Identifier: NCT")]
    result = read_checked(ctgov_page, _text([headless, pages["NCT03123459"]]))
    assert not isinstance(result, SourceError)
    assert parsed_ids(result)[-1] == "NCT03123459" and len(result) == 2


def test_an_hpscreg_record_without_its_heading_is_not_read_as_the_next_one(hpscreg_records):
    """Regression: the same for hPSCreg records, whose only delimiter is the 'General Information' heading."""
    headless = [line for line in hpscreg_records["ChiCTR2000031139"] if line != "General Information"]
    result = read_checked(hpscreg_text, _text([headless, hpscreg_records["NCT03418623"]]))
    assert not isinstance(result, SourceError)
    assert parsed_ids(result)[-1] == "NCT03418623" and len(result) == 2
