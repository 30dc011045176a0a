"""Structured fuzzing of the importers: real records, mutated with hypothesis, and what must hold of any result.

The mutations keep inputs close to real ones, so they reach the mapping code rather than dying in the parser: a JSON
record with a field dropped, duplicated, retyped (string ↔ number ↔ null ↔ list ↔ object), nested deep, or given
odd text (control characters, other scripts, huge numbers, impossible dates); an XML record with elements removed,
duplicated, renamed, re-valued or the root swapped; CSV rows with cells re-valued or columns dropped or added; text
records with lines dropped, duplicated, reordered or re-valued; any of them cut off at a random byte.

The property (docs/IMPORTERS.md, sources/base.py): a reader either yields ``Parsed`` records that are valid, and
``ImportProblem`` values for bad records, or raises ``SourceError`` for an unreadable input — never anything else —
and the import of the same bytes never fails as a whole.
"""

from __future__ import annotations

import copy
import datetime
import io
import json
import math
import os
import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import Engine

from stemtrials.model import TrialRecord
from stemtrials.pipeline import import_file
from stemtrials.sources.base import ImportProblem, Parsed, SourceError
from stemtrials.sources.inputs import InputFile
from stemtrials.store.writer import Counts

FUZZ = settings(max_examples=150, deadline=None, derandomize=bool(os.environ.get("CI")),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.large_base_example, HealthCheck.function_scoped_fixture])
"""Reader properties: cheap, so many examples. CI runs a fixed set (a red build must be reproducible and not depend
on luck); a developer's run explores new examples each time (and hypothesis replays any failure it found)."""
FUZZ_IMPORT = settings(FUZZ, max_examples=40)
"""Whole-import properties: each example annotates and stores, so fewer."""

Draw = Callable[[st.SearchStrategy[Any]], Any]

ODD_TEXT = [
    "", " ", "\t\n", "\x00", "a\x00b", "\x07\x1b[31m", "\ufeff", "\u202e\u200b", "𝕄𝕊ℂ 𝟙𝟚", "é\u0301", "中文标题",
    "مرحبا", "\r\n\r\n", "N/A", "null", "None", "true", "-", "<b>x</b>", "&amp;", "]]>", '"', "\\", "'; DROP TABLE",
    "2019-02-30", "2019-13-01", "9999", "0000", "0000-00-00", "31/02/2020", "February 30, 2019", "", "1e400",
    "99999999999999999999999999", "-5", "NaN", "Infinity", "18 Years", "0 Years", "999999999999999 Years",
    "1" * 5000, "x" * 70_000,
]
ODD_NUMBERS = [0, -1, 1, 2**31, 2**63, -(2**63) - 1, 10**30, 10**400, 1e308, -1e308, 0.5, -0.0, 1e-300]


def odd_scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(ODD_TEXT), st.sampled_from(ODD_NUMBERS), st.none(), st.booleans(),
        st.text(max_size=30), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    )


def odd_values() -> st.SearchStrategy[Any]:
    """Anything JSON can hold, biased to what breaks parsers."""
    return st.recursive(
        odd_scalars(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
        max_leaves=6,
    )


def nested(depth: int, leaf: Any = "x") -> Any:
    value = leaf
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


def insert_odd(draw: Draw, text: str) -> str:
    odd = draw(st.sampled_from(ODD_TEXT[:14]) | st.text(min_size=1, max_size=5))
    at = draw(st.integers(0, len(text)))
    return text[:at] + odd + text[at:]


# ---------------------------------------------------------------------------------------------------- JSON


def _json_paths(node: Any, path: tuple = (), out: list | None = None, limit: int = 4000) -> list[tuple]:
    out = [] if out is None else out
    if len(out) >= limit:
        return out
    out.append(path)
    if isinstance(node, dict):
        for key, value in node.items():
            _json_paths(value, (*path, key), out, limit)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _json_paths(value, (*path, i), out, limit)
    return out


def _get(node: Any, path: tuple) -> Any:
    for step in path:
        node = node[step]
    return node


def mutate_json(draw: Draw, document: Any, max_mutations: int = 4) -> Any:
    """A copy of ``document`` with 1..max_mutations structural mutations, sometimes one value then buried deep
    (600 levels: past the readers' depth guard and near Python's recursion limit, so done last and once)."""
    doc = _mutate_json(draw, document, max_mutations)
    paths = _json_paths(doc)
    if len(paths) > 1 and draw(st.integers(0, 9)) == 0:
        path = draw(st.sampled_from(paths[1:]))
        _get(doc, path[:-1])[path[-1]] = nested(600, _get(doc, path))
    return doc


def _mutate_json(draw: Draw, document: Any, max_mutations: int) -> Any:
    doc = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, max_mutations))):
        paths = _json_paths(doc)
        path = draw(st.sampled_from(paths))
        node = _get(doc, path)
        op = draw(st.sampled_from(["delete", "retype", "retype", "duplicate", "text", "nest", "stringify", "wrap"]))
        if not path:  # the root itself: retype, wrap or nest the whole document
            op = draw(st.sampled_from(["retype", "wrap", "nest", "keep"]))
            if op == "retype":
                doc = draw(odd_values())
            elif op == "wrap":
                doc = draw(st.sampled_from([[doc], {"wrapper": doc}]))
            elif op == "nest":
                doc = nested(draw(st.sampled_from([3, 30])), doc)
            continue
        parent, key = _get(doc, path[:-1]), path[-1]
        if op == "delete":
            del parent[key]
        elif op == "retype":
            parent[key] = draw(odd_values())
        elif op == "duplicate":
            if isinstance(parent, list):
                parent.insert(key, copy.deepcopy(node))
            else:
                parent[f"{key}{draw(st.sampled_from(['', 's', 'List', '_2']))}"] = copy.deepcopy(node)
        elif op == "text":
            parent[key] = insert_odd(draw, node) if isinstance(node, str) else draw(st.sampled_from(ODD_TEXT))
        elif op == "nest":
            parent[key] = nested(draw(st.sampled_from([2, 30])), node)
        elif op == "stringify":
            parent[key] = json.dumps(node)
        else:
            parent[key] = draw(st.sampled_from([[node], {"value": node}]))
    return doc


def dump_json(value: Any) -> bytes:
    """JSON as Python writes it by default: huge floats become the non-standard Infinity, as some exporters do."""
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


# ---------------------------------------------------------------------------------------------------- XML

_XML_ODD_TEXT = [t for t in ODD_TEXT if "\x00" not in t and "\x07" not in t and "\x1b" not in t]


def _xml_safe_text(text: str) -> str:
    """lxml refuses control characters and lone surrogates in text; real files cannot hold them either."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", text)


def mutate_xml(draw: Draw, root: etree._Element, max_mutations: int = 4) -> etree._Element:
    """A copy of ``root`` with 1..max_mutations element-level mutations."""
    root = copy.deepcopy(root)
    for _ in range(draw(st.integers(1, max_mutations))):
        elements = [e for e in root.iter() if isinstance(e.tag, str)]  # not comments or PIs
        elem = draw(st.sampled_from(elements))
        parent = elem.getparent()
        op = draw(st.sampled_from(["delete", "duplicate", "text", "text", "rename", "attribute", "nest", "empty"]))
        if parent is None and op in ("delete", "duplicate", "nest"):
            op = "text"
        if op == "delete":
            parent.remove(elem)
        elif op == "duplicate":
            elem.addnext(copy.deepcopy(elem))
        elif op == "text":
            value = draw(st.sampled_from(_XML_ODD_TEXT) | st.text(max_size=20) | st.integers().map(str))
            if elem.text and draw(st.booleans()):
                value = insert_odd(draw, elem.text)
            elem.text = _xml_safe_text(value)
        elif op == "rename":
            elem.tag = draw(st.sampled_from(["x", "Trial", "clinical_study", "main", "trial_id", "nct_id", "date"])
                            | st.from_regex(r"[a-z_]{1,12}", fullmatch=True))
        elif op == "attribute":
            elem.set(draw(st.sampled_from(["type", "units", "x"])), _xml_safe_text(draw(st.sampled_from(ODD_TEXT))))
        elif op == "nest":  # the element moved down inside a chain of wrapper elements
            outer = innermost = etree.Element("wrap")
            for _ in range(draw(st.sampled_from([1, 50]))):
                innermost = etree.SubElement(innermost, "wrap")
            elem.addprevious(outer)
            innermost.append(elem)
        else:
            for child in list(elem):
                elem.remove(child)
            elem.text = None
    return root


def dump_xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


# ---------------------------------------------------------------------------------------------------- rows, lines


def mutate_rows(draw: Draw, rows: list[list[str]], *, data_from: int = 1, max_mutations: int = 4) -> list[list[str]]:
    """Rows (header first) with cells re-valued, columns dropped or added, rows duplicated or made ragged; only
    rows from ``data_from`` on are touched, so the header stays recognisable (it is mutated by other tests)."""
    rows = [list(r) for r in rows]
    for _ in range(draw(st.integers(1, max_mutations))):
        op = draw(st.sampled_from(["cell", "cell", "cell", "drop_column", "add_column", "duplicate", "ragged"]))
        r = draw(st.integers(data_from, len(rows) - 1))
        if op == "cell" and rows[r]:
            c = draw(st.integers(0, len(rows[r]) - 1))
            odd = draw(st.sampled_from(ODD_TEXT) | st.text(max_size=20) | st.integers().map(str))
            text = rows[r][c]
            rows[r][c] = insert_odd(draw, text) if isinstance(text, str) and text and draw(st.booleans()) else odd
        elif op == "drop_column" and len(rows[0]) > 1:
            c = draw(st.integers(0, len(rows[0]) - 1))
            for row in rows:
                if c < len(row):
                    del row[c]
        elif op == "add_column":
            for row in rows:
                row.append(draw(st.sampled_from(ODD_TEXT)))
        elif op == "duplicate":
            rows.insert(r, list(rows[r]))
        elif op == "ragged":
            rows[r] = rows[r][: draw(st.integers(0, len(rows[r])))] if draw(st.booleans()) else [*rows[r], "extra"]
    return rows


def mutate_lines(draw: Draw, lines: list[str], max_mutations: int = 5) -> list[str]:
    """Lines dropped, duplicated, swapped, re-valued (after a label's colon, or after its first words) or given odd
    characters."""
    lines = list(lines)
    for _ in range(draw(st.integers(1, max_mutations))):
        if not lines:
            lines.append(draw(st.sampled_from(ODD_TEXT)))
            continue
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "value", "tail", "text", "blank"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "value":
            label, sep, _ = lines[i].partition(":") if ":" in lines[i] else lines[i].partition("\t")
            lines[i] = f"{label}{sep or ':'} {draw(st.sampled_from(ODD_TEXT) | st.text(max_size=20))}"
        elif op == "tail":  # "Label words value": the words after the label replaced
            words = lines[i].split(" ")
            keep = draw(st.integers(1, 3))
            lines[i] = " ".join([*words[:keep], draw(st.sampled_from(ODD_TEXT) | st.text(max_size=20))])
        elif op == "text":
            lines[i] = insert_odd(draw, lines[i])
        else:
            lines.insert(i, "")
    return lines


def maybe_truncate(draw: Draw, data: bytes) -> bytes:
    """Half the time the bytes as they are; otherwise cut off at a random point."""
    if not data or draw(st.booleans()):
        return data
    # A fraction, not an index: the same draw must mean the same cut when the bytes differ in length from run to
    # run (an .xlsx carries the time it was written).
    return data[: draw(st.integers(0, 999_999)) * len(data) // 1_000_000]


# ---------------------------------------------------------------------------------------------------- properties

_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def assert_valid(record: TrialRecord) -> None:
    """What the store and every consumer rely on, whatever the input was."""
    assert isinstance(record, TrialRecord)
    assert TrialRecord.model_validate_json(record.model_dump_json()) == record
    json.dumps(record.to_json_dict(), allow_nan=False)  # no NaN/Infinity: the export must stay JSON
    assert record.id and record.id == record.id.strip(), repr(record.id)
    keys = ["".join(r.id.split()).upper() for r in record.registry_ids]
    assert len(set(keys)) == len(keys), record.registry_ids
    primaries = [r for r in record.registry_ids if r.kind == "primary"]
    assert len(primaries) <= 1 and (not primaries or record.registry_ids[0].kind == "primary"), record.registry_ids
    assert not primaries or keys[0] == "".join(record.id.split()).upper(), record.registry_ids
    assert not (record.unidentified and primaries), "a record without a registry ID has no primary ID"
    for name in ("start", "primary_completion", "completion", "first_posted", "last_update", "verified"):
        info = getattr(record.dates, name)
        if info is None:
            continue
        m = _ISO_DATE.fullmatch(info.date)
        assert m, f"dates.{name} = {info.date!r}"
        if m[3]:
            datetime.date(int(m[1]), int(m[2]), int(m[3]))  # a real calendar day
        elif m[2]:
            assert 1 <= int(m[2]) <= 12, info.date
    count = record.enrollment.count
    assert count is None or 0 <= count < 2**31, f"enrollment.count = {count}"
    for age in (record.eligibility.min_age_years, record.eligibility.max_age_years):
        assert age is None or (math.isfinite(age) and age >= 0), f"age = {age}"
    for score in [t.score for c in record.conditions for t in c.terms] + [p.score for p in record.cell_products]:
        assert score is None or math.isfinite(score)


Results = list[Parsed | ImportProblem]


def read_checked(fmt: ModuleType, data: bytes, origin: str = "fuzz-input") -> Results | SourceError:
    """Everything the reader makes of ``data``, each record checked, or the SourceError it raised (the typed
    "unreadable input" error). Any other exception fails the test."""
    try:
        results = list(fmt.read(io.BytesIO(data), origin))
    except SourceError as exc:
        assert exc.reason, "a SourceError must say why"
        return exc
    for result in results:
        assert isinstance(result, Parsed | ImportProblem), type(result)
        if isinstance(result, Parsed):
            assert isinstance(result.raw, bytes) and result.position
            assert_valid(result.record)
        else:
            assert result.file == origin and result.reason
    return results


def parsed_ids(results: Results | SourceError) -> list[str]:
    return [] if isinstance(results, SourceError) else [r.record.id for r in results if isinstance(r, Parsed)]


def import_checked(engine: Engine, fmt: ModuleType, data: bytes, name: str) -> Counts:
    """Import ``data`` as one file through the whole pipeline (detection forced to ``fmt``). The import must never
    raise; every record the reader accepts must be stored, and nothing may fail in annotation."""
    item = InputFile(name, name, lambda: io.BytesIO(data), len(data))
    counts = import_file(engine, item, fmt)
    assert not [p for p in counts.problems if "annotation failed" in p or "reader failed" in p], counts.problems
    accepted = parsed_ids(read_checked(fmt, data, name))
    if not any("nothing imported from this file" in p for p in counts.problems):
        assert counts.new + counts.updated + counts.unchanged == len(accepted), counts.problems
    return counts
