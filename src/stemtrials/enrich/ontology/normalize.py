"""Text normalization shared by the snapshot builder and the linker.

The builder stores every ontology name already normalized (so a process never re-normalizes 200k names at start-up),
and the linker normalizes condition texts with the same function. The two must agree exactly: change anything here and
bump :data:`NORMALIZER_VERSION`, then rebuild the snapshot (``scripts/build_ontology.py``); the loader refuses a
snapshot built with another version rather than silently matching nothing.

The rules are deliberately crude but *symmetric*: "diabetes" becoming "diabete" does no harm as long as both sides
become the same thing. What matters is that trivial differences vanish — case, punctuation, possessives, plurals,
British/American spelling, Greek letters, Roman numerals after "type"/"grade", letter–digit glue ("COVID19"), and
articles — but not the letter "A" of "Hemophilia A" or "Hepatitis A", which names a different disease.
"""

from __future__ import annotations

import re
import unicodedata

NORMALIZER_VERSION = "4"

_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "κ": "kappa", "λ": "lambda", "μ": "mu", "ε": "epsilon"}
_GREEK_RE = re.compile("|".join(_GREEK))
_POSSESSIVE = re.compile(r"(\w)['’`]s\b")
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")

_ARTICLES = frozenset({"the", "a", "an"})
# Dropped from the word-order-free key only: "carcinoma of the lung" ~ "lung carcinoma".
# ("a" is not weak: tokens() keeps it only as a letter designation, as in "hemophilia A".)
_WEAK = frozenset({"of", "in", "on", "for", "by", "to", "at", "from", "the", "an"})

_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8", "ix": "9",
          "x": "10"}
_ROMAN_AFTER = frozenset({"type", "grade", "stage", "class", "phase", "factor", "level", "group"})

# Whole-token spellings that the generic rules below don't reach.
_SPELLING = {
    "vs": "versus",
    "tumour": "tumor",
    "tumours": "tumors",
    "humour": "humor",
    "behaviour": "behavior",
    "behavioural": "behavioral",
    "colour": "color",
    "odour": "odor",
    "labour": "labor",
    "centre": "center",
    "fibre": "fiber",
    "fibres": "fibers",
    "litre": "liter",
    "oedema": "edema",
    "oestrogen": "estrogen",
    "diseases": "disease",
    "metastases": "metastasis",
    "sulphate": "sulfate",
}
# Plural-looking words that are singular (or whose stripping would merge unrelated words).
_KEEP_S = frozenset({"diabetes", "herpes", "rabies", "scabies", "caries", "species", "series", "mellitus", "aids",
                     "sars", "mers", "measles", "mumps", "rickets", "shingles", "lupus", "tetanus", "pancreas",
                     "psoriasis", "sepsis", "stenosis", "fibrosis", "arthritis", "syphilis", "crisis", "diagnosis",
                     "bronchiectasis", "hydrocephalus", "status", "virus", "corpus", "uterus", "thymus", "fetus",
                     "stimulus", "calculus", "hiatus", "locus", "nevus", "bacillus", "sinus", "plexus", "onus",
                     "hepatitis", "nephritis", "gas", "bias", "alias", "atlas", "canvas", "pelvis", "axis",
                     "various", "previous", "serious", "nervous", "infectious", "venous", "fibrous",
                     "cutaneous", "subcutaneous", "spontaneous", "autologous", "allogeneous", "heterozygous",
                     "homozygous", "mucous", "osseous", "edematous", "cancerous", "ulcerous", "analogous"})


def _spell(tok: str) -> str:
    """British → American and Latin-ish plural → singular, on one lower-case token."""
    if tok in _SPELLING:
        return _SPELLING[tok]
    if len(tok) > 4 and "ae" in tok[1:-1]:
        tok = tok[0] + tok[1:-1].replace("ae", "e") + tok[-1]  # anaemia, leukaemia, paediatric, ischaemic
    if len(tok) > 4 and "oe" in tok[1:-1]:
        tok = tok[0] + tok[1:-1].replace("oe", "e") + tok[-1]  # diarrhoea, coeliac, foetal, dyspnoea
    if tok.startswith(("oesoph", "oestr", "oedem")):
        tok = tok[1:]
    if len(tok) > 6 and tok.endswith(("ised", "ises", "ising", "isation", "isations")):
        tok = re.sub(r"is(ed|es|ing|ation|ations)$", r"iz\1", tok)  # hospitalised, generalised
    return _singular(tok)


def _singular(tok: str) -> str:
    if len(tok) < 5 or tok in _KEEP_S or not tok.isalpha():
        return tok
    if tok.endswith("ies"):
        return tok[:-3] + "y"  # injuries, ovaries, myopathies
    if tok.endswith("oses"):
        return tok[:-2] + "is"  # stenoses, thromboses
    if tok.endswith("ous") or tok.endswith(("ss", "us", "is", "ys", "as", "os")):
        return tok
    if tok.endswith("s"):
        return tok[:-1]  # neoplasms, fractures, ulcers, syndromes
    return tok


def cased_tokens(text: str) -> list[tuple[str, bool]]:
    """Normalized tokens, each with a flag telling whether its source word was written in capitals ("ALS", "aGVHD",
    "SSc"): acronym-like names may only match such words, so the English "all" never becomes ALL."""
    s = unicodedata.normalize("NFKD", text)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = _GREEK_RE.sub(lambda m: " " + _GREEK[m.group(0)] + " ", s)
    s = _POSSESSIVE.sub(r"\1", s)  # Crohn's → Crohn (the ontologies use both forms)
    s = _NON_ALNUM.sub(" ", s)
    out: list[tuple[str, bool]] = []
    words = s.split()
    for k, word in enumerate(words):
        upper = sum(c.isupper() for c in word)
        caps = upper >= 2 and upper >= sum(c.islower() for c in word)
        if k > 0 and (word == "A" or (word == "a" and k == len(words) - 1)):
            # A letter designation, not the article: "Hemophilia A", "Hepatitis A", "type A" (capital or last).
            out.append(("a", False))
            continue
        for raw in _LETTER_DIGIT.sub(" ", word.lower()).split():  # COVID19 → covid 19, T1DM → t 1 dm
            if raw in _ARTICLES:
                continue
            if raw in _ROMAN and out and out[-1][0] in _ROMAN_AFTER:
                out.append((_ROMAN[raw], caps))
                continue
            out.append((_spell(raw), caps))
    return out


def tokens(text: str) -> list[str]:
    """Normalized tokens of a text (see the module docstring)."""
    return [t for t, _ in cased_tokens(text)]


def normalize(text: str) -> str:
    """The normalized form used as a dictionary key: tokens joined by single spaces."""
    return " ".join(tokens(text))


def sorted_key(norm: str) -> str:
    """A word-order-free key of a normalized text: "knee osteoarthritis" ~ "osteoarthritis, knee" ~ "osteoarthritis
    of the knee". Weak words are dropped; duplicates kept once."""
    return " ".join(sorted({t for t in norm.split() if t not in _WEAK}))
