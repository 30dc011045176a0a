"""Fuzzing the tabular importers (CT.gov website CSV in both layouts, WHO ICTRP CSV in both layouts and as .xlsx,
ICTRP's companion reference files) with real rows mutated cell by cell: see tests/fuzzkit.py."""

from __future__ import annotations

import csv
import gzip
import io
from itertools import islice
from pathlib import Path
from types import ModuleType

import openpyxl
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import Engine

from fuzzkit import (
    FUZZ,
    FUZZ_IMPORT,
    ODD_TEXT,
    Draw,
    import_checked,
    insert_odd,
    maybe_truncate,
    mutate_lines,
    mutate_rows,
    parsed_ids,
    read_checked,
)
from stemtrials.sources import ctgov_csv, ictrp_reference, ictrp_table
from stemtrials.sources.base import SourceError
from stemtrials.store import open_engine

# The fixtures are whole real records: hypothesis warns that printing them in a failure report is long.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

Rows = list[list[str]]


def _first_rows(text: io.TextIOBase, n: int = 4) -> Rows:
    return [list(r) for r in islice(csv.reader(text), n)]


@pytest.fixture(scope="module")
def tables(shared: Path) -> dict[str, tuple[ModuleType, Rows]]:
    """Header and three real rows of each CSV layout."""
    out: dict[str, tuple[ModuleType, Rows]] = {}
    for name in ("ipsc_search_export", "msc_search_export"):
        with open(shared / f"data/ctgov/csv_export/{name}.csv", encoding="utf-8-sig", newline="") as fh:
            out[name] = (ctgov_csv, _first_rows(fh))
    for name in ("COVID19-927-trials_7Apr2020.csv.gz", "ictrp_full_export_sample_nov2020.csv.gz"):
        with gzip.open(shared / f"data/ictrp/{name}", "rt", encoding="utf-8-sig", newline="") as fh:
            out[name] = (ictrp_table, _first_rows(fh))
    return out


@pytest.fixture(scope="module")
def workbook_rows(shared: Path) -> Rows:
    """Header and three real rows of ICTRP's Excel export, as the cells Excel holds."""
    book = openpyxl.load_workbook(shared / "data/ictrp/ICTRP_29apr2020.xlsx", read_only=True, data_only=True)
    try:
        rows = [["" if v is None else v for v in row]
                for row in islice(book.worksheets[0].iter_rows(values_only=True), 4)]
    finally:
        book.close()
    return rows


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return open_engine(str(tmp_path_factory.mktemp("fuzz") / "fuzz.db"))


def _csv_bytes(rows: Rows, delimiter: str = ",") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter).writerows(rows)
    return buf.getvalue().encode("utf-8", "surrogatepass")


def _xlsx_bytes(rows: Rows) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append([_xlsx_safe(v) for v in row])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _xlsx_safe(value: object) -> object:
    """openpyxl refuses control characters (Excel cannot hold them either)."""
    if isinstance(value, str):
        return openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE.sub("", value)[:32767]
    return value


def _mutate_row(draw: Draw, row: list) -> list:
    """One row's cells re-valued, emptied, cut short or lengthened."""
    row = list(row)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["cell", "cell", "cell", "empty", "short", "long"]))
        if op in ("cell", "empty") and row:
            c = draw(st.integers(0, len(row) - 1))
            if op == "empty":
                row[c] = ""
            elif isinstance(row[c], str) and row[c] and draw(st.booleans()):
                row[c] = insert_odd(draw, row[c])
            else:
                row[c] = draw(st.sampled_from(ODD_TEXT) | st.text(max_size=20) | st.integers().map(str))
        elif op == "short":
            row = row[: draw(st.integers(0, len(row)))]
        elif op == "long":
            row = [*row, draw(st.sampled_from(ODD_TEXT))]
    return row


def _good_ids(fmt: ModuleType, rows: Rows, skip: int, to_bytes=_csv_bytes) -> list[str]:
    return [i for n, row in enumerate(rows[1:], start=1) if n != skip
            for i in parsed_ids(read_checked(fmt, to_bytes([rows[0], row])))]


@FUZZ
@given(data=st.data())
def test_one_mutated_row_costs_only_itself(tables, data):
    name = data.draw(st.sampled_from(sorted(tables)))
    fmt, rows = tables[name]
    bad = data.draw(st.integers(1, len(rows) - 1))
    mixed = [_mutate_row(data.draw, r) if i == bad else r for i, r in enumerate(rows)]
    result = read_checked(fmt, _csv_bytes(mixed))
    assert not isinstance(result, SourceError), result.reason
    assert set(_good_ids(fmt, rows, bad)) <= set(parsed_ids(result))


@FUZZ
@given(data=st.data())
@example(data=None)  # regression: a header cell that is not text at all
def test_any_table_mutation_or_truncation_is_handled(tables, data):
    if data is None:
        fmt, rows = tables["ipsc_search_export"]
        read_checked(fmt, _csv_bytes([[*rows[0], "\x00"], *rows[1:]]))
        return
    name = data.draw(st.sampled_from(sorted(tables)))
    fmt, rows = tables[name]
    mutated = mutate_rows(data.draw, rows, data_from=data.draw(st.sampled_from([0, 1])))
    delimiter = data.draw(st.sampled_from([",", ",", "\t", ";"]))
    read_checked(fmt, maybe_truncate(data.draw, _csv_bytes(mutated, delimiter)))


@FUZZ_IMPORT
@given(data=st.data())
def test_table_import_of_mutated_input_never_fails(tables, store, data):
    name = data.draw(st.sampled_from(sorted(tables)))
    fmt, rows = tables[name]
    import_checked(store, fmt, maybe_truncate(data.draw, _csv_bytes(mutate_rows(data.draw, rows))), "fuzz.csv")


@FUZZ_IMPORT
@given(data=st.data())
def test_xlsx_one_mutated_row_costs_only_itself(workbook_rows, data):
    bad = data.draw(st.integers(1, len(workbook_rows) - 1))
    mixed = [_mutate_row(data.draw, r) if i == bad else r for i, r in enumerate(workbook_rows)]
    result = read_checked(ictrp_table, _xlsx_bytes(mixed))
    assert not isinstance(result, SourceError), result.reason
    assert set(_good_ids(ictrp_table, workbook_rows, bad, _xlsx_bytes)) <= set(parsed_ids(result))


@FUZZ_IMPORT
@given(data=st.data())
def test_xlsx_mutated_or_truncated_workbook(workbook_rows, store, data):
    payload = maybe_truncate(data.draw, _xlsx_bytes(mutate_rows(data.draw, workbook_rows, data_from=0)))
    read_checked(ictrp_table, payload)
    import_checked(store, ictrp_table, payload, "fuzz.xlsx")


@FUZZ
@given(data=st.data())
def test_reference_files_mutated(shared, data):
    name = data.draw(st.sampled_from(["ICTRP_export_datafields.txt", "registry_prefixes_date_formats.csv"]))
    lines = (shared / f"data/ictrp/{name}").read_text(encoding="utf-8").splitlines()
    payload = maybe_truncate(data.draw, "\n".join(mutate_lines(data.draw, lines)).encode("utf-8", "surrogatepass"))
    result = read_checked(ictrp_reference, payload)
    assert isinstance(result, SourceError) or result == []  # companion files hold no trials
