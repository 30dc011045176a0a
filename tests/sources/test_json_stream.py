"""The shared JSON record stream: layouts, positions, the nesting guard (exact on valid JSON split anywhere, linear on
hostile input)."""

from __future__ import annotations

import io
import json
import random
import time

import pytest

from stemtrials.sources._json_stream import MAX_DEPTH, _DepthGuard, iter_json_records
from stemtrials.sources.base import ImportProblem, SourceError

LISTS = {"studies": ("studies",), "Wrapper": ("Wrapper", "Items")}


def _items(data: bytes) -> list[tuple[str, object] | ImportProblem]:
    return list(iter_json_records(io.BytesIO(data), "t.json", LISTS, ("nextPageToken",)))  # type: ignore[arg-type]


def test_layouts_and_positions() -> None:
    assert _items(b'[{"a": 1}, {"a": 2}]') == [("study 1", {"a": 1}), ("study 2", {"a": 2})]
    assert _items(b'{"nextPageToken": "x", "studies": [{"a": 1}]}') == [("study 1", {"a": 1})]
    assert _items(b'{"Wrapper": {"n": 2, "Items": [{"a": 1}, {"a": 2.5}]}}') == [
        ("study 1", {"a": 1}), ("study 2", {"a": 2.5})]
    assert _items(b'{\n  "a": 1\n}') == [("study 1", {"a": 1})]
    assert _items(b'{"a": 1}\n\n{"a": 2}\n') == [("line 1", {"a": 1}), ("line 3", {"a": 2})]
    # Pages one per line are JSON Lines: each line is read alone, so a line that is not a page is not passed over.
    assert _items(b'{"studies": [{"a": 1}, {"a": 2}]}\n{"studies": [{"a": 3}]}') == [
        ("line 1 study 1", {"a": 1}), ("line 1 study 2", {"a": 2}), ("line 2 study 1", {"a": 3})]
    assert _items(b'[{"studies": [{"a": 1}]}]') == [("study 1 study 1", {"a": 1})]
    assert _items(b'{"a": 1}\n{"studies": [{"a": 2}]}') == [("line 1", {"a": 1}), ("line 2 study 1", {"a": 2})]
    mixed = _items(b'{"a": 1}\n{"a": \n[3]')
    assert mixed[0] == ("line 1", {"a": 1}) and isinstance(mixed[1], ImportProblem)
    assert mixed[2] == ("line 3 study 1", 3)  # an array on a line holds records, as an array document does
    # One compact array (or page) with a final newline is a document; arrays one per line are JSON Lines.
    assert _items(b'[{"a": 1}, {"a": 2}]\n') == [("study 1", {"a": 1}), ("study 2", {"a": 2})]
    assert _items(b'[{"a": 1}]\n[{"a": 2}]\n') == [("line 1 study 1", {"a": 1}), ("line 2 study 1", {"a": 2})]
    # A line of another kind than the first is read, not passed over (a document would skip it).
    assert _items(b'[{"a": 1}]\n{"a": 2}\n') == [("line 1 study 1", {"a": 1}), ("line 2", {"a": 2})]


def test_numbers_are_plain_floats_and_ints() -> None:
    [(_, value)] = _items(b'[{"n": 100, "f": 1.5, "e": 1e3}]')
    assert value == {"n": 100, "f": 1.5, "e": 1000.0}
    assert type(value["n"]) is int and type(value["f"]) is float  # type: ignore[index]


def test_guard_is_exact_on_valid_json_split_anywhere() -> None:
    rng = random.Random(7)
    for _ in range(1500):
        doc = json.dumps([{
            'k\\"[': "v\\" * rng.randint(0, 140) + '\\"' * rng.randint(0, 12) + "[{" * rng.randint(0, 3)
            + '"' * rng.randint(0, 12) + "\\" * rng.randint(0, 2),
            "n": [[{"x": "]"}], []],
        } for _ in range(rng.randint(1, 4))]).encode()
        guard = _DepthGuard(6)
        cuts = sorted(rng.sample(range(1, len(doc)), min(8, len(doc) - 1)))
        for start, end in zip([0, *cuts], [*cuts, len(doc)], strict=True):
            guard.feed(doc[start:end])
            assert guard.depth <= 5
        assert guard.depth == 0 and guard._carry == b""


@pytest.mark.parametrize("hostile", [
    b'["' + b'\\"' * 400_000 + b"[" * 1000,
    b'["' + b"\\\\" * 2_000_000 + b'"' + b"[" * 1000,
    b'"\\' * 1_000_000,
    b'["' + (b"\\\\" * 100 + b'\\"') * 20_000 + b'"' + b"[" * 600,
    b"[" * 200_000,
    b'{"a":' * 100_000,
])
def test_guard_stays_linear_on_hostile_input(hostile: bytes) -> None:
    started = time.perf_counter()
    try:  # refused whole, or (one record on one line) reported as a problem
        items = list(iter_json_records(io.BytesIO(hostile), "h.json", LISTS))  # type: ignore[arg-type]
        assert items and all(isinstance(i, ImportProblem) for i in items)
    except SourceError:
        pass
    assert time.perf_counter() - started < 5


def test_depth_limit() -> None:
    ok = b"[" * (MAX_DEPTH - 1) + b"]" * (MAX_DEPTH - 1)
    assert len(_items(ok)) == 1
    with pytest.raises(SourceError) as err:
        _items(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1))
    assert "nested deeper" in err.value.reason
