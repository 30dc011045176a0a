"""Condition text → Mondo terms, by dictionary lookups on normalized names (no I/O, no per-call parsing).

For one condition text, in order, stopping at the first step that finds something:

1. the whole text (parenthesised parts set aside) against Mondo labels and synonyms — also MeSH entry terms and DOID
   labels of exactly mapped terms — as written, then word-order-free ("Osteoarthritis, Knee"), then reworded
   (abbreviations expanded, registry phrasings, spaced compounds, qualifiers such as "moderate to severe" or
   "patients with" dropped);
2. spelling correction: words no Mondo name uses (at most two) replaced by the closest words names do use (rapidfuzz
   ``ratio`` on single words, same first letter — never ``token_set_ratio``/``WRatio``, which score a short string
   contained in a long one as 100), and the corrected text matched as a whole (method "fuzzy");
3. a phrase scan: the longest names found inside the text, left to right, plus abbreviations as units
   ("COVID-19 related ARDS" → COVID-19 + acute respiratory distress syndrome); a single generic word ("pain",
   "infection") is never picked out of a longer text, only taken as its head noun when nothing else is named
   ("Vertebral Compression Fracture" → bone fracture, with a low score);
4. the parenthesised parts, the same way, when the rest named nothing as a whole ("Novel Coronavirus Pneumonia
   (COVID-19)").

Choosing among terms that share a name: labels beat synonyms; of terms in one lineage the most general wins, so a text
is never linked to a subtype it doesn't state; unrelated terms left tied are settled by the record's own words
(title, keywords, other conditions) or not linked at all.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import product

from rapidfuzz import fuzz, process

from . import lexicon, rewording
from .index import MondoIndex, Ref
from .normalize import cased_tokens, normalize, sorted_key, tokens
from .via_mesh import via_mesh, via_mesh_any_order

_PARENS = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")
_SEMANTIC_TAG = re.compile(r"\((?:disorder|disease|finding|morphologic abnormality|situation)\)\s*$", re.I)
_CHUNK_SPLIT = re.compile(r"\s*[;/|]\s*|\s+-\s+|:\s+|\s*<br\s*/?>\s*", re.I)
# Words a phrase-scan span may not start or end with, and words that don't count when measuring how much of a text
# a span covers.
_EDGE = frozenset({"of", "and", "or", "with", "in", "due", "to", "for", "by", "on", "at", "after", "from", "the",
                   "patient", "subject"})
_HEAD_CUT = frozenset({"of", "due", "with", "after", "following", "in", "caused", "secondary", "induced", "from"})
_STOP = _EDGE | {"disease", "disorder", "syndrome", "type", "stage", "grade"}
_MAX_SPAN = 10

SCORE = {"l": 1.0, "s": 0.95, "e": 0.92, "d": 0.9}
METHOD = {"l": "exact", "s": "synonym", "e": "synonym", "d": "synonym"}


@dataclass(frozen=True)
class Hit:
    n: int
    score: float
    method: str
    matched: str
    """The (normalized) name or wording that matched, for error lists and debugging."""
    whole: bool = False
    """True when the name covers the whole text (or chunk) it was found in."""


Cased = list[tuple[str, bool]]
_ABBREV = rewording.ABBREV


class Matcher:
    def __init__(self, index: MondoIndex) -> None:
        self.idx = index
        self._vocab: list[str] | None = None
        # Results per condition text: most texts recur across records ("Knee Osteoarthritis", "COVID-19"). A result
        # that needed the record's context to settle a tie is not cached (another record may say otherwise).
        self._cache: dict[str, list[Hit]] = {}
        self._context_used = False
        self._lock = threading.Lock()

    # ---- choosing among terms that share a name ------------------------------------------------------------
    def choose(self, refs: list[Ref], caps: bool, context: Context) -> list[tuple[int, str]]:
        """(term, kind) chosen from the terms a name points to (see the module docstring)."""
        ok = [r for r in refs if not self.idx.is_blocked(r.n) and (caps or not r.acronym)]
        if not ok:
            return []
        best = min(r.rank for r in ok)
        top = {r.n: r.kind for r in ok if r.rank == best}
        general = [n for n in top if not (self.idx.ancestors(n) & top.keys())]
        if len(general) > 1:
            self._context_used = True
            overlap = {n: len(set(tokens(self.idx.label(n) or "")) & context.words) for n in general}
            most = max(overlap.values())
            general = [n for n in general if overlap[n] == most] if most else general
            if len(general) > 1:
                return []  # unrelated terms share this name and the record doesn't say which: no guess
        return [(general[0], top[general[0]])]

    def _lookup(self, toks: list[str], caps: bool, context: Context) -> list[tuple[int, str, bool]]:
        """Terms named by exactly these tokens, as written or in another word order: (n, kind, word_order_free).
        Both are pooled before choosing, so a label in another word order ("Lymphoma, Non-Hodgkin") beats a
        synonym as written (the familial subtype's "lymphoma, non-Hodgkin")."""
        if not toks:
            return []
        norm = " ".join(toks)
        refs = self.idx.lookup(norm)
        free: set[int] = set()
        key = sorted_key(norm)
        if len(toks) > 1 and key:
            extra = self.idx.lookup(key, by_sorted_key=True) + (self.idx.lookup(key) if key != norm else [])
            free = {r.n for r in extra} - {r.n for r in refs}
            refs = refs + extra
        if not refs:
            refs = [Ref(n, "d") for n in via_mesh(norm)]
        return [(n, k, n in free) for n, k in self.choose(refs, caps, context)]

    # ---- step 1: the whole text, as written and reworded ---------------------------------------------------
    def whole(self, tc: Cased, context: Context) -> list[Hit]:
        toks = [t for t, _ in tc]
        caps = all(c for _, c in tc)
        entry = _ABBREV.get(tuple(toks))
        if entry and len(entry[1]) > 1:  # a known ambiguous abbreviation: the record decides, not the first synonym
            return self._abbreviation(tc, whole=True, context=context)
        for variant, method, factor in self._variants(toks, [c for _, c in tc]):
            for n, kind, free in self._lookup(variant, caps, context):
                score = SCORE[kind[0]] * factor * (0.97 if free else 1.0)
                return [Hit(n, round(score, 3), method or METHOD[kind[0]], " ".join(variant), whole=True)]
        abbrev = self._abbreviation(tc, whole=True, context=context)
        return abbrev or self._through_mesh(toks, caps)

    def _through_mesh(self, toks: list[str], caps: bool) -> list[Hit]:
        """Last resort for a whole text written in words: a MeSH heading in another word order."""
        if caps or len(toks) < 2:
            return []
        found = [n for n in via_mesh_any_order(" ".join(toks)) if not self.idx.is_blocked(n)]
        return [Hit(n, 0.85, "synonym", " ".join(toks), whole=True) for n in found[:1]] if len(found) == 1 else []

    def _variants(self, toks: list[str], caps: list[bool]) -> list[tuple[list[str], str | None, float]]:
        """Rewordings of a whole text, most faithful first, each with the method to report and a score factor."""
        out: list[tuple[list[str], str | None, float]] = [(toks, None, 1.0)]
        expanded = rewording.expand_inline(toks, caps)
        if expanded != toks:
            out.append((expanded, "abbreviation", 0.88))
        rewritten = rewording.rewrite(toks)
        if rewritten != toks:
            out.append((rewritten, "synonym", 0.92))
        elif (reordered := rewording.rewrite_any_order(toks)) is not None:
            out.append((reordered, "synonym", 0.9))
        merged = self._merge_compounds(rewritten)
        if merged != rewritten:
            out.append((merged, "synonym", 0.9))
        if (swapped := rewording.swap_disease_words(merged)) is not None:
            out.append((swapped, None, 0.9))
        base = merged
        for all_rounds in (False, True):
            stripped = rewording.strip(merged, all_rounds=all_rounds)
            if stripped and stripped != base:
                out.append((stripped, None, 0.88))
                out.append((rewording.rewrite(stripped), "synonym", 0.86))
                if (swapped := rewording.swap_disease_words(stripped)) is not None:
                    out.append((swapped, None, 0.85))
                base = stripped
        if base and base[-1] in ("disease", "disorder") and len(base) > 1:
            out.append((base[:-1], None, 0.85))  # "Kienbock Disease" ~ "Kienbock"; never the reverse ("pregnancy")
        return out

    def _merge_compounds(self, toks: list[str]) -> list[str]:
        """'osteo arthritis' → 'osteoarthritis' when the joined word is a word of the ontology's names."""
        out: list[str] = []
        i = 0
        while i < len(toks):
            if i + 1 < len(toks) and toks[i].isalpha() and (toks[i] + toks[i + 1]) in self.idx.vocab:
                out.append(toks[i] + toks[i + 1])
                i += 2
            else:
                out.append(toks[i])
                i += 1
        return out

    # ---- abbreviations ---------------------------------------------------------------------------------------
    def _abbreviation(self, tc: Cased, *, whole: bool, context: Context) -> list[Hit]:
        key = tuple(t for t, _ in tc)
        entry = _ABBREV.get(key)
        if entry is None:
            return []
        original, expansions = entry
        caps = all(c for _, c in tc)
        lower = original.lower()
        if not (caps or (whole and lower not in lexicon.COMMON_WORDS)
                or (len(original) >= 4 and lower not in lexicon.COMMON_WORDS)):
            return []
        # Two letters picked out of a longer text are as often something else ("ED" the emergency department, "PD-1",
        # "CD20", the ICD code "RA01.0"): read them only when the record's own words name the expansion.
        needs_context = len(expansions) > 1 or (not whole and len(original) <= 2)
        if needs_context:
            self._context_used = True
        chosen = _by_context(expansions, context) if needs_context else expansions[0]
        if chosen is None:
            return []
        for n, _kind, free in self._lookup(tokens(chosen), False, context):
            score = 0.9 * (0.97 if free else 1.0) * (1.0 if len(expansions) == 1 else 0.95)
            return [Hit(n, round(score, 3), "abbreviation", f"{original} = {chosen}", whole=whole)]
        return []

    # ---- step 2: phrase scan ---------------------------------------------------------------------------------
    def phrases(self, tc: Cased, context: Context) -> list[Hit]:
        tc = rewording.rewrite_cased(tc)
        toks = [t for t, _ in tc]
        covered = [False] * len(toks)
        found: list[tuple[int, int, Hit]] = []
        for length in range(min(len(toks), _MAX_SPAN), 0, -1):
            for i in range(len(toks) - length + 1):
                j = i + length
                if any(covered[i:j]) or toks[i] in _EDGE or toks[j - 1] in _EDGE:
                    continue
                if j < len(toks) and toks[j] in lexicon.HEAD_NOUNS:
                    continue  # a modifier, not the condition: "Human Immunodeficiency Virus", "Child-Pugh Score"
                span = tc[i:j]
                hits = self._abbreviation(span, whole=False, context=context) if length <= 3 else []
                if not hits:
                    if length == 1 and (toks[i] in lexicon.GENERIC_HEADS or len(toks[i]) < 4):
                        continue
                    got = self._lookup(toks[i:j], all(c for _, c in span), context)
                    if length == 1 and len(toks) > 1:
                        # One word out of a longer text must be a term's own name — its label or the label of its
                        # MeSH/DOID equivalent: one-word synonyms are often shorthand for a narrower term
                        # ("cirrhosis" = liver cirrhosis, wrong in "renal cirrhosis").
                        got = [g for g in got if g[1][0] == "l" or _own_name(self.idx.curie(g[0]), toks[i])]
                    hits = [Hit(n, SCORE[k[0]] * (0.97 if free else 1.0), METHOD[k[0]], " ".join(toks[i:j]))
                            for n, k, free in got]
                if hits:
                    covered[i:j] = [True] * length
                    found.append((i, j, hits[0]))
        content = [k for k, t in enumerate(toks) if t not in _STOP]
        if not found and content:
            return self._head(toks, content, context)
        if not found or not content:
            return []
        out = []
        for i, j, h in sorted(found, key=lambda f: f[0]):
            share = sum(1 for k in content if i <= k < j) / len(content)
            out.append(Hit(h.n, round(h.score * (0.55 + 0.4 * share), 3), h.method, h.matched))
        return out

    def _head(self, toks: list[str], content: list[int], context: Context) -> list[Hit]:
        """Nothing named inside the text: fall back on its head noun when that is a generic disease word, which the
        text narrows without changing its kind — "Vertebral Compression Fracture" is a bone fracture, "Critical
        Ischemia of the Lower Limbs" an ischemia. English puts the head last, or before "of"/"due to"/"after"."""
        cut = next((k for k, t in enumerate(toks) if t in _HEAD_CUT and k > 0), len(toks))
        before = [k for k in content if k < cut]
        if not before:
            return []
        head = toks[before[-1]]
        if head not in lexicon.GENERIC_HEADS and cut < len(toks):
            head = toks[content[-1]]  # "Nonunion of Fracture", "Healing of Fracture": the complement names it
        if head not in lexicon.GENERIC_HEADS:
            return []
        return [Hit(n, round(SCORE[k[0]] * 0.55, 3), METHOD[k[0]], head)
                for n, k, _free in self._lookup([head], False, context)]

    # ---- step 4: fuzzy -----------------------------------------------------------------------------------------
    def fuzzy(self, tc: Cased, context: Context) -> list[Hit]:
        """Spelling correction against the ontology's own vocabulary: each word of the text that at most one Mondo
        name uses (at most two such words; the ontologies carry a few misspellings of their own, like "idiopatic")
        is replaced by the closest words that several names use — same first letter, rapidfuzz ``ratio`` ≥ 85 — and
        the corrected text must then match as a whole. Numbers and common words are never changed, so a correction
        can't turn "type 1" into "type 2" or "nephropathy" into "neuropathy"."""
        toks = [t for t, _ in tc]
        vocab = self.idx.vocab
        unknown = [k for k, t in enumerate(toks) if vocab.get(t, 0) <= 1]
        # Short or capitalised unknown words are abbreviations ("MSCs"), not misspellings.
        if not unknown or len(unknown) > 2 or any(not toks[k].isalpha() or len(toks[k]) < 5 or tc[k][1]
                                                  for k in unknown):
            return []
        words = self._vocab_list()
        options = []
        for k in unknown:
            close = process.extract(toks[k], words, scorer=fuzz.ratio, score_cutoff=85, limit=4)
            close = [(w, score) for w, score, _ in close if w[0] == toks[k][0] and w != toks[k]]
            if not close:
                return []
            options.append(close)
        for combo in product(*options):
            fixed = list(toks)
            similarity = 1.0
            for k, (word, score) in zip(unknown, combo, strict=True):
                fixed[k] = word
                similarity *= score / 100
            for h in self.whole([(t, False) for t in fixed], context):
                return [Hit(h.n, round(0.85 * similarity * h.score, 3), "fuzzy", " ".join(fixed), whole=True)]
        return []

    def _vocab_list(self) -> list[str]:
        if self._vocab is None:
            self._vocab = sorted(w for w, n in self.idx.vocab.items() if n >= 3 and w.isalpha() and len(w) >= 3)
        return self._vocab

    # ---- one condition ----------------------------------------------------------------------------------------
    def match(self, text: str, context: Context | None = None) -> list[Hit]:
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        with self._lock:  # _context_used is per call: one call at a time (the work is CPU-bound under the GIL)
            self._context_used = False
            hits = self._match(text, context or Context())
            if not self._context_used and len(self._cache) < 200_000:
                self._cache[text] = hits
        return hits

    def _match(self, text: str, context: Context) -> list[Hit]:
        text = _SEMANTIC_TAG.sub("", text).strip(" .,;")
        main = _PARENS.sub(" ", text)
        parens = [g for m in _PARENS.finditer(text) for g in m.groups() if g]
        hits = self._segment(main, context)
        # The parenthesised parts are read when the rest named nothing as a whole: "Novel coronavirues pneumonia
        # (COVID-19)" (a typo left only "pneumonia" to find outside), but not "Idiopathic Pulmonary Fibrosis (IPF)".
        if not any(h.whole for h in hits):
            for p in parens:
                hits += [Hit(h.n, round(h.score * 0.95, 3), h.method, h.matched, h.whole)
                         for h in self._segment(p, context)]
        if not hits:
            hits = self.fuzzy(cased_tokens(main), context)
        return self._finish(hits)

    def _segment(self, text: str, context: Context) -> list[Hit]:
        tc = cased_tokens(text)
        if not tc:
            return []
        hits = self.whole(tc, context)
        if hits:
            return hits
        if len(tc) > 1:  # a misspelt name is better read whole than as the pieces that happen to be spelt right
            hits = self.fuzzy(tc, context)
            if hits:
                return hits
        chunks = [cased_tokens(c) for c in _CHUNK_SPLIT.split(text) if c.strip()]
        if len(chunks) > 1:
            # A lone abbreviation next to words ("IBD - Irritable Bowel Disease") is read only when the words say
            # nothing: the registrant's own wording explains the abbreviation better than any table.
            lone = [c for c in chunks if len(c) == 1 and c[0][1]]
            for ctc in [c for c in chunks if c not in lone]:
                hits += self.whole(ctc, context) or self.phrases(ctc, context)
            if not hits:
                for ctc in lone:
                    hits += self.whole(ctc, context)
            return hits
        return self.phrases(tc, context)

    def _finish(self, hits: list[Hit]) -> list[Hit]:
        """One hit per term (best score); a term that is an ancestor of another hit of the same text is dropped —
        the text named the more specific one."""
        best: dict[int, Hit] = {}
        for h in hits:
            if h.n not in best or h.score > best[h.n].score:
                best[h.n] = h
        keep = [h for h in best.values() if not any(h.n in self.idx.ancestors(o) for o in best if o != h.n)]
        return sorted(keep, key=lambda h: -h.score)


@lru_cache(maxsize=4096)
def _own_name(curie: str, word: str) -> bool:
    """Whether ``word`` is the label of the term or of one of its MeSH/DOID equivalents (e.g. MeSH "Arthritis" for
    Mondo "arthritic joint disease")."""
    from . import snapshot

    t = snapshot.term(curie)
    if t is None:
        return False
    labels = [t.label or ""]
    for x in t.xrefs:
        if x.startswith(("MESH:", "DOID:")) and (xt := snapshot.term(x)) is not None:
            labels.append(xt.label or "")
    return any(normalize(label) == word for label in labels)


def _by_context(expansions: tuple[str, ...], context: Context) -> str | None:
    """The expansion whose words the record uses elsewhere (title, keywords, other conditions), if exactly one."""
    scored = [(len((set(tokens(e)) - _STOP) & context.words), e) for e in expansions]
    top = max(s for s, _ in scored)
    winners = [e for s, e in scored if s == top]
    return winners[0] if top > 0 and len(winners) == 1 else None


@lru_cache(maxsize=1)
def default_matcher() -> Matcher:
    from .index import get_index

    return Matcher(get_index())


class Context:
    """The record's own words (titles, keywords, other conditions), used only to settle ambiguities — so they are
    normalized only when an ambiguity comes up, not for every record."""

    def __init__(self, *texts: str | None) -> None:
        self._texts = texts

    @cached_property
    def words(self) -> frozenset[str]:
        return frozenset(t for text in self._texts if text for t in normalize(text).split()
                         if t not in _STOP and len(t) > 2)

