"""Text and value perturbation for synthetic corpora (bench/gen_corpus.py), and the JSON rendering tricks that keep
generation fast: a template's unchanging parts are serialized once, dates move through pre-rendered slots, sites are
serialized once per pool."""

from __future__ import annotations

import json
import math
import random
import re
from datetime import date, datetime, timedelta
from typing import Any

from corpus_vocab import STEM_LIKE

_ISO = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
DIGITS = re.compile(r"\d+")
_SWAPPABLE = re.compile(r"^[A-Za-z][a-z\-]{3,}$")


def dumps(value: Any) -> str:
    return value if isinstance(value, Rendered) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Rendered(str):
    """JSON text already rendered (a module assembled from pre-serialized parts)."""


def with_sites(module: dict[str, Any], sites: list[str]) -> Rendered:
    """A contacts module whose ``locations`` are the given pre-serialized sites (sites are most of a large study's
    JSON, so they are serialized once per pool, not once per study)."""
    rest = {k: v for k, v in module.items() if k != "locations"}
    head = dumps(rest)[:-1]
    return Rendered(f'{head}{"," if rest else ""}"locations":[{",".join(sites)}]}}')


# ---------------------------------------------------------------- text and value perturbation
def fresh_digits(value: str, rng: random.Random) -> str:
    """The same ID shape with new digits ('2023-505976-31' → '2017-830211-64')."""
    return DIGITS.sub(lambda m: "".join(rng.choices("0123456789", k=len(m.group()))), value)


def substitute(text: str, olds: tuple[str, ...], new: str) -> str:
    """The first of ``olds`` found in ``text`` (any case) replaced by ``new``, everywhere it occurs."""
    low = text.lower()
    for old in olds:
        if len(old) >= 3 and old.lower() in low:
            return re.sub(re.escape(old), lambda _m: new, text, flags=re.IGNORECASE)
    return text


def swap_words(text: str, rng: random.Random, words: list[str], swaps: int, inserts: int) -> str:
    """Replace up to ``swaps`` random ordinary words and insert ``inserts`` words, all drawn from ``words``; words
    that make a text about stem cells are never replaced (a stem-cell title stays one). Words are found around random
    offsets, so a long summary is not split into words to change two of them."""
    for _ in range(swaps):
        start = text.find(" ", rng.randrange(len(text) or 1))
        end = text.find(" ", start + 1) if start >= 0 else -1
        if end < 0:
            continue
        word = text[start + 1:end]
        if _SWAPPABLE.match(word) and not STEM_LIKE.search(word):
            text = f"{text[:start + 1]}{rng.choice(words)}{text[end:]}"
    for _ in range(inserts):
        at = text.find(" ", rng.randrange(len(text) or 1))
        text = f"{rng.choice(words)} {text}" if at < 0 else f"{text[:at]} {rng.choice(words)}{text[at:]}"
    return text


def shift_date(value: str, days: int) -> str:
    """An ISO date (day or month precision) moved by ``days``, keeping its precision."""
    m = _ISO.match(value)
    if not m:
        return value
    year, month, day = int(m[1]), int(m[2]), int(m[3] or 15)
    try:
        moved = date(year, month, min(day, 28) if day > 28 else day) + timedelta(days=days)
    except ValueError:
        return value
    return moved.isoformat() if m[3] else moved.isoformat()[:7]


def shift_dates(obj: Any, days: int) -> Any:
    """A copy of a JSON value with every ISO date string moved by ``days``."""
    if isinstance(obj, dict):
        return {k: shift_dates(v, days) for k, v in obj.items()}
    if isinstance(obj, list):
        return [shift_dates(v, days) for v in obj]
    if isinstance(obj, str) and _ISO.match(obj):
        return shift_date(obj, days)
    return obj


_SLOT = "\ue000"  # a private-use character: JSON leaves it alone, no registry text contains it


class DatedModule:
    """A module's JSON with its ISO dates as slots, so moving all its dates costs a join, not a re-serialization."""

    def __init__(self, module: dict[str, Any]) -> None:
        dates: list[tuple[int, bool]] = []  # (ordinal, day precision)

        def mark(obj: Any) -> Any:
            if isinstance(obj, dict):
                return {k: mark(v) for k, v in obj.items()}
            if isinstance(obj, list):
                return [mark(v) for v in obj]
            if isinstance(obj, str) and (m := _ISO.match(obj)):
                dates.append((date(int(m[1]), int(m[2]), int(m[3] or 15)).toordinal(), m[3] is not None))
                return f"{_SLOT}{len(dates) - 1}{_SLOT}"
            return obj

        parts = dumps(mark(module)).split(_SLOT)
        self.literals = parts[0::2]
        self.dates = [dates[int(i)] for i in parts[1::2]]

    def render(self, days: int) -> Rendered:
        out = [self.literals[0]]
        for (ordinal, day_precision), literal in zip(self.dates, self.literals[1:], strict=True):
            iso = date.fromordinal(ordinal + days).isoformat()
            out.append(iso if day_precision else iso[:7])
            out.append(literal)
        return Rendered("".join(out))


def scaled(count: int, rng: random.Random) -> int:
    return max(1, round(count * math.exp(rng.gauss(0.0, 0.6)))) if count > 0 else count



def title_case(v2_type: str) -> str:
    """'DIETARY_SUPPLEMENT' → 'Dietary Supplement', as CT.gov names arm-group interventions."""
    return v2_type.replace("_", " ").title()


def numbered(shape: str, number: int) -> str:
    """A real ID shape with its longest digit run replaced by ``number`` (zero-padded), so IDs are unique."""
    runs = list(DIGITS.finditer(shape))
    if not runs:
        return f"{shape}{number}"
    longest = max(runs, key=lambda m: len(m.group()))
    width = len(longest.group())
    digits = f"{number % 10 ** width:0{width}d}"
    return shape[:longest.start()] + digits + shape[longest.end():]


_DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%d %B %Y", "%B %d, %Y", "%m/%d/%Y")


def shift_any_date(value: str, days: int) -> str:
    text = value.strip()
    for fmt in _DATE_FORMATS:
        try:
            return (datetime.strptime(text, fmt) + timedelta(days=days)).strftime(fmt).lstrip("0")
        except ValueError:
            continue
    return value

