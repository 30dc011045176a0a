"""Reading one text (a title, an intervention name, a description) for the cell product it names.

A text is cut into *segments* at words that join or end product phrases ("and", "with", "for", "in", ";" …). Inside
a segment the *head* — the product — is the last mention that is not a *source*: in "exosomes derived from induced
pluripotent stem cells" and in "iPSC-Exo" the exosomes are the product and the iPSCs their source; in "umbilical cord
blood-derived mesenchymal stem cells" the MSCs are. A pluripotent source anywhere in the segment sets the origin,
which then decides the category (``hesc_derived`` beats "RPE cell"), except for vesicles, which stay vesicles.

Mentions in a *setting* — "GVHD after allogeneic HSCT", "history of stem cell transplant", "stem cell mobilization",
"no MSCs" — are dropped (``lexicon.CONTEXT``), so they never make a trial a stem-cell trial.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from . import lexicon
from .lexicon import Entry

_SPLIT = re.compile(
    r"(?i)\s+(?:and|plus|or|vs\.?|versus|combined\s+with|in\s+combination\s+with|followed\s+by|together\s+with|"
    r"along\s+with|with|for|in|to|on|against|among|through|via|using|as|at|after|following|before|during|"
    r"compared\s+(?:to|with))\s+|\s*[;,:+|]\s*|\s+[-–]\s+|\.\s+")
_DERIVED_AFTER = re.compile(
    r"(?i)^[\s_-]*(?:derived|based|generated|differentiated|induced|produced|originated|sourced|origin)\b")
_FROM_BEFORE = re.compile(
    r"(?i)(?:\b(?:derived|generated|differentiated|isolated|obtained|expanded|produced|secreted|released|made|"
    r"prepared|cultured|harvested|collected|extracted|sourced)\s+(?:from|by|of|in)|\bfrom)\s+(?:(?:the|human|"
    r"autologous|allogene?ic|healthy|donor|clinical|grade|patient'?s?|own|cultured|expanded)\s+)*$")
_FROM_WORDS = frozenset({"from", "by"})
_FROM_VERBS = frozenset({"derived", "generated", "differentiated", "isolated", "obtained", "expanded", "produced",
                         "secreted", "released", "made", "prepared", "cultured", "harvested", "collected", "extracted",
                         "sourced"})
_FROM_SKIP = frozenset({"the", "human", "autologous", "allogeneic", "allogenic", "healthy", "donor", "clinical",
                        "grade", "patient", "patients", "patient's", "own", "cultured", "expanded"})


def _from_before(words: list[str]) -> bool:
    """True when the words before a mention end in "derived from (the human …)" / "from (…)": it is a source."""
    ws = [w.strip("(),;:").lower() for w in words]
    while ws and ws[-1] in _FROM_SKIP:
        ws.pop()
    if not ws:
        return False
    if ws[-1] in _FROM_WORDS:
        return True
    return len(ws) >= 2 and ws[-1] in ("of", "in") and ws[-2] in _FROM_VERBS


_OF = re.compile(r"(?i)[\s\w'’-]{0,40}?\b(?:of|from|by)\b[\s\w'’-]*$")
_ABBREV_AFTER = re.compile(r"\s*\(\s*([A-Za-z][A-Za-z0-9-]{1,11}?)(?:s|'s|’s)?\s*\)")


@dataclass
class Mention:
    entry: Entry
    start: int
    end: int
    text: str
    source: bool = False
    context: bool = False


@dataclass
class Found:
    """The product one segment of a text names."""

    head: Mention | None
    """The product mention; None when the segment names only a source ("hESC-derived M cells")."""
    origin: str | None
    """"hESC", "hiPSC", "" (pluripotent, kind unstated) or None."""
    mentions: list[Mention]
    segment: str
    seg_start: int
    evidence: str
    derived_words: str = ""
    """For a source-only segment: the words after "derived" ("M cells"), where the product's cell type may be."""
    ev_source: Mention | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def category(self) -> str | None:
        if self.head is not None and self.head.entry.role == "ev":
            return "extracellular_vesicles"
        if self.origin == "hESC":
            return "hesc_derived"
        if self.origin == "hiPSC":
            return "hipsc_derived"
        if self.origin == "":
            return "other_stem"  # pluripotent-derived, the kind of line unstated: a stem-cell product all the same
        if self.head is None or self.head.entry.category is None:
            # "stem cell-derived dopaminergic neurons": the stem source gives the category
            src = next((m for m in self.mentions if m.entry.category and m.entry.role != "head"), None)
            return src.entry.category if src else None
        return self.head.entry.category

    @property
    def position(self) -> int:
        return (self.head or self.mentions[0]).start


_PAREN = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9-]{1,11}?)(?:s|'s|’s)?\s*\)")


def abbreviations(texts: list[str]) -> dict[str, Entry]:
    """Abbreviations a record defines for product words: "Mesenchymal Precursor Cells (MPCs)" → MPC → msc.

    Only defined ones count, because the same letters mean other things elsewhere (MPC, NPC, OPC, EPC, ASC …)."""
    out: dict[str, Entry] = {}
    for text in texts:
        for a in _PAREN.finditer(text):
            tok = a.group(1)
            if sum(c.isupper() for c in tok) < 2 or tok in out or lexicon.MASTER.fullmatch(tok):
                continue
            lo = max(0, a.start() - 90)
            last = None
            for m in lexicon.scan(text, lo, a.start()):
                last = m
            if last is None or text[last.end():a.start()].strip():
                continue  # the parenthesis must follow the product words directly
            words = re.findall(r"[A-Za-z]+", text[max(0, last.start() - 40):last.end()])[-6:]
            initial = tok.lstrip("h")[:1].lower() or tok[0].lower()
            if any(w[0].lower() == initial for w in words):
                out[tok] = lexicon.entry(last.lastgroup or "generic")
    return out


def _abbrev_rx(abbrevs: dict[str, Entry]) -> re.Pattern[str] | None:
    if not abbrevs:
        return None
    alts = "|".join(re.escape(a) for a in sorted(abbrevs, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9])(?:{alts})s?(?![a-z0-9])")


def mentions(text: str, abbrevs: dict[str, Entry] | None = None) -> list[Mention]:
    """Every product word of ``text`` (lexicon and record-defined abbreviations), with source/context flags."""
    found = [Mention(lexicon.entry(m.lastgroup or "generic"), m.start(), m.end(), m.group(0))
             for m in lexicon.scan(text)]
    rx = _abbrev_rx(abbrevs or {})
    if rx is not None:
        taken = [(f.start, f.end) for f in found]
        for m in rx.finditer(text):
            if not any(s < m.end() and m.start() < e for s, e in taken):
                tok = m.group(0).rstrip("s") if m.group(0).rstrip("s") in abbrevs else m.group(0)
                found.append(Mention(abbrevs[tok], m.start(), m.end(), m.group(0)))
        found.sort(key=lambda f: f.start)
    for i, f in enumerate(found):
        nxt = found[i + 1] if i + 1 < len(found) else None
        after = text[f.end:f.end + 30]
        glued = nxt is not None and nxt.start - f.end <= 1 and text[f.end:nxt.start] in ("-", "_", "")
        before = text[max(0, f.start - 80):f.start].split()[-6:]
        f.source = bool(_DERIVED_AFTER.match(after) or glued or _from_before(before))
        f.context = lexicon.context_before(before[-5:]) or bool(lexicon.CONTEXT_AFTER.match(after))
        if i and found[i - 1].entry.role == "ev" and _OF.match(text, found[i - 1].end, f.start):
            f.source = True  # "conditioned medium of umbilical cord MSCs": the cells produced the product
    return found


def _segments(text: str, ms: list[Mention]) -> list[tuple[int, int]]:
    cuts = [0]
    lo, hi = max(0, ms[0].start - 200), min(len(text), ms[-1].end + 200)  # boundaries far from any mention don't matter
    for b in _SPLIT.finditer(text, lo, hi):
        if not any(m.start < b.end() and b.start() < m.end for m in ms):
            cuts += [b.start(), b.end()]
    cuts.append(len(text))
    return [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]


def read(text: str, abbrevs: dict[str, Entry] | None = None, *, keep_context: bool = False) -> list[Found]:
    """The products ``text`` names, one per segment that has product words, in order (cached: a record's title is
    read several times, and the same intervention names recur across records)."""
    if not text:
        return []
    key = tuple(sorted((k, e.key) for k, e in (abbrevs or {}).items()))
    return list(_read(text, key, keep_context))


@lru_cache(maxsize=4096)
def _read(text: str, abbrev_key: tuple[tuple[str, str], ...], keep_context: bool) -> tuple[Found, ...]:
    abbrevs = {k: lexicon.entry(v) for k, v in abbrev_key}
    return tuple(_read_uncached(text, abbrevs, keep_context))


def _read_uncached(text: str, abbrevs: dict[str, Entry], keep_context: bool) -> list[Found]:
    ms = mentions(text, abbrevs)
    if not ms:
        return []
    out: list[Found] = []
    for s, e in _segments(text, ms):
        seg = [m for m in ms if s <= m.start < e and (keep_context or not m.context)]
        if not seg:
            continue
        origin = next((m.entry.origin for m in seg if m.entry.role == "origin"), None)
        heads = [m for m in seg if not m.source and m.entry.role != "origin"]
        head = heads[-1] if heads else None
        if head is None:
            non_origin = [m for m in seg if m.entry.role != "origin"]
            head = non_origin[-1] if non_origin and origin is None else None
        if head is not None and head.entry.role == "head" and origin is None:
            # a differentiated cell is a product only when derived from stem cells ("stem cell-derived dopaminergic
            # neurons"): a generic or tissue stem source in the segment makes it one, of unknown kind
            src = next((m for m in seg if m.source and m.entry.role in ("generic", "product")), None)
            if src is None and head.entry.category is None:
                head = None
                if not any(m.entry.role != "head" for m in seg):
                    out.append(Found(None, None, seg, text[s:e], s, "", extra={"head_only": "1"}))
                    continue
        first = min(m.start for m in seg)
        last = max(m.end for m in seg)
        tail = _DERIVED_AFTER.match(text[last:last + 30])
        end = last + (tail.end() if tail else 0)
        derived_words = ""
        if head is None:
            # "hESC-derived M cells (CAStem)": the product's own words follow "derived", up to the segment's end
            derived_words = re.split(r"[()\[\]]", text[end:e], maxsplit=1)[0].strip()
            end = min(e, end + len(derived_words) + 1)
        evidence = text[first:end].strip(" -_,;")
        if evidence.count("(") > evidence.count(")") and text[end:end + 1] == ")":
            evidence += ")"
        ev_source = next((m for m in seg if m.source and m.entry.role in ("product", "generic")), None)
        out.append(Found(head, origin, seg, text[s:e], s, evidence[:200], derived_words, ev_source))
    return out
