"""People and places on a ClinicalTrials.gov study page: ages, the responsible party, central contacts, sites.

Sites are recognised by their layout rather than by a list of countries: a heading line "Country" or
"Country, State" counts as a heading only if an address line within the next few lines ends with that country
(and state), optionally followed by a postal code: "China, Beijing" … "Beijing, Beijing, China, 100020".
"""

from __future__ import annotations

import re

from .. import vocab
from ..model import Contact, Location

_SITE_STATUS = re.compile(
    r"\s+(?:Recruiting|Not yet recruiting|Active, not recruiting|Completed|Withdrawn|Terminated|Suspended|"
    r"Enrolling by invitation)\s*$", re.I)
_PERSON_LINE = re.compile(r"^(?:Contact|Backup Contact|Principal Investigator|Sub-?Investigator|Study Director|"
                          r"Study Chair|Investigator)\s*:", re.I)
_DEGREE = re.compile(r"^(?:M\.?D\.?|Ph\.?D\.?|MSc|M\.?S\.?|MPH|D\.?O\.?|RN|BSN|MBBS|FRCP\w*|DVM|PharmD|DDS|DMD|MBA|"
                     r"MA|BA|BS|BSc|PA-C|NP|Dr\.?|Prof\.?|MS|MHS|MSCI|MSCR|FACS|FACC)$", re.I)
_ORG = re.compile(r"\b(?:Universit\w*|Hospital|Institut\w*|Cent(?:er|re)|College|Clinic|Foundation|Inc|Ltd|LLC|"
                  r"Co|Corp\w*|Compan\w*|Pharm\w*|Therapeutics|Bio\w*|GmbH|AG|S\.?A|Group|Ministry|Council|School|"
                  r"Academy|Association|Society|Network|Department|Laboratories|Medical)\b\.?", re.I)


def _cells(text: str) -> list[str]:
    return [c.strip() for c in text.split("|")]


def _first_cell(line: str) -> str:
    return next((c for c in _cells(line) if c), "")


def _is_boilerplate(line: str) -> bool:
    return bool(re.match(r"^(?:Layout table for|(?:Show|Hide) (?:\d+ )?study locations|Sorted by|Go to\b)", line,
                         re.I))


def ages(text: str | None) -> tuple[float | None, float | None]:
    """'1 Year to 80 Years (Child, Adult, Older Adult)', '18 Years and older', 'up to 17 Years' → (min, max)."""
    s = vocab.clean(re.sub(r"\(.*?\)", "", text or ""))
    if not s:
        return None, None
    m = re.fullmatch(r"(.+?)\s+to\s+(.+)", s, re.I)
    if m and not s.lower().startswith("up to"):
        return vocab.age_years(m[1]), vocab.age_years(m[2])
    m = re.fullmatch(r"(.+?)\s+and (?:older|over|above)", s, re.I)
    if m:
        return vocab.age_years(m[1]), None
    m = re.fullmatch(r"(?:up to\s+(.+)|(.+?)\s+and (?:younger|under|below))", s, re.I)
    if m:
        return None, vocab.age_years(m[1] or m[2])
    return None, None


def responsible_party(text: str, lead: str | None) -> Contact | None:
    """'Lung-Ji Chang, President, Shenzhen Geno-Immune Medical Institute' → the investigator; None when the sponsor
    (an organisation) is the responsible party."""
    t = text.strip()
    if t.lower() == "sponsor" or (lead and t.lower() == lead.lower()):
        return None
    pieces = [x.strip() for x in t.split(",") if x.strip()]
    if len(pieces) < 2 or _ORG.search(pieces[0]) or all(_ORG.fullmatch(x) for x in pieces[1:]):
        return None
    k = 1
    name = pieces[0]
    while k < len(pieces) and _DEGREE.match(pieces[k]):
        name += ", " + pieces[k]
        k += 1
    rest = pieces[k:]
    title = affiliation = None
    if len(rest) == 1:
        if _ORG.search(rest[0]):
            affiliation = rest[0]
        else:
            title = rest[0]
    elif rest:
        title, affiliation = rest[0], ", ".join(rest[1:])
    return Contact(role="responsible_party", name=pieces[0] if k == 1 else name, title=title, affiliation=affiliation)


def central_contact(text: str) -> Contact | None:
    """'Jane Doe, MD | 555-555-5555 ext 12 | jane@x.org' (or the same run together) → a central contact."""
    pieces = [c for c in _cells(text) if c]
    if len(pieces) == 1:
        pieces = [c.strip() for c in re.split(r"\s{2,}|\t", pieces[0]) if c.strip()]
    email = phone = None
    names = []
    for piece in pieces:
        m = re.search(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", piece)
        if m:
            email = m[0]
            piece = (piece[: m.start()] + piece[m.end():]).strip()
        m = re.search(r"\+?\(?\d[\d\s().\-]{5,}\d(?:\s*(?:ext\.?|x)\s*\d+)?", piece)
        if m:
            phone = re.sub(r"\s*ext\.?\s*", " ext ", m[0].strip())
            piece = (piece[: m.start()] + piece[m.end():]).strip()
        if piece:
            names.append(piece)
    name = vocab.clean(" ".join(names))
    if not (name or email or phone):
        return None
    return Contact(role="central_contact", name=name, email=email, phone=phone)


def locations(loc_lines: list[str]) -> tuple[list[Location], list[Contact]]:
    """Sites from the lines of the contacts/locations part of the page, and the central contacts listed before the
    first site (contacts under a site belong to that site and are not kept)."""
    sites: list[Location] = []
    contacts: list[Contact] = []
    # Table cells beyond the first are empty or a site's status; person lines keep theirs (phone, email).
    lines = [x.strip() if _PERSON_LINE.match(x.strip()) else _first_cell(x) for x in loc_lines]
    lines = [x for x in lines if x and not _is_boilerplate(x)]
    current: tuple[str, str | None] | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if _PERSON_LINE.match(line):
            if current is None and line.lower().startswith("contact"):
                contact = central_contact(line.split(":", 1)[1])
                if contact:
                    contacts.append(contact)
            i += 1
            continue
        header = _header_at(lines, i)
        if header:
            current = header
            i += 1
            continue
        if current is None or _SITE_STATUS.sub("", " " + line).strip() == "":
            i += 1  # text before the first heading, or a site's recruitment status on its own line
            continue
        facility = _SITE_STATUS.sub("", line).strip()
        address = None
        for j in range(i + 1, min(i + 4, len(lines))):
            address = _address(lines[j], *current)
            if address:
                i = j
                break
        city, zip_code = address if address else (None, None)
        sites.append(Location(facility=facility, city=city, state=current[1], postal_code=zip_code,
                              country=current[0]))
        i += 1
    return sites, contacts


def _header_at(lines: list[str], i: int) -> tuple[str, str | None] | None:
    """Is lines[i] a 'Country' or 'Country, State' heading? Only if an address below it ends the same way."""
    line = lines[i]
    if _PERSON_LINE.match(line) or re.search(r"\d|@", line):
        return None
    readings: list[tuple[str, str | None]] = [(line, None)]
    if "," in line:
        country, state = line.rsplit(",", 1)
        readings.insert(0, (country.strip(), state.strip()))
    for j in range(i + 2, min(i + 6, len(lines))):
        for country, state in readings:
            if _address(lines[j], country, state):
                return country, state
        if _header_like(lines[j]):
            break
    return None


def _header_like(line: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][A-Za-z .'()-]+(?:, [A-Z][A-Za-z .'()-]+)*", line)) and len(line) < 60


def _address(line: str, country: str, state: str | None) -> tuple[str | None, str | None] | None:
    """'Beijing, Beijing, China, 100020' under ('China', 'Beijing') → ('Beijing', '100020'); None if not an address
    of that heading."""
    parts = [x.strip() for x in line.split(",")]
    tail = [x.strip() for x in country.split(",")]
    if state:
        tail = [state, *tail]
    zip_code = None
    if len(parts) > len(tail) and parts[-len(tail) - 1:-1] == tail and re.search(r"\d", parts[-1]):
        zip_code = parts[-1]
        parts = parts[:-1]
    if len(parts) <= len(tail) or parts[-len(tail):] != tail:
        return None
    city = ", ".join(parts[: -len(tail)])
    return (city or None), zip_code
