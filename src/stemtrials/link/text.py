"""Text normalisation for linking: titles, sponsors, people, countries.

Registries spell the same trial differently: ICTRP upper-cases, ChiCTR writes "COVID-19" or "novel coronavirus
pneumonia", CT.gov brief titles drop the design words its official titles carry. Comparisons therefore run on
normalised text — lower case, no accents or punctuation, design boilerplate and stop words removed — and on token
sets, so word order and small additions matter less than the words that name the trial's subject.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that say nothing about which trial this is: English stop words and the design vocabulary every registry
# repeats ("a randomized, double-blind, placebo-controlled phase II study of the safety and efficacy of …").
_STOP = _words(
    """a an the of in on for with and or to by at from as into versus vs via than its their this that these those
    be is are was were being been who which whose what when where how not no without within among after before
    during under over between against per other others all any each both only
    study studies trial trials clinical clinic research investigation investigational evaluate evaluating evaluation
    evaluated assess assessing assessment investigate investigating compare comparing comparison comparative
    efficacy effectiveness effective effect effects safety safe tolerability tolerance feasibility pilot exploratory
    preliminary observational interventional prospective retrospective randomized randomised randomly random
    controlled control uncontrolled double single triple blind blinded masked open label labeled multicenter
    multicentre multi center centre centered national international parallel group groups arm arms crossover
    placebo phase stage part period i ii iii iv ia ib iia iib 1 2 3 4 1a 1b 2a 2b
    patient patients subject subjects participant participants people person adult adults volunteer volunteers
    healthy treat treating treated treatment therapy therapeutic therapies use using used based potential novel new
    possible proof concept early late long term short follow up extension registry cohort
    dose doses dosing escalation ranging administration administered"""
)

# Words that describe a cell product rather than a trial: two trials of the same product share them, so they must
# not count as title agreement (see probabilistic.guard). Product names of the records themselves are added per pair.
PRODUCT_WORDS = _words(
    """stem cell cells derived derivative mesenchymal stromal embryonic pluripotent induced ipsc ipscs hesc hescs
    esc escs msc mscs hmsc hmscs ucmsc ucmscs bmmsc adscs adsc progenitor precursor autologous allogeneic allogenic
    umbilical cord wharton jelly bone marrow adipose tissue placenta placental amniotic human exosome exosomes
    extracellular vesicle vesicles secretome conditioned medium infusion injection transplantation transplant
    transplanted intravenous intravenously intrathecal intramuscular product products"""
)

_LEGAL = _words(
    """inc incorporated ltd limited llc llp plc co corp corporation company gmbh ag sa sas srl spa bv nv kk
    oy ab as pty pte lp the"""
)

_COUNTRY_ALIASES = {
    "korea republic of": "south korea",
    "republic of korea": "south korea",
    "korea": "south korea",
    "iran islamic republic of": "iran",
    "iran (islamic republic of)": "iran",
    "russian federation": "russia",
    "united states of america": "united states",
    "usa": "united states",
    "us": "united states",
    "uk": "united kingdom",
    "great britain": "united kingdom",
    "england": "united kingdom",
    "scotland": "united kingdom",
    "wales": "united kingdom",
    "northern ireland": "united kingdom",
    "taiwan province of china": "taiwan",
    "hong kong sar": "hong kong",
    "viet nam": "vietnam",
    "czechia": "czech republic",
    "turkiye": "turkey",
    "the netherlands": "netherlands",
    "holland": "netherlands",
    "peoples republic of china": "china",
    "p r china": "china",
    "pr china": "china",
}

_HONORIFIC = re.compile(
    r"\b(dr|prof|professor|doctor|mr|mrs|ms|md|phd|msc|mph|mbbs|frcp|rn|bsc|ma|mba|dphil|facc|facs|pharmd|do)\b\.?",
    re.IGNORECASE,
)


_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


@lru_cache(maxsize=262144)
def fold(text: str | None) -> str:
    """Lower case, accents removed, every run of non-alphanumerics one space; letter-digit hyphens joined
    ("COVID-19" → "covid19") so registries' spellings of the same code agree."""
    if not text:
        return ""
    s = text if text.isascii() else _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    s = s.lower()
    s = re.sub(r"(?<=[a-z])[-‐–](?=\d)", "", s)
    s = re.sub(r"[^0-9a-z]+", " ", s)
    return s.strip()


def _stem(token: str) -> str:
    # Plural "s" only (not virus, fibrosis): enough for cells/cell, patients/patient; a real stemmer would merge
    # words it should not.
    if len(token) > 4 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


# One disease, many names: titles of one COVID-19 trial say "novel coronavirus pneumonia (NCP)" in ChiCTR and
# "Corona Virus Disease 2019" or "SARS-CoV-2 infection" on CT.gov. One token for all keeps them from counting as
# disagreement (and the token, in every COVID-19 title, then weighs next to nothing).
_SYNONYMS = [
    (re.compile(r"\b(?:novel )?corona ?virus (?:disease )?(?:2019|19)\b|\bcovid ?(?:2019|19)\b"), " covid19 "),
    (re.compile(r"\bsars ?cov ?2\b|\b(?:2019 )?n ?cov(?: ?2019)?\b|\bncp\b"), " covid19 "),
    (re.compile(r"\bnovel corona ?virus(?: pneumonia| infection| disease)?\b"), " covid19 "),
]


# "Phase I/II", "phase 1-2", "PHASE II": one token per phase ("phase1 phase2"), so a phase I and a phase II trial
# of one vaccine differ, and "I" and "1" agree.
_PHASE = re.compile(r"\bphase((?: (?:iv|iii|ii|i|[1-4])[ab]?\b)+)")
_NUMERAL = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}


def _phase_tokens(m: re.Match[str]) -> str:
    return " ".join("phase" + _NUMERAL.get(n.rstrip("ab"), n.rstrip("ab")) for n in m.group(1).split())


@lru_cache(maxsize=262144)
def title_tokens(text: str | None) -> tuple[str, ...]:
    """The content tokens of a title: folded, stop words and design boilerplate removed, plurals stripped."""
    folded = fold(text)
    if "cov" in folded or "corona" in folded or "ncp" in folded:
        for pattern, repl in _SYNONYMS:
            folded = pattern.sub(repl, folded)
    if "phase" in folded:
        folded = _PHASE.sub(_phase_tokens, folded)
    out: list[str] = []
    for tok in folded.split():
        if tok in _STOP:
            continue
        tok = _stem(tok)
        if tok not in _STOP and tok not in out:
            out.append(tok)
    return tuple(out)


_FUNCTION_WORDS = _words("a an the of in on for with and or to by at from as into its their this that is are vs versus")


@lru_cache(maxsize=131072)
def title_norm(text: str | None) -> str | None:
    """The title as one string for exact and Jaro-Winkler comparison: folded, function words and plurals dropped,
    but the design words kept — stripped of them, short titles collapse onto each other ("Convalescent plasma for
    COVID-19 patients: a pilot study" and "Convalescent plasma therapy for COVID-19" would both read "convalescent
    plasma covid19")."""
    toks = [_stem(t) for t in fold(text).split() if t not in _FUNCTION_WORDS]
    return " ".join(toks) if toks else None


def product_tokens(names: list[str]) -> frozenset[str]:
    """Tokens naming a record's products (intervention and cell product names, short ones only: a long
    "intervention" cell is a dose description, not a name)."""
    out: set[str] = set()
    for name in names:
        toks = title_tokens(name)
        if 0 < len(toks) <= 4:
            out.update(toks)
    return frozenset(out)


@lru_cache(maxsize=131072)
def sponsor_norm(name: str | None) -> str | None:
    """A sponsor name folded, legal-form words and parenthesised asides dropped."""
    if not name:
        return None
    s = re.sub(r"\([^)]*\)", " ", name)
    s = re.sub(r"(?<=\w)['’](?=\w)", "", s)  # "You'an" and "YouAn" are one name
    toks = [t for t in fold(s).split() if t not in _LEGAL]
    return " ".join(toks) or None


_GENERIC_ORG = _words(
    """university universidad universidade universita universite universitat hospital hospitals hopital hospitalier
    ospedale medical medicine medicina center centre centro college school faculty institute instituto institut
    istituto research health healthcare foundation fundacion fundacao fondazione clinical clinic clinics sciences
    science department national general people first second third affiliated central municipal provincial city
    de la del di des du der und y e et and of the for group association society trust nhs care services"""
)


@lru_cache(maxsize=131072)
def sponsor_tokens(name: str | None) -> tuple[str, ...]:
    """The distinctive words of an organisation's name ("Fundación Jiménez Díaz" → jimenez, diaz): what two
    spellings of one sponsor share, and two hospitals of one city do not."""
    norm = sponsor_norm(name)
    return tuple(sorted({t for t in (norm or "").split() if t not in _GENERIC_ORG and len(t) >= 2}))


@lru_cache(maxsize=131072)
def country_norm(name: str | None) -> str | None:
    if not name:
        return None
    s = fold(name.replace("(", " ").replace(")", " "))
    return _COUNTRY_ALIASES.get(s, s) or None


@lru_cache(maxsize=131072)
def person_key(name: str | None, first: str | None = None, last: str | None = None) -> str | None:
    """An order-free key for a person's name ("Zhang Dingyu" and "Dingyu Zhang" agree): the name's words of two or
    more letters, honorifics and degrees removed, sorted."""
    raw = " ".join(p for p in (first, last) if p) or name or ""
    raw = _HONORIFIC.sub(" ", raw)
    toks = sorted(t for t in fold(raw).split() if len(t) >= 2)
    return " ".join(toks) if len(toks) >= 2 else None


@lru_cache(maxsize=131072)
def email_norm(email: str | None) -> str | None:
    if not email:
        return None
    m = re.search(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", email)
    return m.group(0).lower() if m else None
