"""Fuzzing the JSON importers (CT.gov API v2, the classic API's FullStudies and study_fields, stemtrials' own JSONL)
with real records mutated structurally: see tests/fuzzkit.py for the mutations and the property."""

from __future__ import annotations

import copy
import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import Engine

from fuzzkit import (
    FUZZ,
    FUZZ_IMPORT,
    dump_json,
    import_checked,
    maybe_truncate,
    mutate_json,
    parsed_ids,
    read_checked,
)
from stemtrials.sources import ctgov_classic, ctgov_v2, stemtrials_jsonl
from stemtrials.sources.base import Parsed, SourceError
from stemtrials.store import open_engine

# The fixtures are whole real records: hypothesis warns that printing them in a failure report is long.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

SMALL_V2 = ("NCT03453554", "NCT00465816", "NCT00973089", "NCT03418623")


@pytest.fixture(scope="module")
def v2_studies(shared: Path) -> list[dict[str, Any]]:
    return [json.loads((shared / f"data/ctgov/v2/{n}.json").read_text(encoding="utf-8")) for n in SMALL_V2]


@pytest.fixture(scope="module")
def classic_full(shared: Path) -> dict[str, Any]:
    return json.loads((shared / "data/ctgov/classic_full_studies/NCT04780763.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def study_fields(shared: Path) -> list[dict[str, Any]]:
    """Three real study_fields records, their many empty fields left out (they are absent in other snapshots)."""
    with gzip.open(shared / "data/ctgov/classic/msc_trials_study_fields.jsonl.gz", "rt", encoding="utf-8") as fh:
        lines = [next(fh) for _ in range(3)]
    return [{k: v for k, v in json.loads(line).items() if v != []} for line in lines]


@pytest.fixture(scope="module")
def exported(v2_studies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """stemtrials' JSONL export of the v2 records (as `stemtrials export` writes each line)."""
    out = []
    for study in v2_studies:
        (parsed,) = list(ctgov_v2.read(io.BytesIO(json.dumps(study).encode()), "x.json"))
        assert isinstance(parsed, Parsed)
        out.append(parsed.record.to_json_dict())
    return out


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return open_engine(str(tmp_path_factory.mktemp("fuzz") / "fuzz.db"))


def _layout(draw: Any, studies: list[Any]) -> bytes:
    """The studies as one of the layouts the v2 reader accepts."""
    layout = draw(st.sampled_from(["array", "page", "jsonl", "single"] if len(studies) == 1 else
                                  ["array", "page", "jsonl"]))
    if layout == "array":
        return dump_json(studies)
    if layout == "page":
        return dump_json({"studies": studies, "nextPageToken": "abc", "totalCount": len(studies)})
    if layout == "jsonl":
        return b"\n".join(dump_json(s) for s in studies)
    return dump_json(studies[0])


def _refused_as_hostile(result: object) -> bool:
    """Documents refused whole by design (sources/_json_stream.py): nesting past the depth guard, and integers
    beyond 64 bits, which ijson's C parser cannot hold."""
    return isinstance(result, SourceError) and ("nested deeper" in result.reason or "integer overflow" in result.reason)


def _one_bad_among_good(data: st.DataObject, originals: list[Any]) -> tuple[list[Any], int]:
    studies = list(originals)
    bad = data.draw(st.integers(0, len(studies) - 1))
    studies[bad] = mutate_json(data.draw, studies[bad])
    return studies, bad


@FUZZ
@given(data=st.data())
def test_v2_one_mutated_study_costs_only_itself(v2_studies, data):
    studies, bad = _one_bad_among_good(data, v2_studies)
    result = read_checked(ctgov_v2, _layout(data.draw, studies))
    if _refused_as_hostile(result):
        return
    assert not isinstance(result, SourceError), result.reason
    good = [SMALL_V2[i] for i in range(len(studies)) if i != bad]
    assert set(good) <= set(parsed_ids(result))


@FUZZ
@given(data=st.data())
@example(data=None)  # regression: a JSONL line nested past Python's recursion limit
def test_v2_any_mutation_or_truncation_is_handled(v2_studies, data):
    if data is None:
        read_checked(ctgov_v2, b"\n".join([dump_json(v2_studies[0]), b"[" * 100_000]))
        return
    studies = [mutate_json(data.draw, s) for s in v2_studies[: data.draw(st.integers(1, 3))]]
    read_checked(ctgov_v2, maybe_truncate(data.draw, _layout(data.draw, studies)))


@FUZZ_IMPORT
@given(data=st.data())
def test_v2_import_of_mutated_input_never_fails(v2_studies, store, data):
    studies = [mutate_json(data.draw, s) for s in v2_studies[:2]]
    import_checked(store, ctgov_v2, maybe_truncate(data.draw, _layout(data.draw, studies)), "fuzz.json")


def _full_response(studies: list[Any]) -> dict[str, Any]:
    return {"FullStudiesResponse": {"APIVrs": "1.01.02", "NStudiesReturned": len(studies),
                                    "FullStudies": [{"Rank": i + 1, "Study": s} for i, s in enumerate(studies)]}}


@FUZZ
@given(data=st.data())
def test_classic_full_studies_mutated(classic_full, data):
    study = classic_full["FullStudiesResponse"]["FullStudies"][0]["Study"]
    mutated = mutate_json(data.draw, study)
    result = read_checked(ctgov_classic, dump_json(_full_response([mutated, study])))
    if _refused_as_hostile(result):
        return
    assert not isinstance(result, SourceError), result.reason
    assert "NCT04780763" in parsed_ids(result)  # the unmutated copy, whatever became of the other
    whole = maybe_truncate(data.draw, dump_json(mutate_json(data.draw, classic_full)))
    read_checked(ctgov_classic, whole)


@FUZZ
@given(data=st.data())
def test_classic_study_fields_mutated(study_fields, data):
    records, bad = _one_bad_among_good(data, study_fields)
    if data.draw(st.booleans()):
        payload = b"\n".join(dump_json(r) for r in records)
    else:
        payload = dump_json({"StudyFieldsResponse": {"NStudiesReturned": len(records), "StudyFields": records}})
    cut = maybe_truncate(data.draw, payload)
    result = read_checked(ctgov_classic, cut)
    if cut == payload and not _refused_as_hostile(result):
        assert not isinstance(result, SourceError), result.reason
        good = [r["NCTId"][0] for i, r in enumerate(study_fields) if i != bad]
        assert set(good) <= set(parsed_ids(result))


@FUZZ_IMPORT
@given(data=st.data())
def test_classic_import_of_mutated_input_never_fails(study_fields, store, data):
    records = [mutate_json(data.draw, r) for r in study_fields[:2]]
    import_checked(store, ctgov_classic, b"\n".join(dump_json(r) for r in records), "fields.jsonl")


@FUZZ
@given(data=st.data())
@example(data=None)  # regression: a line nested past Python's recursion limit
def test_stemtrials_jsonl_mutated(exported, data):
    if data is None:
        lines = [dump_json(exported[0]), b'{"id": ' + b"[" * 100_000, dump_json(exported[1])]
        result = read_checked(stemtrials_jsonl, b"\n".join(lines))
        assert parsed_ids(result) == [exported[0]["id"], exported[1]["id"]]
        return
    records, bad = _one_bad_among_good(data, exported)
    result = read_checked(stemtrials_jsonl, b"\n".join(dump_json(r) for r in records))
    assert not isinstance(result, SourceError)
    good = [r["id"] for i, r in enumerate(exported) if i != bad]
    assert set(good) <= set(parsed_ids(result))


@FUZZ_IMPORT
@given(data=st.data())
def test_stemtrials_jsonl_import_of_mutated_input_never_fails(exported, store, data):
    records = [mutate_json(data.draw, r) for r in exported[:2]]
    import_checked(store, stemtrials_jsonl, maybe_truncate(data.draw, b"\n".join(dump_json(r) for r in records)),
                   "export.jsonl")


def test_deep_nesting_is_refused_not_a_crash(v2_studies):
    deep = b"[" + dump_json(v2_studies[0]) + b"," + b"[" * 2000 + b"]" * 2000 + b"]"
    assert isinstance(read_checked(ctgov_v2, deep), SourceError)


@pytest.mark.parametrize("damage", ["scalar", "array", "cut"])
def test_jsonl_bad_first_line_costs_only_itself(v2_studies, damage):
    """Regressions: a first JSONL line that is a scalar, or the first study cut short, failed the whole file; the
    first study wrapped in an array made the file read as an array document and the other lines were passed over
    without a word (now the array's study is read too)."""
    study = dump_json(v2_studies[0])
    first = {"scalar": b"null", "array": b"[" + study + b"]", "cut": study[: len(study) // 2]}[damage]
    rest = [dump_json(s) for s in v2_studies[1:]]
    result = read_checked(ctgov_v2, b"\n".join([first, *rest]))
    assert not isinstance(result, SourceError), result.reason
    if damage == "array":
        assert parsed_ids(result) == list(SMALL_V2)
        assert result[0].position == "line 1 study 1"
    else:
        assert parsed_ids(result) == list(SMALL_V2[1:])
        assert [r.position for r in result if not isinstance(r, Parsed)] == ["line 1"]


def test_out_of_range_numbers_are_unknown_not_stored(v2_studies):
    """Regressions: an enrollment past the store's integer (2**63 made SQLite raise OverflowError, which stopped the
    whole import; past 2**31 PostgreSQL refused the record) and an age of hundreds of digits (float() gives
    infinity, written to the record JSON as the non-JSON token Infinity)."""
    study = copy.deepcopy(v2_studies[3])
    ps = study["protocolSection"]
    ps["designModule"]["enrollmentInfo"] = {"count": 2**63, "type": "ACTUAL"}
    ps["eligibilityModule"]["minimumAge"] = "1" * 400 + " Years"
    [parsed] = read_checked(ctgov_v2, dump_json(study))
    assert isinstance(parsed, Parsed)
    record = parsed.record
    assert record.enrollment.count is None and record.eligibility.min_age_years is None


def test_jsonl_out_of_range_numbers_cost_only_their_record(exported, store):
    huge = copy.deepcopy(exported[0])
    huge["enrollment"]["count"] = 2**63
    infinite = copy.deepcopy(exported[1])
    infinite["eligibility"]["min_age_years"] = float("inf")
    lines = [dump_json(huge), dump_json(infinite), dump_json(exported[2])]
    assert b"Infinity" in lines[1]
    result = read_checked(stemtrials_jsonl, b"\n".join(lines))
    assert parsed_ids(result) == [exported[2]["id"]]
    counts = import_checked(store, stemtrials_jsonl, b"\n".join(lines), "numbers.jsonl")
    assert counts.errors == 2


def test_control_characters_cost_nothing_on_any_backend(v2_studies, db_url):
    """Regression: a NUL in a title or condition was kept; PostgreSQL refuses NUL in text columns, so there (and only
    there) the whole record was not stored."""
    study = copy.deepcopy(v2_studies[3])
    ident = study["protocolSection"]["identificationModule"]
    ident["briefTitle"] = "Stem\x00 cells\x1b[0m " + ident["briefTitle"]
    study["protocolSection"]["conditionsModule"]["conditions"].append("Graft\x00 versus host disease\x07")
    engine = open_engine(db_url)
    try:
        counts = import_checked(engine, ctgov_v2, dump_json(study), "controls.json")
    finally:
        engine.dispose()
    assert (counts.new, counts.errors) == (1, 0), counts.problems


def test_jsonl_records_must_keep_the_contract(exported):
    """Regression: our own JSONL was taken as written, so an edited line could bring in an ID with white space
    around it (never found again by exact lookup) or a date that is no day ("2019-02-30", '"2015-03"')."""
    spaced = copy.deepcopy(exported[0])
    spaced["id"] = " " + spaced["id"]
    impossible = copy.deepcopy(exported[1])
    impossible["dates"]["start"] = {"date": "2019-02-30", "type": None}
    quoted = copy.deepcopy(exported[2])
    quoted["dates"]["last_update"] = {"date": '"2015-03"', "type": None}
    result = read_checked(stemtrials_jsonl, b"\n".join(dump_json(r) for r in [spaced, impossible, quoted, exported[3]]))
    assert parsed_ids(result) == [exported[3]["id"]]


def test_jsonl_registry_ids_must_keep_the_contract(exported):
    """Regression: a second primary ID, or a primary ID that is not the record's, was taken as written; the store
    indexed both as the record's primary ID."""
    twice = copy.deepcopy(exported[0])
    twice["registry_ids"].insert(1, dict(twice["registry_ids"][0]))
    other = copy.deepcopy(exported[1])
    other["registry_ids"][0]["id"] = "NCT00000001"
    result = read_checked(stemtrials_jsonl, b"\n".join(dump_json(r) for r in [twice, other, exported[2]]))
    assert parsed_ids(result) == [exported[2]["id"]]
