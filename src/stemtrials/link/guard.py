"""The guard every probabilistic link must pass: the two records agree on what the trial *is*.

A score can be high for the wrong reason: two trials of one product share its name, its cell description and often
the condition ("Human embryonic stem cell-derived M cells (CAStem) … COVID-19"), and in a COVID-19 corpus every
title says "novel coronavirus pneumonia". So, besides the threshold, a pair must show

- **title agreement**: the titles' content words (design boilerplate and stop words removed) agree, weighing
  each word by how informative it is (−log2 of its frequency among trial titles: "covid19" carries about 1 bit
  in a COVID corpus, "defibrotide" 12): at least two shared words carrying half of all the words'
  information (or three carrying 80 % of the shorter title's) — *and* at least two of the shared words, carrying
  ``MIN_BITS`` together, are not product words (both records' intervention and cell-product names, and generic
  cell vocabulary: "stem", "mesenchymal", "derived" …): titles that agree only on their product never agree; or
- **sponsor or contact + start agreement**: the same lead sponsor (or one of the other's sponsors, or the same
  distinctive name words) or the same contact e-mail or person, start dates ≤ 30 days apart, and titles that still
  agree with product words counting like any other, or loosely: three shared words carrying 35 % of the
  information or 60 % of the shorter title's (a busy hospital starts several trials a month with one contact
  address: sponsor, contact and date alone linked its Tanreqing and darunavir trials).

Titles are compared brief against brief, brief against official and so on; the best pair counts. And a pair whose
start dates are more than a year apart *and* whose sponsors differ (both known) passes only with a (near-)identical
title: a series of trials by one group shares most title words (JCOG0601 …) but not its dates and sponsor.

Word frequencies: the shipped table ``word_freq.json`` (title words of the real records in ../shared, built by
bench/train_linking.py), raised to the batch's own frequency when the batch is large enough to say (≥ 1000
records): a word common in this batch is common, whatever the table says.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from functools import lru_cache
from importlib import resources

from rapidfuzz.distance import JaroWinkler

from .text import PRODUCT_WORDS, product_tokens, title_tokens
from .view import RecordView

MIN_SHARED_INFO = 0.5
MIN_CONTAINED_INFO = 0.8
MIN_BITS = 8.0
LOOSE_SHARED_INFO = 0.35
LOOSE_CONTAINED_INFO = 0.6
UNSEEN_FREQ = 1 / 8000
BATCH_MIN = 1000


@lru_cache(maxsize=1)
def _background() -> dict[str, float]:
    path = resources.files(__package__).joinpath("word_freq.json")
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    n = data["records"]
    return {w: c / n for w, c in data["df"].items()}


class WordInfo:
    """Bits of information per title word, from the shipped table and (large batches) the batch itself."""

    def __init__(self, records: list[RecordView] | None = None) -> None:
        self.freq = dict(_background())
        if records and len(records) >= BATCH_MIN:
            df = Counter(t for v in records for t in title_words(v))
            n = len(records)
            for word, count in df.items():
                self.freq[word] = max(self.freq.get(word, 0.0), count / n)

    def bits(self, word: str) -> float:
        return -math.log2(min(max(self.freq.get(word, UNSEEN_FREQ), UNSEEN_FREQ), 1.0))


def title_words(v: RecordView) -> frozenset[str]:
    """Content words of a record's brief and official titles (one-letter words dropped)."""
    return frozenset(t for text in (v.title, v.official_title) for t in _words(text))


def _words(text: str | None) -> frozenset[str]:
    return frozenset(t for t in title_tokens(text) if len(t) >= 2)


def _title_pairs(x: RecordView, y: RecordView) -> list[tuple[frozenset[str], frozenset[str]]]:
    """Each of x's titles against each of y's: registries put the same title in different fields, and a long
    official title against a short brief one would dilute any agreement."""
    xs = [w for t in (x.title, x.official_title) if (w := _words(t))]
    ys = [w for t in (y.title, y.official_title) if (w := _words(t))]
    return [(a, b) for a in xs for b in ys]


def _matches(t: str, other: frozenset[str]) -> bool:
    # A long word also matches a slight misspelling of itself ("chroloquine").
    return t in other or (len(t) >= 6 and any(len(u) >= 6 and JaroWinkler.similarity(t, u) >= 0.93 for u in other))


def _agree(wx: frozenset[str], wy: frozenset[str], info: WordInfo) -> tuple[int, float, float]:
    """(shared words, shared share of all information, shared share of the shorter side's information)."""
    shared = [t for t in wx if _matches(t, wy)]
    got = sum(info.bits(t) for t in shared)
    only_x = sum(info.bits(t) for t in wx if t not in shared)
    only_y = sum(info.bits(t) for t in wy if not _matches(t, wx))
    total = got + only_x + only_y
    shorter = min(got + only_x, got + only_y)
    return len(shared), (got / total if total else 0.0), (got / shorter if shorter else 0.0)


def _agreeing(n: int, share: float, contained: float, loose: bool = False) -> bool:
    if (n >= 2 and share >= MIN_SHARED_INFO) or (n >= 3 and contained >= MIN_CONTAINED_INFO):
        return True
    return loose and n >= 3 and (share >= LOOSE_SHARED_INFO or contained >= LOOSE_CONTAINED_INFO)


def title_agreement(x: RecordView, y: RecordView, info: WordInfo | None = None, *, loose: bool = False) -> bool:
    """The titles agree on what the trial is about, and not only on its product (see the module docstring).
    ``loose``: the weaker test of the sponsor/contact + start rule — product words count like any other, and a
    looser share of the words' information is enough."""
    info = info or WordInfo()
    products = PRODUCT_WORDS | product_tokens(x.products) | product_tokens(y.products)
    for wx, wy in _title_pairs(x, y):
        if not _agreeing(*_agree(wx, wy, info), loose=loose):
            continue
        if loose:
            return True
        own = [t for t in wx - products if _matches(t, wy - products)]
        if len(own) >= 2 and sum(info.bits(t) for t in own) >= MIN_BITS:
            return True
    return False


def guard(x: RecordView, y: RecordView, levels: dict[str, str], info: WordInfo | None = None) -> str | None:
    """Why this pair may link ("title", "sponsor+start" or "contact+start"), or None."""
    if (levels.get("start_date") == "else" and levels.get("sponsor") == "else"
            and levels.get("title") not in ("exact", "jw>=0.95")):
        return None  # starts over a year apart and other sponsors: only a (near-)identical title outweighs both
    if title_agreement(x, y, info):
        return "title"
    if levels.get("start_date") not in ("exact", "<=30 days") or not title_agreement(x, y, info, loose=True):
        return None
    if levels.get("sponsor") in ("exact", "any sponsor", "tokens>=0.6"):
        return "sponsor+start"
    if levels.get("contact") in ("email", "name"):
        return "contact+start"
    return None
