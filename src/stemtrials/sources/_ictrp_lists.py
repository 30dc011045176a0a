"""List-valued ICTRP cells: conditions, interventions (and the arms ChiCTR writes into them), outcomes, countries,
eligibility criteria. Each registry joins its lists its own way; see the examples in each docstring."""

from __future__ import annotations

import re

from .. import vocab
from ..model import Arm, Intervention, Outcome
from ._ictrp_parse import is_junk, items, line, normalize, text
from .ctgov_legacy_xml import unwrap_items

# ---------------------------------------------------------------- conditions
_MEDDRA = re.compile(r"MedDRA version:.*?(?=MedDRA version:|;|$)", re.S | re.I)
_MEDDRA_TERM = re.compile(r"Term:\s*(.+?)\s*(?=System Organ Class|Level:|Classification code|\n|$)", re.S | re.I)


def _meddra_term(block: re.Match[str]) -> str:
    m = _MEDDRA_TERM.search(block[0])
    return f"\n{m[1]}\n" if m else "\n"


def conditions(raw: object) -> list[str]:
    """';'/<br>-joined conditions, duplicates dropped: 'Peripheral Arterial Disease; <br>Peripheral Arterial
    Disease;Cardiovascular - …'. EU-CTR's MedDRA blocks ('MedDRA version: 21.1 Level: LLT Classification code …
    Term: Solid tumor System Organ Class: …') give their Term; CTRI's run-together 'Health Condition 1: Q214- …Health
    Condition 2: …' is split on its labels."""
    s = text(raw)
    if s is None:
        return []
    s = _MEDDRA.sub(_meddra_term, s)
    s = re.sub(r"Health Condition \d+\s*:\s*", "\n", s, flags=re.I)
    # EU-CTR's "Therapeutic area: Diseases [C] - Cancer [C04]" is a MeSH branch, not the condition studied.
    found = [v for v in (re.sub(r"[\s.]+$", "", x) for x in items(s))
             if v and not is_junk(v) and not v.lower().startswith("therapeutic area:")]
    return _unique(found)  # "COVID-19. <br>COVID-19": once


def _unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    return [v for v in values if not (v.lower() in seen or seen.add(v.lower()))]


# ---------------------------------------------------------------- interventions
_EU_PRODUCT = re.compile(r"^(Trade Name|Product Name|Product Code|Pharmaceutical Form|INN or Proposed INN|"
                         r"Other descriptive name|Current Sponsor code|CAS Number)\s*:\s*(.*)$", re.I | re.M)
_NAME_LABELS = ("product name", "trade name", "inn or proposed inn", "other descriptive name", "product code")


def _eu_products(s: str) -> list[Intervention]:
    """EU-CTR's product blocks ('Trade Name: …<br>Product Name: …<br>Pharmaceutical Form: …<br><br>…')."""
    blocks: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for raw_line in s.split("\n"):
        m = _EU_PRODUCT.match(raw_line.strip())
        if not raw_line.strip():
            if current:
                blocks.append(current)
            current = {}
        elif m and m[2].strip():
            label = m[1].lower()
            if label in current:  # the same label again: a new product without a blank line between
                blocks.append(current)
                current = {}
            current[label] = m[2].strip()
    if current:
        blocks.append(current)
    out: list[Intervention] = []
    for b in blocks:
        names = [b[k] for k in _NAME_LABELS if b.get(k)]
        if not names:
            continue
        others = [n for n in dict.fromkeys(names[1:]) if n.lower() != names[0].lower()]
        form = b.get("pharmaceutical form")
        item = Intervention(type="drug", name=names[0], description=f"Pharmaceutical Form: {form}" if form else None,
                            other_names=others)
        if item not in out:
            out.append(item)
    return out


_NUMBERED_ARM = re.compile(r"\s*(?<!Control )(?=\b(?:Control\s+)?Intervention\s*\d+\s*:)", re.I)


def _pieces(s: str) -> list[str]:
    """The items of an intervention cell: ';'-separated when it has ';'; IRCT/DRKS/CTRI's run-on 'Intervention 1: …
    Intervention 2: …' at those labels; otherwise one item per line when the lines read as a list (short, no line
    introducing others with ':'); otherwise the whole text is one description."""
    if len(re.findall(r"\bIntervention\s*\d+\s*:", s, re.I)) >= 2:
        return [p for p in (vocab.clean(x) for x in _NUMBERED_ARM.split(s)) if p and not is_junk(p)]
    if ";" in s:
        return [p for p in (vocab.clean(x) for x in s.split(";")) if p and not is_junk(p)]
    lines = [x.strip() for x in s.split("\n") if x.strip()]
    if 1 < len(lines) <= 12 and all(len(x) <= 200 and not x.endswith(":") for x in lines):
        return [x for x in lines if not is_junk(x)]
    return [] if is_junk(s) else [s]


def interventions(raw: object) -> tuple[list[Intervention], list[Arm]]:
    """Interventions, and the arms some registries write into the same cell.

    CT.gov: 'Drug: Hydroxychloroquine;Drug: Placebo' (typed). ChiCTR: 'Experimental group:Hydroxychloroquine;Control
    group:Lopinavir /Ritonavir;' — arm label, then what the arm receives ('Case series:Nil;' is an arm without one).
    EU-CTR: product blocks. Others (ANZCTR, ISRCTN …): free text, kept whole."""
    s = text(raw)
    if s is None:
        return [], []
    if _EU_PRODUCT.search(s):
        return _eu_products(s), []
    found: list[Intervention] = []
    arms: list[Arm] = []
    pieces = _pieces(s)
    listed = len(pieces) > 1 or s.rstrip().endswith(";")  # "label:value" pairs only in a list, not in prose
    for piece in pieces:
        kind, name = vocab.split_typed_name(piece)
        m = re.fullmatch(r"([^:\n]{1,80}?)\s*[:：]\s*(.+)", piece, flags=re.S)
        if (kind is None and m and listed and len(m[1].split()) <= 10 and not re.fullmatch(r"[\d\s.]+", m[1])
                and not m[2].startswith("//")):
            value = m[2].strip()
            label = vocab.clean(m[1]) or m[1]
            arms.append(Arm(label=label, description=None if is_junk(value) else value,
                            interventions=[] if is_junk(value) else [value]))
            if is_junk(value):
                continue
            name = value
        if vocab.kind_value(name) in {"drug", "device", "biological", "procedure", "other"}:
            continue  # a bare type word (ReBEC's '…;Drug;Hydroxychloroquine')
        item = Intervention(type=kind, name=name)
        if all(i.name.lower() != name.lower() for i in found):
            found.append(item)
    return found, arms


# ---------------------------------------------------------------- outcomes
_EU_LABEL = (r"Main Objective|Secondary Objective|Primary end point\(s\)|Secondary end point\(s\)|"
             r"Timepoint\(s\) of evaluation of this end point")
_EU_SECTION = re.compile(rf"({_EU_LABEL})\s*:\s*(.*?)\s*(?=;\s*(?:{_EU_LABEL})\s*:|$)", re.S | re.I)
_BRACKETED = re.compile(r"(.*?)\s*\[\s*(?:time\s*frame\s*:?\s*)?(.*?)\s*\]\s*", re.S | re.I)
_TIMEPOINT = re.compile(r"(.*?)\.?\s*Time\s*point\s*:\s*(.*?)(?:\.?\s*Method of measurement\s*:\s*(.*))?", re.S | re.I)


def _outcome(piece: str, time_frame: str | None = None) -> Outcome | None:
    measure, description = piece, None
    m = _BRACKETED.fullmatch(piece)  # ANZCTR/TCTR "measure [time frame]"
    if m and m[1].strip():
        measure, time_frame = m[1], m[2] or time_frame
    else:
        m = _TIMEPOINT.fullmatch(piece)  # IRCT/CTRI "measure. Timepoint: …. Method of measurement: …"
        if m and m[1].strip():
            measure, time_frame, description = m[1], m[2], m[3]
    measure = re.sub(r"^\s*(?:\d{1,2}[.)]|[-•·*])\s*", "", measure)
    clean = line(measure)
    if clean is None or is_junk(clean):
        return None
    return Outcome(measure=clean, time_frame=line(time_frame), description=line(description))


def outcomes(raw: object) -> list[Outcome]:
    """';'/<br>-separated outcomes. A '[time frame]' on the next line belongs to the measure above it. EU-CTR writes
    labelled sections: the end points are the measures, their 'Timepoint(s) of evaluation' the time frame; the
    objectives are not outcomes."""
    s = text(raw)
    if s is None:
        return []
    sections = {k.lower(): v for k, v in _EU_SECTION.findall(s)}
    timeframe = None
    if any("end point(s)" in k for k in sections):
        timeframe = sections.get("timepoint(s) of evaluation of this end point")
        s = "\n".join(v for k, v in sections.items() if "end point(s)" in k)
    s = re.sub(r"\n+\s*(?=\[)", " ", s)  # "Mortality<br>[At hospital discharge …]"
    out: list[Outcome] = []
    for piece in re.split(r"[;\n]", s):
        o = _outcome(piece, timeframe) if piece.strip() else None
        if o and o not in out:
            out.append(o)
    return out


# ---------------------------------------------------------------- countries
_COUNTRY_ALIASES = {
    # Spelled as ClinicalTrials.gov spells them, so country facets agree across sources.
    "the netherlands": "Netherlands", "iran (islamic republic of)": "Iran, Islamic Republic of",
    "united states of america": "United States", "usa": "United States", "republic of korea": "Korea, Republic of",
    "korea, republic of": "Korea, Republic of", "south korea": "Korea, Republic of", "uk": "United Kingdom",
    "taiwan, province of china": "Taiwan", "viet nam": "Vietnam", "chian": "China", "chinese": "China",
    "russia": "Russian Federation", "the united kingdom": "United Kingdom",
}


def countries(raw: object) -> list[str]:
    """';'-joined countries, deduplicated ('United States;Korea, Republic of;United States'); "China?" → China."""
    out: list[str] = []
    for item in items(raw, seps=";\n"):
        name = item.strip(" ?.!*")
        if not re.search(r"[A-Za-z]", name) or is_junk(name):
            continue
        name = _COUNTRY_ALIASES.get(name.lower(), name.title() if name.islower() else name)
        if name not in out:
            out.append(name)
    return out


# ---------------------------------------------------------------- eligibility
def _criteria_items(values: list[str]) -> list[str]:
    return [v for v in (re.sub(r"[\s;]+$", "", x) for x in values) if v and not is_junk(v)]


def criteria(inclusion: object, exclusion: object) -> tuple[list[str], list[str], str | None]:
    """ICTRP's separate inclusion and exclusion cells → (inclusion items, exclusion items, text with headings).
    CT.gov records put the whole criteria text, both headings included, in the inclusion cell; an exclusion cell
    without a heading is exclusion criteria all the same."""
    inc_text, exc_text = text(inclusion), text(exclusion)
    # Items are split on the text as given: its indentation tells wrapped lines from new items.
    inc, exc = vocab.split_criteria(unwrap_items(normalize(inclusion))) if inc_text else ([], [])
    if exc_text:
        first, second = vocab.split_criteria(unwrap_items(normalize(exclusion)))
        exc = exc + first + second
    parts = []
    for heading, body in (("Inclusion criteria", inc_text), ("Exclusion criteria", exc_text)):
        if body:
            parts.append(body if re.match(r"\s*(?:in|ex)clusion criteri", body, re.I) else f"{heading}:\n{body}")
    return _criteria_items(inc), _criteria_items(exc), "\n\n".join(parts) or None
