"""Cell-level parsers for WHO ICTRP exports (shared by the XML, CSV and Excel readers).

ICTRP re-publishes the records of ~17 registries without harmonising their wording: the same field holds
"18 Years", "18Y", ">= 20age old" or "N/A"; "Both", "<br>Female: yes<br>Male: yes<br>" or "Both males and females";
dates as "2020-03-18", "18/03/2020", "March 1, 2020" or "18-03-2020". Lists are joined with ";" and/or HTML
``<br>`` (sometimes escaped as ``&lt;br&gt;``, in Excel files preceded by ``_x000D_``). Each function here turns one
such cell into the contract's value; all are total (junk in → None / [] out, never an exception).
"""

from __future__ import annotations

import html
import re
from datetime import datetime

from .. import vocab
from ..model import Design, Phase, Sex, Status, StudyType
from ..registry_ids import canonical_id

# Placeholders registries and ICTRP write for "nothing" (compared lower-cased, trailing dots dropped).
JUNK = {
    "", "na", "n/a", "n.a", "null", "none", "nil", "nil known", "-", "--", "/", "?", "??", "nd", "no", "not applicable",
    "not appliable", "not available", "not specified", "not stated", "unknown", "cancelled", "canceled",
}
# Secondary-ID cells also say that an ID is still to come.
_NO_ID = {"pending", "applied for", "to be assigned", "not yet assigned", "not registered", "not required"}

# A line break written just before a <br> is the same break: the exports have "\r<br>", which an XML parser
# reads as "\n<br>" and Excel stores as "_x000D_<br>".
_BR = re.compile(r"(?:\r\n|\r|\n)?<\s*/?\s*br\s*/?\s*/?\s*>", re.I)
_XML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")  # OOXML's escape for control characters (_x000D_ = CR)
_MOJIBAKE = re.compile(r"[√‚¬]")  # UTF-8 read as Mac Roman then saved again: "H√¥pitaux", "‚Äú"


def _unmangle(s: str) -> str:
    """Undo UTF-8-read-as-Mac-Roman mojibake (seen in ICTRP's Excel export). Only when the round trip decodes as
    valid UTF-8 — legitimate text with "√" does not."""
    if not _MOJIBAKE.search(s):
        return s
    try:
        return s.encode("mac_roman").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return s


def normalize(raw: object) -> str | None:
    """Entities, <br> and CR/LF unified to plain newlines, spacing kept (titles carry meaningful padding)."""
    if raw is None:
        return None
    s = _unmangle(str(raw))
    s = _XML_ESCAPE.sub(lambda m: chr(int(m[1], 16)), s)
    s = html.unescape(s)  # "&lt;br&gt;", "&#32;"
    s = _BR.sub("\n", s).replace("\r\n", "\n").replace("\r", "\n")
    return s


def text(raw: object) -> str | None:
    """A free-text cell, cleaned (newlines kept); ICTRP's full export writes NULL for empty."""
    s = vocab.clean(normalize(raw))
    if s is None or s.upper() == "NULL":
        return None
    return s


def line(raw: object) -> str | None:
    """A one-line value (title, name, sponsor): newlines become spaces; placeholders become None."""
    s = text(raw)
    if s is None:
        return None
    s = re.sub(r"\s*\n\s*", " ", s).strip()
    return None if is_junk(s) else s


def is_junk(s: str | None) -> bool:
    # "??????": text in a script the export could not encode
    return s is None or s.strip().rstrip(".").strip().lower() in JUNK or bool(re.fullmatch(r"[?\s]+", s))


def items(raw: object, seps: str = ";\n") -> list[str]:
    """A ';'/<br>-joined list: cleaned, placeholders dropped, duplicates (case-insensitive) dropped, order kept."""
    s = text(raw)
    if s is None:
        return []
    out: list[str] = []
    seen: set[str] = set()
    for part in re.split(f"[{re.escape(seps)}]", s):
        v = vocab.clean(part)
        if v is None or is_junk(v) or v.lower() in seen:
            continue
        seen.add(v.lower())
        out.append(v)
    return out


# ---------------------------------------------------------------- identifiers
_EUCTR = re.compile(r"(?:EUCTR)?(\d{4}-\d{6}-\d{2})(?:-([A-Z]{2}|3RD))?")
_SOURCE_REGISTERS = {
    "clinicaltrialsgov": "ClinicalTrials.gov", "ctgov": "ClinicalTrials.gov", "euclinicaltrialsregister": "EU-CTR",
    "euctr": "EU-CTR", "chictr": "ChiCTR", "irct": "IRCT", "isrctn": "ISRCTN", "anzctr": "ANZCTR",
    "germanclinicaltrialsregister": "DRKS", "drks": "DRKS", "netherlandstrialregister": "NTR", "ntr": "NTR",
    "jprn": "JPRN", "ctri": "CTRI", "tctr": "TCTR", "rebec": "ReBec", "pactr": "PACTR", "lbctr": "LBCTR",
    "rpcec": "RPCEC", "repec": "REPEC", "kct": "CRiS", "cris": "CRiS", "slctr": "SLCTR", "itmctr": "ITMCTR",
}


def source_register(raw: object) -> str | None:
    s = line(raw)
    return _SOURCE_REGISTERS.get(re.sub(r"[^a-z]", "", s.lower())) if s else None


def trial_id(raw: object) -> tuple[str, list[str]] | None:
    """The canonical primary ID and the other spellings worth keeping as secondary IDs.

    EU-CTR lists one record per member state ("EUCTR2020-001234-56-DE"): the trial is the EudraCT number, the
    country-suffixed form stays as a secondary ID. Japanese IDs carry ICTRP's "JPRN-" prefix; the registry's own form
    ("UMIN000012345", "jRCTs031180097") is what other records cite, so it is kept too. Old typed ChiCTR IDs
    ("ChiCTR-TRC-12002345") are kept as they are.
    """
    s = line(raw)
    if not s:
        return None
    compact = re.sub(r"\s+", "", s)
    m = _EUCTR.fullmatch(compact.upper())
    if m:
        aliases = [compact.upper()] if compact.upper() != m[1] else []
        return m[1], aliases
    ident = canonical_id(compact)
    m = re.fullmatch(r"JPRN-((?:UMIN|jRCT)\w+)", ident, flags=re.I)
    return ident, [m[1]] if m else []


def secondary_ids(raw: object, primary: str) -> list[str]:
    """Secondary IDs (';'-joined), junk dropped; a suffixed EudraCT number also gives the bare number."""
    out: list[str] = []
    for item in items(raw):
        if item.lower().rstrip(".") in _NO_ID:
            continue
        ident = canonical_id(item)
        m = _EUCTR.fullmatch(re.sub(r"\s+", "", ident).upper())
        if m and m[2]:  # "2016-005141-23-GB": spelled as ICTRP names that country's record, plus the bare number
            ident = f"EUCTR{m[1]}-{m[2]}"
        forms = [ident] + ([m[1]] if m and m[1] != ident else [])
        out += [f for f in forms if f != primary and f not in out]
    return out


# ---------------------------------------------------------------- dates
# registry_prefixes_date_formats.csv (shared/data/ictrp): the format each registry's dates arrive in. Registries not
# listed use day-first slashes, as most do; vocab.iso_date reads anything else ("March 1, 2020", "April 2020").
_DATE_FORMATS = {"ChiCTR": "%Y-%m-%d", "IRCT": "%Y-%m-%d", "CRiS": "%Y-%m-%d", "SLCTR": "%Y-%m-%d",
                 "CTRI": "%d-%m-%Y"}
_TIME = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AP]M)?$", re.I)


def iso_date(raw: object, registry: str | None = None) -> str | None:
    s = line(raw)
    if not s:
        return None
    s = _TIME.sub("", s)  # "2020-03-22 00:00:00" (Excel), "3/18/2020 6:53:35 PM"
    iso = None
    fmt = _DATE_FORMATS.get(registry or "", "%d/%m/%Y")
    try:
        iso = datetime.strptime(s, fmt).date().isoformat()
    except ValueError:
        iso = vocab.iso_date(s)
    if iso and int(iso[:4]) <= 1900:  # "1900-01-01": the full export's placeholder for "no date"
        return None
    return iso


# ---------------------------------------------------------------- status and titles
_STATUS: dict[str, Status] = {
    # ICTRP and registry wordings vocab.status does not know (ANZCTR, CTRI, JPRN, PACTR).
    "pending": "not_yet_recruiting", "pending_not_yet_recruiting": "not_yet_recruiting",
    "open_to_recruitment": "recruiting", "closed_to_recruitment_of_participants": "active_not_recruiting",
    "closed_to_recruitment_follow_up_continuing": "active_not_recruiting",
    "closed_to_recruitment_follow_up_complete": "completed", "preinitiation": "not_yet_recruiting",
    "main_results_already_published": "completed", "no_longer_recruiting": "active_not_recruiting",
    "stopped_early": "terminated", "temporary_halt": "suspended",
}


def status(raw: str | None) -> Status | None:
    """Recruitment status. ICTRP's own "Not recruiting" (active, not yet, or finished — it does not say) follows
    vocab (active_not_recruiting); EU-CTR's "Authorised(-recruitment may be ongoing or finished)" is "other"."""
    if raw is None:
        return None
    key = re.sub(r"[^a-z0-9]+", "_", raw.lower()).strip("_")
    return _STATUS.get(key) or vocab.status(raw)


# ChiCTR marks a cancelled registration in the title: "Cancelled by the investigator      <title>",
# "Cancelled due to lack of patient   <title>", "[Cancelled] <title>". The note is separated by a run of spaces.
_CANCEL_BRACKET = re.compile(r"\s*[\[(【]\s*(cancel+ed[^\])】\n]*?)\s*[\])】]\s*(.*)", re.I | re.S)
_CANCEL_PADDED = re.compile(r"\s*(cancel+ed\b[^\n]*?)(?:\s{2,}|\s*[:：]\s+|\s*$)(.*)", re.I | re.S)
_CANCEL_KNOWN = re.compile(r"\s*(cancel+ed(?:\s+by\s+(?:the\s+)?investigators?|\s+due\s+to\s+(?:the\s+)?lack\s+of\s+"
                           r"(?:patients?|participants?|subjects?|cases?|funding))?)\b[\s:.]*(.*)", re.I | re.S)


def cancelled(raw: object) -> tuple[str, str | None] | None:
    """(cancellation note, title without it) when the title marks a cancelled registration, else None."""
    s = normalize(raw)
    if not s or not re.match(r"\s*[\[(【]?\s*cancel+ed\b", s, re.I):
        return None
    m = _CANCEL_BRACKET.fullmatch(s) or _CANCEL_PADDED.fullmatch(s)
    if m is None or not m[2].strip():  # no run of spaces (already collapsed): the known wordings still tell
        known = _CANCEL_KNOWN.fullmatch(s)
        m = known if known and (m is None or known[2].strip()) else m
    if m is None:
        return None
    note = vocab.clean(m[1]) or "Cancelled"
    return note, line(m[2])


# ---------------------------------------------------------------- participants
def target_size(raw: object) -> int | None:
    """'100' → 100; per-group sizes 'control group:50;sepsis group:50;' → 100 (the sum); '2019 Y:2418;2020 Y:821;'
    → 3239. Groups whose size is not a number are left out; no number at all → None."""
    s = text(raw)
    if s is None:
        return None
    if ":" not in s:
        return vocab.enrollment_count(s)
    total, found = 0, False
    for part in re.split(r"[;\n]", s):
        m = re.search(r":\s*(\d[\d,]*)\s*$", part) or re.fullmatch(r"\s*(\d[\d,]*)\s*", part)
        if m:
            total += int(m[1].replace(",", ""))
            found = True
    return total if found else None


def age(raw: object) -> float | None:
    """'18 Years', '18Y', '65+', '>= 20age old', '6M', '20years-old' → years; 'N/A', 'no limit', '??' → None."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return float(raw)
    s = line(raw)
    return vocab.age_years(s) if s else None


def sex(raw: object) -> Sex | None:
    """'Both', 'All', 'Male and Female', 'F', EU-CTR's 'Female: yes\\nMale: no' …"""
    s = text(raw)
    if s is None:
        return None
    low = s.lower()
    f = re.search(r"\bfemale\s*:\s*(yes|no)", low)
    m = re.search(r"(?<!fe)\bmale\s*:\s*(yes|no)", low)
    if f or m:
        female, male = bool(f and f[1] == "yes"), bool(m and m[1] == "yes")
        return "all" if female and male else "female" if female else "male" if male else None
    if low.startswith("both"):
        return "all"
    return vocab.sex(s)


# ---------------------------------------------------------------- design
_EU_PHASE = re.compile(r"\(\s*phase\s+(iv|iii|ii|i)\s*\)\s*:\s*(yes|no)?", re.I)


def phases(raw: object) -> list[Phase]:
    """'Phase 2/Phase 3', '2-3', 'II-III', 'N/A' via vocab; EU-CTR's 'Human pharmacology (Phase I): no\\n…' gives
    the phases answered yes. ChiCTR's bare '0' is used for unphased observational studies as much as for phase 0
    (hPSCreg shows it as "Other"), so it is "other". Excel turned '1-2'/'2-3' into dates; the table reader passes
    them back as text."""
    s = text(raw)
    if s is None:
        return []
    eu = _EU_PHASE.findall(s)
    if eu:
        return vocab.phases([f"Phase {roman}" for roman, answer in eu if answer.lower() == "yes"])
    low = s.lower()
    if low in {"not selected", "not specified", "not stated"}:
        return []
    if low == "0":
        return ["other"]
    return vocab.phases(s)


_STUDY_TYPES: dict[str, StudyType] = {
    "intervention": "interventional", "treatment_study": "interventional",
    "epidemilogical_research": "observational", "epidemiological_research": "observational",
    "prognosis_study": "observational", "cause_relative_factors_study": "observational",
    "relative_factors_research": "observational",
}


def study_type(raw: object) -> StudyType | None:
    """vocab's mapping, plus ChiCTR's own categories (epidemiological, prognosis and cause studies observe)."""
    s = line(raw)
    if s is None:
        return None
    return _STUDY_TYPES.get(re.sub(r"[^a-z0-9]+", "_", s.lower()).strip("_")) or vocab.study_type(s)


def design(raw: object) -> Design:
    """The study-design text of any registry, read by keywords: CT.gov ("Allocation: Randomized. Intervention model:
    Parallel Assignment. …"), EU-CTR ("Randomised: yes<br>Double blind: yes<br>Parallel group: yes …"), IRCT
    ("Randomization: Randomized, Blinding: Double blinded, …"), ANZCTR, CTRI, JPRN and ChiCTR ("Parallel",
    "Single arm", "Non randomized control"). What the text does not say stays None."""
    s = text(raw)
    if s is None:
        return Design()
    low = re.sub(r"\s+", " ", s.lower())
    yes = dict(re.findall(r"(randomised|single blind|double blind|open|parallel group|cross over)\s*:\s*(yes|no)",
                          low))
    d = Design()
    if yes:  # EU-CTR's yes/no list: only the answers count ("Parallel group: no" is not parallel)
        d.allocation = {"yes": "randomized", "no": "non_randomized"}.get(yes.get("randomised", ""))
        d.intervention_model = ("parallel" if yes.get("parallel group") == "yes"
                                else "crossover" if yes.get("cross over") == "yes" else None)
        d.masking = ("double" if yes.get("double blind") == "yes" else "single" if yes.get("single blind") == "yes"
                     else "none" if yes.get("open") == "yes" else None)
        return d
    labelled = {k.strip(): v.strip() for k, v in re.findall(
        r"(allocation|intervention model|masking|primary purpose|purpose)\s*:\s*([^.;,\n]+)", low)}
    if re.search(r"non[- ]?randomi[sz]|not randomi[sz]|quasi-randomi", low):
        d.allocation = "non_randomized"
    elif re.search(r"\brandomi[sz](?:ed|ation)\b(?!\s*:)", low):  # not the label in "Randomization: N/A"
        d.allocation = "randomized"
    elif labelled.get("allocation") in {"n/a", "na"}:
        d.allocation = "not_applicable"
    for pattern, model in ((r"parallel", "parallel"), (r"cross[- ]?over", "crossover"), (r"factorial", "factorial"),
                           (r"sequential", "sequential"), (r"single[- ](?:arm|group)|single assignment",
                                                           "single_group")):
        if re.search(pattern, low):
            d.intervention_model = model
            break
    for level in ("quadruple", "triple", "double", "single"):
        if re.search(rf"\b{level}[- ]?(?:blind|mask|\()", low):
            d.masking = level
            break
    else:
        if re.search(r"open[- ]label|open ?\(masking not used\)|not blinded|masking: (?:none|open)", low):
            d.masking = "none"
    purpose = labelled.get("primary purpose") or labelled.get("purpose")
    if purpose:
        value = vocab.design_value("diagnostic" if purpose.startswith("diagnos") else purpose)
        d.primary_purpose = value if value in _PURPOSES else "other"
    return d


_PURPOSES = {"treatment", "prevention", "diagnostic", "supportive_care", "screening", "health_services_research",
             "basic_science", "device_feasibility", "other", "ecologic_or_community", "educational_counseling_training"}
