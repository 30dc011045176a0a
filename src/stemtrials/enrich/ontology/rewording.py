"""Rewordings of a normalized condition text that the matcher tries when the text doesn't name a term as written.

Each function maps tokens to tokens (see :mod:`.normalize`); none consults the ontology, so they are cheap and
never produce a term by themselves — the ontology lookup decides whether a rewording names anything. The tables
they read are language knowledge in :mod:`.lexicon`.

- :func:`rewrite` — registry phrasings → ontology wording (:data:`lexicon.REWRITES`), in place, longest first; and
  :func:`rewrite_any_order` for texts that put the words of such a phrasing in another order ("Fistula Perianal").
- :func:`expand_inline` — unambiguous capitalised abbreviations expanded in place ("GVHD, Acute").
- :func:`strip` — qualifiers that narrow a condition without changing what it is, in two rounds: first the ones that
  are never part of a disease name ("moderate to severe", "patients with"), then the ones that often are ("acute",
  "chronic", "primary"): "Severe Acute Respiratory Distress Syndrome" is acute respiratory distress syndrome, not
  "respiratory distress syndrome".
- :func:`swap_disease_words` — "disorder" ↔ "disease": Mondo labels say "musculoskeletal system disorder" and keep
  "musculoskeletal disease" as a synonym, registries write "Musculoskeletal Disorders".
"""

from __future__ import annotations

from . import lexicon
from .normalize import sorted_key, tokens

Cased = list[tuple[str, bool]]
Phrases = dict[str, list[tuple[tuple[str, ...], list[str]]]]


def _abbrev_table() -> dict[tuple[str, ...], tuple[str, tuple[str, ...]]]:
    return {tuple(tokens(k)): (k, v) for k, v in lexicon.ABBREVIATIONS.items()}


ABBREV = _abbrev_table()
"""Normalized abbreviation tokens → (abbreviation as listed, expansions)."""


def _by_first_word(phrases: list[tuple[tuple[str, ...], list[str]]]) -> Phrases:
    """Phrase tables indexed by their first word, longest phrase first: a text is scanned once, word by word."""
    out: Phrases = {}
    for src, dst in sorted(phrases, key=lambda p: -len(p[0])):
        out.setdefault(src[0], []).append((src, dst))
    return out


_REWRITES = _by_first_word([(tuple(tokens(k)), tokens(v)) for k, v in lexicon.REWRITES.items()
                            if tokens(k) != tokens(v)])
_REWRITES_ANY_ORDER = {sorted_key(" ".join(tokens(k))): tokens(v) for k, v in lexicon.REWRITES.items()
                       if len(tokens(k)) > 1 and tokens(k) != tokens(v)}
_STRIP_FIRST = _by_first_word([(tuple(tokens(s)), []) for s in lexicon.STRIPPABLE])
_STRIP_ALL = _by_first_word([(tuple(tokens(s)), []) for s in (*lexicon.STRIPPABLE, *lexicon.STRIPPABLE_LAST)])
_DISEASE_SWAP = {"disease": "disorder", "disorder": "disease"}


def rewrite(toks: list[str]) -> list[str]:
    return [t for t, _ in rewrite_cased([(t, False) for t in toks])]


def rewrite_cased(tc: Cased) -> Cased:
    """One left-to-right pass of lexicon.REWRITES (longest phrase first at each position; output never re-read)."""
    toks = [t for t, _ in tc]
    out: Cased = []
    i = 0
    while i < len(toks):
        for src, dst in _REWRITES.get(toks[i], ()):
            if tuple(toks[i:i + len(src)]) == src:
                out.extend((d, False) for d in dst)
                i += len(src)
                break
        else:
            out.append(tc[i])
            i += 1
    return out


def rewrite_any_order(toks: list[str]) -> list[str] | None:
    """The ontology wording of a whole text that is a registry phrasing in another word order ("fistula perianal",
    "pneumonia novel coronavirus"), else None."""
    if len(toks) < 2:
        return None
    return _REWRITES_ANY_ORDER.get(sorted_key(" ".join(toks)))


def expand_inline(toks: list[str], caps: list[bool]) -> list[str]:
    """Unambiguous abbreviations written in capitals replaced by their expansion, in place: "Acute GVH Disease" →
    "acute graft versus host disease", "GVHD, Acute" → "graft versus host disease acute"."""
    out: list[str] = []
    for t, c in zip(toks, caps, strict=True):
        entry = ABBREV.get((t,))
        if entry and len(entry[1]) == 1 and (c or len(entry[0]) >= 4) and t not in lexicon.COMMON_WORDS:
            out.extend(tokens(entry[1][0]))
        else:
            out.append(t)
    return out


def strip(toks: list[str], *, all_rounds: bool) -> list[str]:
    """The tokens without qualifier phrases, wherever they stand — unless nothing would be left. The first round
    removes only qualifiers that are never part of a disease name; ``all_rounds`` also those that often are."""
    table = _STRIP_ALL if all_rounds else _STRIP_FIRST
    out: list[str] = []
    i = 0
    while i < len(toks):
        for src, _ in table.get(toks[i], ()):
            if tuple(toks[i:i + len(src)]) == src and len(src) < len(toks):
                i += len(src)
                break
        else:
            out.append(toks[i])
            i += 1
    return out


def swap_disease_words(toks: list[str]) -> list[str] | None:
    """"disease" and "disorder" exchanged (every occurrence), or None when the text has neither."""
    if not any(t in _DISEASE_SWAP for t in toks):
        return None
    return [_DISEASE_SWAP.get(t, t) for t in toks]
