"""Route, dose, donor and source tissue of a cell product, read from its own words.

Route and dose are kept *as written* ("intrathecally", "1-2x106 MSCs per kilogram"): registries spell them in too
many ways to normalise without losing meaning ("x106" is 10⁶ with its superscript lost). Donor and tissue are
normalised: donor to the contract's two values, tissue to an Uberon name looked up in the snapshot by the caller.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .fastre import Alternation

_ROUTES = [
    r"intra-?venous(?:ly)?(?:\s+(?:infusions?|injections?|administration|drip|bolus))?",
    r"(?<![A-Za-z])i\.?v\.?(?![A-Za-z])(?:\s+(?:infusions?|injections?))?",
    r"intra-?thecal(?:ly)?(?:\s+(?:infusions?|injections?|administration))?",
    r"intra-?articular(?:ly)?(?:\s+(?:injections?|administration))?",
    r"intra-?myocardial(?:ly)?(?:\s+injections?)?", r"trans-?endocardial(?:ly)?(?:\s+injections?)?",
    r"endocardial(?:\s+injections?)?", r"epicardial(?:\s+(?:injections?|implantation))?",
    r"intra-?coronary(?:\s+(?:infusions?|injections?|administration))?",
    r"sub-?retinal(?:ly)?(?:\s+(?:injections?|implantation|transplantation))?", r"intra-?vitreal(?:ly)?",
    r"sub-?conjunctival(?:ly)?", r"sub-?cutaneous(?:ly)?(?:\s+injections?)?", r"(?<![A-Za-z])s\.?c\.?(?=\s+inject)",
    r"intra-?muscular(?:ly)?(?:\s+injections?)?", r"(?<![A-Za-z])i\.?m\.?(?=\s+inject)",
    r"intra-?dermal(?:ly)?(?:\s+injections?)?", r"intra-?cerebral(?:ly)?(?:\s+(?:injections?|implantation))?",
    r"intra-?putaminal(?:ly)?", r"intra-?striatal(?:ly)?", r"intra-?hippocampal(?:ly)?", r"stereotactic(?:ally)?",
    r"intra-?(?:cerebro)?ventricular(?:ly)?", r"intra-?spinal(?:ly)?", r"intra-?medullary",
    r"intra-?nasal(?:ly)?|nasal\s+(?:drops?|spray)", r"inhal(?:ed|ation)|nebuli[sz](?:ed|ation|er)|aerosoli[sz]ed",
    r"intra-?tracheal(?:ly)?|endo-?tracheal(?:ly)?", r"endo-?bronchial(?:ly)?|intra-?bronchial(?:ly)?",
    r"topical(?:ly)?", r"intra-?arterial(?:ly)?", r"intra-?portal(?:ly)?|(?:via\s+the\s+)?portal\s+vein",
    r"(?:via\s+the\s+)?hepatic\s+artery", r"intra-?hepatic(?:ally)?", r"intra-?splenic(?:ally)?",
    r"intra-?peritoneal(?:ly)?", r"intra-?pleural(?:ly)?", r"intra-?tumou?ral(?:ly)?", r"intra-?discal(?:ly)?",
    r"intra-?osseous(?:ly)?|intra-?osseus", r"intra-?uterine", r"intra-?ovarian", r"intra-?cavernous(?:al)?",
    r"intra-?cavernosal", r"intra-?vesical", r"peri-?anal|intra-?fistul(?:ar|ous)", r"intra-?lesional(?:ly)?",
    r"intra-?renal", r"intra-?pancrea\w*", r"peri-?tendinous|intra-?tendinous", r"intra-?cameral",
    r"intra-?corneal|corneal\s+(?:transplantation|implantation)", r"endoscopic(?:ally)?\s+(?:injections?|delivery)",
]
ROUTE = Alternation([(f"r{i}", r"\b(?:" + p + ")") for i, p in enumerate(_ROUTES)], re.IGNORECASE)

_NUM = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:[.,]\d+)?)"
_RANGE = r"(?:\s*(?:-|–|to)\s*" + _NUM + r")?"
# 1×10^6, 1 x 10(6), 2.0*10^7, 1x10e6, 10^6 — and 1-2x106, a superscript lost in copying (exponents 5–12 only)
_POW = (r"(?:" + _NUM + _RANGE + r"\s*(?:[x×X*]|times)\s*)?10\s*(?:\^|\*\*|[eE]|[\(\[{])\s*[-−]?\d{1,2}"
        r"(?:\s*[\)\]}])?")
_POW_GLUED = _NUM + _RANGE + r"\s*[x×X*]\s*10(?:[5-9]|1[0-2])(?!\d)"
_POW_SUP = r"(?:" + _NUM + _RANGE + r"\s*[x×X*]\s*)?10[⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2}"  # 3.0 × 10⁶
_MULT = _NUM + r"\s*[x×]\s*" + _NUM  # 1x1,000,000
_E = _NUM + r"\s*[eE]\s*\+?\d{1,2}(?![\d.])"  # 1e6
_SCI = r"(?:" + "|".join((_POW_SUP, _POW_GLUED, _POW, _MULT, _E)) + ")"
_WORDS = _NUM + _RANGE + r"\s*(?:(?i:million|billion|mill?\.?|mln)|M(?=\s))"
_AMOUNT = r"(?:" + _SCI + r"(?:\s*(?:-|–|to)\s*" + _SCI + r")?|" + _WORDS + r")"
_WHAT = (r"(?:\s*(?:(?i:viable|total|nucleated|live|living|CD34\+?|allogeneic|autologous|human|expanded|cultured|"
         r"mononuclear)\s+|[A-Za-z]*-?MSCs?\s+){0,3}(?:(?i:cells?|particles|vesicles|exosomes|cfu|tnc)|[A-Za-z]*-?MSCs?|"
         r"MPCs?|EVs|MNCs?)\b)?")
_PER = (r"(?:\s*(?:/|(?i:per))\s*(?i:kg(?:\s+(?:of\s+)?body\s*weight)?|kilograms?(?:\s+(?:of\s+)?body\s*weight)?|bw|"
        r"m2|m²|eye|dose|injection|infusion|knee|joint|ml|site|patient|lesion|cm2|cm²|ulcer|wound|point|disc|side)\b)?")
DOSE = Alternation([("dose", r"(?<![\w.])" + _AMOUNT + _WHAT + _PER)])
_HAS_UNIT = re.compile(r"(?i)cell|msc|mpc|particle|vesicle|evs|exosome|cfu|tnc|mnc|/|per\b")
_SCALE = re.compile(r"(?i)10\s*(?:\^|e|\()|[x×*]\s*10|million|billion|mill|M$")
_OTHER_UNIT = re.compile(r"(?i)^\s*(?:units?\b|iu\b|u\b|copies|vg\b|genomes?|mg\b|µg|ug\b|mcg|g\b|ml\b|pfu|tcid|"
                         r"years?|patients|people|participants|dollars|\$|euros?)")

_AUTO = re.compile(r"(?i)\b(?:autologous|autologus|autogenous|autogeneic|autograft\w*|auto-(?=[A-Za-z])|"
                   r"patient'?s?['’]?\s+own|own\s+(?:bone\s+marrow|cells|fat|adipose|blood|stem)|"
                   r"from\s+the\s+(?:same\s+)?patient)")
_ALLO = re.compile(r"(?i)\b(?:allogene?ic|allogenetic|allogenous|allograft\w*|allo-(?=[A-Za-z])|donor[\s-]+derived|"
                   r"(?:healthy|unrelated|related|third[\s-]party|sibling|haplo-?identical)\s+donors?|"
                   r"haplo-?identical|off[\s-]the[\s-]shelf|third[\s-]party|universal\s+donor|"
                   r"from\s+(?:a\s+|healthy\s+)?donors?)")

# Source tissue words → Uberon names (the caller looks them up in the snapshot). Fetal/embryonic tissue maps to the
# Uberon "embryo" (the organism before birth); a pluripotent line is not a tissue and gets none.
_TISSUES: list[tuple[str, str]] = [  # words case-insensitive (?i:…), abbreviations case-sensitive
    (r"(?i:wharton['’´`]?s?[\s-]+jelly)|\bWJ(?=[\s-]*(?:MSC|derived|-))", "Wharton's jelly"),
    (r"(?i:(?:umbilical[\s-]+)?cord[\s-]+blood)|\bh?UCB(?=[\s-]*(?:MSC|MNC|derived|-))|\bCB(?=-MSC)",
     "umbilical cord blood"),
    (r"(?i:umbilical[\s-]+cord|cord[\s-]+(?:tissue|lining))|\bh?UC(?=[\s-]*(?:MSC|derived|-))|\bhUC\b",
     "umbilical cord"),
    (r"(?i:bone[\s-]+marrow)|\bBM(?=[\s-]*(?:MSC|MNC|derived|-))|\bBMSCs?\b|\bhBM", "bone marrow"),
    (r"(?i:adipose|lipoaspirat\w*|\bfat\b|stromal\s+vascular)|\bAD(?=-?MSC)|\bAT(?=-?MSC)|\bad(?=MSC)|\bSVF\b",
     "adipose tissue"),
    (r"(?i:placenta\w*)|\bPL(?=-?MSC)|\bP-MSC", "placenta"), (r"(?i:dental[\s-]+pulp)|\bDPSC", "dental pulp"),
    (r"(?i:exfoliated\s+deciduous|deciduous\s+teeth)|\bSHED\b", "deciduous tooth"),
    (r"(?i:menstrual(?:[\s-]+blood)?)|\bMenSC", "menstrual fluid"),
    (r"(?i:amniotic[\s-]+fluid)", "amniotic fluid"), (r"(?i:amnio(?:n|tic)(?:[\s-]+membrane)?)", "amnion"),
    (r"(?i:decidua\w*)", "decidua"), (r"(?i:chorion\w*)", "chorion"), (r"(?i:endometri\w*)", "endometrium"),
    (r"(?i:synovi\w*)", "synovium"), (r"(?i:periodontal\s+ligament)", "periodontal ligament"),
    (r"(?i:gingiva\w*)", "gingiva"), (r"(?i:peripheral[\s-]+blood)|\bPB(?=[\s-]*(?:MNC|SC|derived))", "blood"),
    (r"(?i:skeletal\s+muscle|muscle[\s-]+derived)", "skeletal muscle tissue"),
    (r"(?i:olfactory\s+mucosa)", "olfactory mucosa"), (r"(?i:limbal|limbus)", "corneal limbus"),
    (r"(?i:urine[\s-]+derived|urine)", "urine"),
    (r"(?i:f(?:o)?etal(?!\s+(?:bovine|calf|hemoglobin|haemoglobin))|fetus|foetus)|\bcfMSC", "embryo"),
]
_TISSUE = Alternation([(f"t{i}", p) for i, (p, _) in enumerate(_TISSUES)])


# Every route pattern contains one of these: texts without any skip the scan (most sentences name no route).
_ROUTE_KEYS = ("intra", "venous", "subcut", "sub-cut", "subret", "sub-ret", "subconj", "sub-conj", "transendo",
               "trans-endo", "endocard", "epicard", "endobron", "endo-bron", "endotrach", "endo-trach", "endoscop",
               "i.v", " iv", "(iv", "iv ", "iv,", "iv.", "s.c", "i.m", "stereotac", "nasal", "inhal", "nebuli",
               "aerosol", "topical", "portal", "hepatic art", "perianal", "peri-anal", "peritend", "peri-tend",
               "corneal", "thecal", "striatal", "putamin", "hippocamp", "ventricular", "spinal", "medullary",
               "vitreal", "myocard", "coronary", "articular", "muscular", "dermal", "cerebral", "tracheal",
               "bronchial", "arterial", "splenic", "peritoneal", "pleural", "tumoral", "discal", "osseous", "osseus",
               "uterine", "ovarian", "cavern", "vesical", "fistul", "lesional", "renal", "pancrea", "cameral")


@lru_cache(maxsize=8192)
def routes(text: str) -> str | None:
    """The route words of ``text`` as written, distinct ones joined by "; " (first three)."""
    low = text.lower()
    if not any(k in low for k in _ROUTE_KEYS):
        return None
    out: list[str] = []
    for m in ROUTE.scan(text):
        w = m.group(0).strip()
        if w.lower() not in {o.lower() for o in out}:
            out.append(w)
    return "; ".join(out[:3]) or None


@lru_cache(maxsize=8192)
def doses(text: str) -> str | None:
    """The cell doses of ``text`` as written ("1×10^6 cells/kg"), distinct ones joined by "; " (first three)."""
    out: list[str] = []
    for m in DOSE.scan(text):
        d = m.group(0).strip(" ,;")
        if not _HAS_UNIT.search(d) and (_OTHER_UNIT.match(text[m.end():]) or not _SCALE.search(d)):
            continue  # "5 million units of IL-2", "20 years": not a cell dose
        if d not in out:
            out.append(d)
    return "; ".join(out[:3]) or None


def donor(text: str) -> str | None:
    """ "autologous" / "allogeneic" when the text says one of them (not both), else None."""
    auto, allo = _AUTO.search(text), _ALLO.search(text)
    if auto and not allo:
        return "autologous"
    if allo and not auto:
        return "allogeneic"
    return None


def donor_near(text: str, pos: int) -> str | None:
    """The donor word closest before ``pos`` (a product mention) in ``text``; after it when none precedes."""
    best: tuple[int, str] | None = None
    for rx, value in ((_AUTO, "autologous"), (_ALLO, "allogeneic")):
        for m in rx.finditer(text):
            dist = pos - m.end() if m.end() <= pos else 1000 + m.start() - pos
            if best is None or dist < best[0]:
                best = (dist, value)
    return best[1] if best and best[0] < 1080 else None


@lru_cache(maxsize=8192)
def tissue(text: str) -> str | None:
    """The Uberon name of the first source-tissue word in ``text``, or None."""
    m = _TISSUE.search(text)
    return _TISSUES[int(m.lastgroup[1:])][1] if m and m.lastgroup else None
