"""Registry wording → the contract's vocabulary.

Each registry spells the same fact its own way ("Enrolling by invitation", "ENROLLING_BY_INVITATION",
"Anticipated", "Phase 1/Phase 2", "6 Months", "N/A" …). Importers call these functions so that a value means the same
thing whatever file it came from. All functions are total: unrecognised input gives ``None`` (or ``"other"`` where the
contract has it), never an exception.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

from .model import DateInfo, DateType, Phase, Sex, Status, StudyType

_NA = {"", "n/a", "na", "none", "null", "not applicable", "not specified", "not stated", "-", "nil", "unknown"}


# Control characters other than whitespace mean nothing in registry text, and PostgreSQL refuses NUL in text
# columns: a stray one would cost the whole record there (and only there).
_CONTROL = dict.fromkeys([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])


def clean(text: object) -> str | None:
    """Strip and collapse whitespace, drop control characters; empty → None."""
    if text is None:
        return None
    s = re.sub(r"[ \t\r\f\v\u00a0]+", " ", str(text).translate(_CONTROL)).strip()
    s = re.sub(r" *\n *", "\n", s)
    return s or None


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


# ---------------------------------------------------------------- status
_STATUS: dict[str, Status] = {
    "not_yet_recruiting": "not_yet_recruiting",
    "recruiting": "recruiting",
    "enrolling_by_invitation": "enrolling_by_invitation",
    "active_not_recruiting": "active_not_recruiting",
    "active": "active_not_recruiting",
    "ongoing": "active_not_recruiting",
    "suspended": "suspended",
    "temporarily_not_available": "suspended",
    "terminated": "terminated",
    "stopped": "terminated",
    "completed": "completed",
    "complete": "completed",
    "withdrawn": "withdrawn",
    "withdrawn_prior_to_recruitment": "withdrawn",
    "cancelled": "withdrawn",
    "unknown": "unknown",
    "unknown_status": "unknown",
    "not_recruiting": "active_not_recruiting",
    "authorised_recruitment_may_be_ongoing_or_finished": "other",
    "available": "other",
    "no_longer_available": "other",
    "approved_for_marketing": "other",
    "withheld": "other",
}


def status(text: str | None) -> Status | None:
    """Map a registry's recruitment status text onto the contract's enum."""
    s = clean(text)
    if s is None:
        return None
    k = _key(s)
    if k.startswith("recruitment_status_"):
        k = k[len("recruitment_status_") :]
    return _STATUS.get(k, "other")


# ---------------------------------------------------------------- phases
_PHASE_WORD = {
    "0": "early_phase1",
    "early1": "early_phase1",
    "earlyphase1": "early_phase1",
    "1": "phase1",
    "i": "phase1",
    "2": "phase2",
    "ii": "phase2",
    "3": "phase3",
    "iii": "phase3",
    "4": "phase4",
    "iv": "phase4",
}


def phases(text: str | list[str] | None) -> list[Phase]:
    """'Phase 1/Phase 2', 'PHASE1', ['PHASE1', 'PHASE2'], 'Early Phase 1', 'N/A', 'Phase 2/3' → ordered phase list."""
    if text is None:
        return []
    items = text if isinstance(text, list) else [text]
    found: list[Phase] = []

    def add(p: Phase) -> None:
        if p not in found:
            found.append(p)

    for item in items:
        s = clean(item)
        if s is None:
            continue
        low = s.lower().replace("_", " ")
        if low in {"n/a", "na", "not applicable", "not_applicable"}:
            add("not_applicable")
            continue
        compact = re.sub(r"[\s\-]+", "", low)
        if compact.startswith("earlyphase1") or compact == "earlyphasei" or compact == "phase0":
            add("early_phase1")
            continue
        # Pull out every phase number: "Phase 1/Phase 2", "Phase 2/3", "phase2 phase3", "I/II".
        body = re.sub(r"phase", " ", low)
        tokens = re.findall(r"\b(iv|iii|ii|i|[0-4])\b", body)
        if tokens:
            for t in tokens:
                add(_PHASE_WORD[t])  # type: ignore[arg-type]
        elif low in {"other", "others"} or s:
            add("other")
    return sorted(found, key=_PHASE_ORDER.index)


_PHASE_ORDER: list[str] = ["early_phase1", "phase1", "phase2", "phase3", "phase4", "not_applicable", "other"]


# ---------------------------------------------------------------- study type
def study_type(text: str | None) -> StudyType | None:
    s = clean(text)
    if s is None:
        return None
    k = _key(s)
    if k.startswith("interventional"):
        return "interventional"
    if k.startswith("observational"):
        return "observational"
    if k.startswith("expanded_access"):
        return "expanded_access"
    return "other"


# ---------------------------------------------------------------- dates
_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}
_MONTHS.update({k[:3]: v for k, v in list(_MONTHS.items())})
_MONTHS["sept"] = 9


def date_type(text: str | None) -> DateType | None:
    """'Actual'/'ACTUAL' → actual; 'Anticipated'/'Estimated'/'ESTIMATED'/'Expected' → estimated."""
    s = clean(text)
    if s is None:
        return None
    k = s.lower()
    if k.startswith("actual"):
        return "actual"
    # "Estimate" is legacy XML's study_first_posted type="Estimate".
    if k.startswith(("anticipated", "estimate", "expected", "planned")):
        return "estimated"
    return None


def iso_date(text: str | None) -> str | None:
    """A registry date at the precision it was given, as ISO text ('2016-01-01', '2019-12', '2016').

    Understands ISO ('2016-01-01', '2016-01', '2016/01/01'), US long form ('January 1, 2016', 'Jan 2016',
    'February 2018'), day-first ('20/03/2020', '20-03-2020', '20 March 2020') and compact ('20200320').
    Unparseable or impossible dates give None.
    """
    s = clean(text)
    if s is None:
        return None
    s = s.strip().rstrip(".")
    low = s.lower()
    try:
        m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ t].*)?", low)
        if m:
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})", low)
        if m and 1 <= int(m[2]) <= 12:
            return f"{int(m[1]):04d}-{int(m[2]):02d}"
        m = re.fullmatch(r"(\d{4})", low)
        if m:
            return m[1]
        m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", low)
        if m:
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        m = re.fullmatch(r"([a-z]+)\.? (\d{1,2}),? (\d{4})", low)
        if m and m[1] in _MONTHS:
            return date(int(m[3]), _MONTHS[m[1]], int(m[2])).isoformat()
        m = re.fullmatch(r"(\d{1,2}) ([a-z]+)\.?,? (\d{4})", low)
        if m and m[2] in _MONTHS:
            return date(int(m[3]), _MONTHS[m[2]], int(m[1])).isoformat()
        m = re.fullmatch(r"([a-z]+)\.?,? (\d{4})", low)
        if m and m[1] in _MONTHS:
            return f"{int(m[2]):04d}-{_MONTHS[m[1]]:02d}"
        m = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", low)
        if m:
            a, b, y = int(m[1]), int(m[2]), int(m[3])
            # Registries outside the US write day first; a first field > 12 settles it either way.
            day, month = (a, b) if a > 12 or b <= 12 else (b, a)
            return date(y, month, day).isoformat()
    except ValueError:
        return None
    return None


def date_info(text: str | None, kind: str | None = None, *, default: DateType | None = None) -> DateInfo | None:
    """A DateInfo from a date text and its type text; None when the date is absent or unreadable.

    The type may also be embedded in the text, as legacy exports write it: 'December 2019 (Anticipated)'.
    """
    s = clean(text)
    if s is None:
        return None
    m = re.fullmatch(r"(.*?)\s*\((actual|anticipated|estimated)\)", s, flags=re.I)
    if m:
        s, kind = m[1], kind or m[2]
    iso = iso_date(s)
    if iso is None:
        return None
    return DateInfo(date=iso, type=date_type(kind) or default)


def today_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


# ---------------------------------------------------------------- ages, sex, yes/no
_AGE_UNITS = {
    "year": 1.0, "years": 1.0, "yr": 1.0, "yrs": 1.0, "y": 1.0, "age": 1.0, "years old": 1.0,
    "month": 1 / 12, "months": 1 / 12, "mo": 1 / 12, "m": 1 / 12,
    "week": 7 / 365.25, "weeks": 7 / 365.25, "wk": 7 / 365.25, "w": 7 / 365.25,
    "day": 1 / 365.25, "days": 1 / 365.25, "d": 1 / 365.25,
    "hour": 1 / 8766, "hours": 1 / 8766, "minute": 1 / 525960, "minutes": 1 / 525960,
}


def age_years(text: str | float | int | None) -> float | None:
    """'18 Years' → 18, '6 Months' → 0.5, '1 Year' → 1, '18Y' → 18, '>= 20age old' → 20, 'N/A' → None."""
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        # A huge or negative number is no age (and infinity would make the record JSON invalid).
        try:
            number = float(text)
        except OverflowError:
            return None
        return number if math.isfinite(number) and number >= 0 else None
    s = clean(text)
    if s is None or s.lower() in _NA or s.lower() in {"no limit", "none"}:
        return None
    m = re.search(r"(\d+(?:\.\d+)?)\s*([a-zA-Z]+(?: old)?)?", s)
    if not m:
        return None
    value = float(m[1])
    if not math.isfinite(value):  # hundreds of digits: float() gives infinity
        return None
    unit = (m[2] or "years").lower()
    if unit.endswith(" old"):
        unit = unit[: -len(" old")]
    factor = _AGE_UNITS.get(unit)
    if factor is None:
        factor = _AGE_UNITS.get(unit.rstrip("s"), 1.0)
    return round(value * factor, 4)


def sex(text: str | None) -> Sex | None:
    s = clean(text)
    if s is None:
        return None
    k = _key(s)
    if k in {"all", "both", "both_male_and_female", "male_and_female", "female_and_male", "male_female", "m_f",
             "female_male", "mixed", "any"}:
        return "all"
    if k in {"female", "females", "women", "f", "woman"}:
        return "female"
    if k in {"male", "males", "men", "m", "man"}:
        return "male"
    has_f = "female" in k or "women" in k
    has_m = bool(re.search(r"(^|_)(males?|men)($|_)", k))  # "Both males and females" (ICTRP)
    if has_f and has_m:
        return "all"
    if has_f:
        return "female"
    if has_m:
        return "male"
    return None


def yes_no(text: object) -> bool | None:
    if isinstance(text, bool):
        return text
    s = clean(text)
    if s is None:
        return None
    k = s.lower()
    if k in {"yes", "y", "true", "1", "accepts healthy volunteers"}:
        return True
    if k in {"no", "n", "false", "0"}:
        return False
    return None


MAX_ENROLLMENT = 2**31 - 1
"""The largest count the store's integer column holds (PostgreSQL's INTEGER); no trial comes near it, so a larger
or a negative number is a garbled value, not a count — and would make the database refuse the whole record."""


def enrollment_count(text: object) -> int | None:
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if 0 <= text <= MAX_ENROLLMENT else None
    s = clean(text)
    if s is None:
        return None
    m = re.search(r"\d[\d,]*", s)
    if not m:
        return None
    try:
        count = int(m[0].replace(",", ""))
    except ValueError:
        return None
    return count if count <= MAX_ENROLLMENT else None


# ---------------------------------------------------------------- design and types
# Canonical forms are the snake_case of ClinicalTrials.gov API v2's enums, which every older CT.gov format maps onto.
_DESIGN_SYNONYMS = {
    "n_a": "not_applicable",
    "na": "not_applicable",
    "non_randomized": "non_randomized",
    "nonrandomized": "non_randomized",
    "single_group_assignment": "single_group",
    "parallel_assignment": "parallel",
    "crossover_assignment": "crossover",
    "factorial_assignment": "factorial",
    "sequential_assignment": "sequential",
    "none_open_label": "none",
    "open_label": "none",
    "single_blind": "single",
    "double_blind": "double",
    "supportive_care": "supportive_care",
    "health_services_research": "health_services_research",
    "basic_science": "basic_science",
    "device_feasibility": "device_feasibility",
    "ect": "educational_counseling_training",  # v2's abbreviation of "Educational/Counseling/Training"
}


def design_value(text: str | None) -> str | None:
    """'Single Group Assignment'/'SINGLE_GROUP' → single_group; 'None (Open Label)'/'NONE' → none; 'N/A' →
    not_applicable; 'Double (Participant, Investigator)' → double."""
    s = clean(text)
    if s is None:
        return None
    k = _key(s)
    if k in _DESIGN_SYNONYMS:
        return _DESIGN_SYNONYMS[k]
    if k in _DESIGN_CANONICAL:
        return k
    # Pre-2017 CT.gov wording: "Double Blind (Subject, Investigator)", "Single Blind (Outcomes Assessor)".
    m = re.match(r"(single|double|triple|quadruple)_blind(_|$)", k)
    if m:
        return m[1]
    for masking in ("none", "single", "double", "triple", "quadruple"):
        if k.startswith(masking + "_") and "blind" not in k[len(masking) :][:7]:
            return masking
    return k or None


_DESIGN_CANONICAL = {
    "not_applicable", "randomized", "non_randomized", "single_group", "parallel", "crossover", "factorial",
    "sequential", "none", "single", "double", "triple", "quadruple", "treatment", "prevention", "diagnostic",
    "supportive_care", "screening", "health_services_research", "basic_science", "device_feasibility", "other",
    "ecologic_or_community", "educational_counseling_training",
}

_INTERVENTION_TYPES = {
    "drug", "device", "biological", "procedure", "radiation", "behavioral", "genetic", "dietary_supplement",
    "combination_product", "diagnostic_test", "other",
}


def kind_value(text: str | None) -> str | None:
    """Intervention and arm types: 'Biological'/'BIOLOGICAL' → biological, 'Active Comparator' → active_comparator,
    'Procedure/Surgery' → procedure, 'Dietary Supplement' → dietary_supplement."""
    s = clean(text)
    if s is None:
        return None
    k = _key(s)
    if k == "procedure_surgery":
        return "procedure"
    if k == "biological_vaccine":
        return "biological"
    if k == "radiation_radiotherapy":
        return "radiation"
    return k


def split_typed_name(text: str) -> tuple[str | None, str]:
    """'Biological: clonal fetal MSCs' → ('biological', 'clonal fetal MSCs'); a name without a known type prefix is
    returned whole."""
    m = re.match(r"\s*([A-Za-z /_]+?)\s*:\s*(.+)", text, flags=re.S)
    if m:
        k = kind_value(m[1])
        if k in _INTERVENTION_TYPES:
            return k, m[2].strip()
    return None, text.strip()


# ---------------------------------------------------------------- eligibility criteria
_INCL = re.compile(r"^\s*(?:key\s+)?(?:main\s+)?inclusion\s+criteri(?:a|on)s?\b[^\n:.]{0,40}:?\s*$", re.I)
_EXCL = re.compile(r"^\s*(?:key\s+)?(?:main\s+)?exclusion\s+criteri(?:a|on)s?\b[^\n:.]{0,40}:?\s*$", re.I)
_INLINE = re.compile(r"^\s*(?:key\s+)?((?:in|ex)clusion)\s+criteri(?:a|on)s?\s*[:：]\s*(\S.*)$", re.I)
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d{1,2}[.)、]|[a-z][.)]|\(\d{1,2}\)|\([a-z]\))\s*")


def split_criteria(text: str | None) -> tuple[list[str], list[str]]:
    """Split free-text eligibility criteria into inclusion and exclusion items.

    Items are the bullet or numbered lines under 'Inclusion Criteria' / 'Exclusion Criteria' headings. A line
    continues the item above it when it directly follows it (no blank line) and is either indented deeper than the
    item's first line (legacy XML wraps text that way) or starts in lower case; other lines are items of their own.
    Text without headings is taken as inclusion criteria. Empty bullets are dropped.
    """
    if text is None or not str(text).strip():
        return [], []
    incl: list[str] = []
    excl: list[str] = []
    current = incl
    open_indent: int | None = None  # indentation of the item the next line may continue; None = closed
    for raw_line in str(text).replace("\r", "").replace("\t", "    ").split("\n"):
        line = clean(raw_line) or ""
        indent = len(raw_line) - len(raw_line.lstrip(" \u00a0"))
        if not line:
            open_indent = None
            continue
        if _INCL.match(line) or _EXCL.match(line):
            current, open_indent = (incl if _INCL.match(line) else excl), None
            continue
        m = _INLINE.match(line)
        if m:
            current = incl if m[1].lower().startswith("in") else excl
            line = m[2]
        bullet = _BULLET.match(line)
        body = line[bullet.end() :].strip() if bullet else line
        if not body:
            open_indent = None
            continue
        continues = (not bullet and open_indent is not None and bool(current)
                     and (indent > open_indent or body[0].islower()))
        if continues:
            current[-1] = f"{current[-1]} {body}"
        else:
            current.append(body)
            # A line ending with ':' introduces sub-items, which stand alone.
            open_indent = None if body.endswith(":") else indent
    return incl, excl
