"""Fast leftmost-first matching of a long list of alternatives that all start at a word start.

One ``re`` alternation of many branches costs every branch at every character (~10 µs per character for the
product lexicon) — far over the annotator's < 1 ms/record budget. The alternatives here start at word starts, and
each can only start with a few two-character prefixes, which the parsed patterns themselves tell: so at a word start
only the branches that can start with the next two characters are tried, in their original order (most words —
"the", "patients", "study" — try none). The result is that of the single alternation regex (leftmost match, first
branch wins); ``tests/enrich/test_cell_products.py`` checks the equivalence on real records.
"""

from __future__ import annotations

import re
import re._constants as _sre  # the parser's output is only read
import re._parser as _sre_parse
from collections.abc import Iterator

K = 3
_MAX = 4000
_SPACE = {" ", "\t", "\n", "\r", "\f", "\v"}
_DIGIT = {str(d) for d in range(10)}


def _cat(chars: set[str], icase: bool) -> set[str]:
    return chars | {c.swapcase() for c in chars} if icase else chars


def _concat(left: set[str], right: set[str], k: int) -> set[str] | None:
    out = {a if len(a) >= k else (a + b)[:k] for a in left for b in (right if len(a) < k else {""})}
    return out if len(out) <= _MAX else None


def _lang(seq: list, icase: bool, k: int = K) -> set[str] | None:
    """Every string of length ≤ k a parsed pattern can start with (shorter ones: it can end there); None: anything."""
    out: set[str] | None = {""}
    for op, av in seq:
        item = _item(op, av, icase, k)
        if item is None or out is None:
            return None
        out = _concat(out, item, k)
        if out is None:
            return None
        if all(len(s) >= k for s in out):
            break
    return out


def _prefixes(pattern: str, flags: int) -> set[str] | None:
    """The branch's start strings: K characters when that stays small ("ste", "mes"), else fewer (digits and
    spaces make a dose pattern's 3-character language explode; its first character still says a lot)."""
    parsed = list(_sre_parse.parse(pattern, flags))
    for k in range(K, 0, -1):
        lang = _lang(parsed, bool(flags & re.IGNORECASE), k)
        if lang is not None:
            return lang
    return None


def _item(op: object, av: object, icase: bool, k: int) -> set[str] | None:  # one case per parser node kind
    if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
        return {""}
    if op == _sre.LITERAL:
        return _cat({chr(av)}, icase)  # type: ignore[arg-type]
    if op == _sre.IN:
        chars: set[str] = set()
        for o, a in av:  # type: ignore[union-attr]
            if o == _sre.LITERAL:
                chars.add(chr(a))
            elif o == _sre.RANGE and a[1] - a[0] < 400:
                chars |= {chr(c) for c in range(a[0], a[1] + 1)}
            elif o == _sre.CATEGORY and a == _sre.CATEGORY_SPACE:
                chars |= _SPACE
            elif o == _sre.CATEGORY and a == _sre.CATEGORY_DIGIT:
                chars |= _DIGIT
            else:
                return None
        return _cat(chars, icase)
    if op == _sre.BRANCH:
        out: set[str] = set()
        for branch in av[1]:  # type: ignore[index]
            sub = _lang(branch, icase, k)
            if sub is None:
                return None
            out |= sub
        return out if len(out) <= _MAX else None
    if op == _sre.SUBPATTERN:
        return _lang(av[3], icase or bool(av[1] & _sre.SRE_FLAG_IGNORECASE), k)  # type: ignore[index]
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None)):
        lo, hi, sub_seq = av  # type: ignore[misc]
        sub = _lang(sub_seq, icase, k)
        if sub is None:
            return None
        reps: set[str] = {""} if lo == 0 else set()
        cur: set[str] | None = {""}
        for n in range(1, min(hi, k + lo) + 1):
            cur = _concat(cur, sub, k) if cur is not None else None
            if cur is None:
                return None
            if n >= lo:
                reps |= cur
        return reps
    return None


_START = re.Match.start


def _trie(strings: set[str]) -> str:
    """A regex matching any of ``strings`` (as prefixes), shaped as a trie so each step is one character test."""
    if not strings or "" in strings:
        return ""
    groups: dict[str, set[str]] = {}
    for st in strings:
        groups.setdefault(st[0], set()).add(st[1:])
    alts = [re.escape(c) + (f"(?:{sub})?" if "" in rest and len(rest) > 1 else _trie(rest) if "" not in rest else "")
            for c, rest in sorted(groups.items()) for sub in [_trie(rest - {""})]]
    return "(?:" + "|".join(alts) + ")"


class Alternation:
    """``(?P<name1>p1)|(?P<name2>p2)|…`` matched from word starts only, branches dispatched on two characters."""

    def __init__(self, named: list[tuple[str, str]], flags: int = 0, hints: dict[str, str] | None = None) -> None:
        """``hints``: for a branch whose start is too loose to dispatch on ("[A-Za-z]{0,6}-?MSCs?"), a literal its
        match must contain within its first 16 characters; the branch is tried only where that literal follows."""
        self.named = named
        self.flags = flags
        self.hints = [(i, h) for i, (n, _) in enumerate(named) for h in [(hints or {}).get(n)] if h]
        hinted = {i for i, _ in self.hints}
        self._langs: list[set[str] | None] = []
        for i, (_, pattern) in enumerate(named):
            if i in hinted:
                self._langs.append(set())  # never dispatched on its prefix; see scan()
                continue
            try:
                lang = _prefixes(pattern, flags)
            except Exception:  # a parser corner this does not read: try the branch everywhere
                lang = None
            self._langs.append(None if lang is not None and "" in lang else lang)
        heads = set().union(*(lang for lang in self._langs if lang))
        anywhere = any(lang is None for lang in self._langs)
        # word starts whose first characters can begin some branch: a trie of the branches' start strings, so the
        # regex engine (not Python) skips the words no branch can match ("the", "patients", "with" …)
        self._starts = re.compile("(?<![A-Za-z0-9])" + ("" if anywhere else f"(?={_trie(heads)})"))
        # each branch compiled once, on its own; a position tries its few candidate branches in the original order
        self._compiled = [re.compile(f"(?P<{n}>{p})", flags) for n, p in named]
        self._always = [i for i, lang in enumerate(self._langs) if lang is None]
        self._index: dict[str, list[int]] = {}
        for i, lang in enumerate(self._langs):
            for head in lang or ():
                self._index.setdefault(head, []).append(i)
        self._by_key: dict[object, tuple[int, ...]] = {}

    def _candidates(self, key: str, extra: tuple[int, ...]) -> tuple[int, ...]:
        found = set(self._always) | set(extra)
        for n in range(1, K + 1):
            found.update(self._index.get(key[:n], ()))
        return tuple(sorted(found))

    def scan(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
        """Non-overlapping leftmost matches, like ``finditer`` of the whole alternation."""
        stop = len(text) if endpos is None else endpos
        end = pos
        by_key = self._by_key
        compiled = self._compiled
        # word starts within 16 characters before an occurrence of a hinted branch's literal
        near: dict[int, tuple[int, ...]] = {}
        for i, h in self.hints:
            q = text.find(h, pos, stop)
            while q != -1:
                for p in range(max(pos, q - 15), q + 1):
                    if i not in near.get(p, ()):
                        near[p] = (*near.get(p, ()), i)
                q = text.find(h, q + 1, stop)
        if near:
            word = (w.start() for w in self._starts.finditer(text, pos, stop))
            more = (p for p in near if text[p:p + 1].isalnum() and not (p and text[p - 1].isalnum()))
            starts: Iterator[int] = iter(sorted({*word, *more}))
        else:
            starts = map(_START, self._starts.finditer(text, pos, stop))
        for p in starts:
            if p < end:
                continue
            extra = near.get(p, ()) if near else ()
            key = (text[p:p + K], extra) if extra else text[p:p + K]
            cands = by_key.get(key)
            if cands is None:
                cands = by_key[key] = self._candidates(text[p:p + K], extra)
            for i in cands:
                m = compiled[i].match(text, p, stop)
                if m:
                    end = m.end()
                    yield m
                    break

    def search(self, text: str) -> re.Match[str] | None:
        return next(self.scan(text), None)
