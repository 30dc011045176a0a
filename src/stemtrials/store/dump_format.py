"""The dump file's format version and how each column type's values are written (docs/DUMP.md)."""

from __future__ import annotations

import base64
import math
from typing import Any

from sqlalchemy import Boolean, Column, Float, Integer, LargeBinary, String

FORMAT = "stemtrials-dump"
FORMAT_VERSION = 1


class DumpError(Exception):
    """A dump cannot be written or read, or a restore is refused; the message names the file and line."""


# ---------------------------------------------------------------- value codecs, one per column type
# JSON has no bytes and only one number type, so each column's values are written by the column's type: bytes as
# base64 text, booleans as true/false, integers as integers, floats as numbers (non-finite ones as the strings
# "NaN", "Infinity", "-Infinity": strict JSON has no literal for them), text as text; null is null for every type.

def column_kind(column: Column) -> str:
    """How a column's values are encoded: binary, bool, int, float or str. Other types are refused rather than
    written in some lossy form."""
    t = column.type
    if isinstance(t, LargeBinary):
        return "binary"
    if isinstance(t, Boolean):
        return "bool"
    if isinstance(t, Integer):
        return "int"
    if isinstance(t, Float) and not t.asdecimal:
        return "float"
    if isinstance(t, String):
        return "str"
    raise DumpError(f"column {column.table.name}.{column.name} has type {t!r}, which dump format {FORMAT_VERSION} "
                    "does not encode: give it a codec in store/dump.py and document it in docs/DUMP.md")


_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def encode_value(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "binary":
        return base64.b64encode(bytes(value)).decode("ascii")
    if kind == "float":
        value = float(value)
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if kind == "bool":
        return bool(value)
    if kind == "int":
        return int(value)
    return value


def decode_value(kind: str, value: Any) -> Any:
    """The database value for a dumped one; raises ValueError saying what was expected."""
    if value is None:
        return None
    if kind == "binary":
        if not isinstance(value, str):
            raise ValueError(f"expected base64 text, got {type(value).__name__}")
        try:
            return base64.b64decode(value, validate=True)
        except ValueError as exc:
            raise ValueError(f"invalid base64 ({exc})") from None
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"expected true or false, got {value!r:.40}")
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"expected an integer, got {value!r:.40}")
        return value
    if kind == "float":
        if isinstance(value, str) and value in _NON_FINITE:
            return _NON_FINITE[value]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"expected a number, got {value!r:.40}")
        return float(value)
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {value!r:.40}")
    return value
