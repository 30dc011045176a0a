"""hPSCreg clinical-study records as text (https://hpscreg.eu/browse/trial/…, copied from the web page).

The page is a two-column table flattened to lines of "Label value": the title, then "General Information"
(Clinical trials phase, Start date (estimated|actual), End date (…), "Clinical feature" blocks of Label/Description),
"Administrative Information" (ICTRP weblink, "Other study identifiers" blocks of Name/Description, Source weblink,
"Public contact"/"Scientific contact" blocks, Sponsors), "Which differentiated cell type is used" (Label/Description),
Recruitment Status, "Estimated|Actual number of participants", Contact institutions/departments. Labels the seed lacks
but hPSCreg records carry (trial type, ages, gender, countries — the columns of the hPSCreg scrape in
shared/data/hpscreg) are read under the names listed in ``_LABELS``; :mod:`stemtrials.export.hpscreg_text` writes
the same names, so a rendered record reads back to the same values.

hPSCreg is the one format that states the cell type: it becomes a ``cell_products`` entry whose category and
pluripotent origin come from the record's own words ("embryonic stem cell" → hesc_derived/hESC, "induced
pluripotent" → hipsc_derived/hiPSC), with that span as ``evidence``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import BinaryIO

from .. import vocab
from ..model import (
    CellProduct,
    CellTypeTerm,
    Condition,
    Contact,
    Dates,
    Eligibility,
    Enrollment,
    Location,
    RegistryId,
    Sponsor,
    TrialRecord,
)
from ..registry_ids import canonical_id, registry_of
from .base import (
    ImportProblem,
    Parsed,
    SourceError,
    ctgov_url,
    derived_id,
    make_source,
    read_text_blocks,
    strip_bom,
    text_lines,
)

NAME = "hpscreg_text"
DESCRIPTION = "hPSCreg clinical-study record as text (hpscreg.eu trial page)"

_HEADINGS = re.compile(r"^(?:General Information|Administrative Information|Eligibility|Participants|Cell product)$",
                       re.I)
_MARKERS = ("Clinical trials phase", "Other study identifiers", "Which differentiated cell type is used",
            "Clinical feature", "Public contact", "Contact institutions/departments", "number of participants",
            "ICTRP weblink", "Source weblink")

# (label, handler); the longest label that starts a line wins. Handlers in _BLOCKS open a block of sub-fields.
_LABELS: list[tuple[str, str]] = [
    ("Clinical trials phase", "phase"), ("Trial type", "study_type"), ("Study type", "study_type"),
    ("Type of study", "study_type"),
    ("Start date (estimated)", "start"), ("Start date (actual)", "start"), ("Start date", "start"),
    ("End date (estimated)", "completion"), ("End date (actual)", "completion"), ("End date", "completion"),
    ("Completion date", "completion"),
    ("Primary completion date (estimated)", "primary_completion"),
    ("Primary completion date (actual)", "primary_completion"), ("Primary completion date", "primary_completion"),
    ("Secondary clinical feature", "condition"), ("Clinical feature", "condition"),
    ("Label", "label"), ("Description", "description"),
    ("ICTRP weblink", "ictrp_url"), ("Other study identifiers", "identifier"), ("Name", "name"),
    ("Source weblink", "source_url"),
    ("Public contact", "public_contact"), ("Scientific contact", "scientific_contact"),
    ("Public email", "email"), ("Scientific email", "email"), ("Email", "email"), ("E-mail", "email"),
    ("First name", "first_name"), ("Last name", "last_name"), ("Phone", "phone"), ("Telephone", "phone"),
    ("City", "city"), ("Country", "country"), ("Address freetext", "address"), ("Address", "address"),
    ("Affiliation", "affiliation"),
    ("Number of sponsors", "ignore"), ("Secondary sponsors", "collaborators"), ("Collaborators", "collaborators"),
    ("Sponsors", "sponsors"), ("Sponsor", "sponsors"),
    ("Which differentiated cell type is used", "cell"),
    ("Recruitment Status", "status"), ("Clinical status", "status"),
    ("Estimated number of participants", "enrollment"), ("Actual number of participants", "enrollment"),
    ("Number of participants", "enrollment"), ("Target sample size", "enrollment"),
    ("Minimum age", "min_age"), ("Maximum age", "max_age"), ("Age range", "age_range"),
    ("Gender", "sex"), ("Sex", "sex"),
    ("Countries of recruitment", "countries"), ("Countries", "countries"),
    ("Contact institutions/departments", "institution"),
]
_LABELS.sort(key=lambda x: -len(x[0]))
_LABEL_RE = [(re.compile(rf"^{re.escape(label)}(?:\s*:)?(?:\s+(.*))?$", re.I), label, h) for label, h in _LABELS]
_BLOCKS = {"condition", "identifier", "public_contact", "scientific_contact", "cell"}
_CONTACT_FIELDS = {"email", "first_name", "last_name", "phone", "city", "country", "address", "affiliation", "name"}
_TEXT_FIELDS = {"description", "address", "title"}  # values that may wrap onto following lines

# Wordings seen in the 92 hPSCreg titles: "Human embryonic stem cell", "human embryo stem cell", "hESC",
# "ESC-derived", "induced pluripotent stem cell" (also "pluripoteint"), "hiPSC", "iPS cell", "iPS-cell-", "iPS derived".
_HESC = re.compile(r"\b(?:human\s+)?(?:embryo(?:nic)?\s+stem\s+cells?|hESCs?\b|hES\s+cells?|ESCs?\b)", re.I)
_HIPSC = re.compile(r"\b(?:human\s+)?(?:induced\s+pluripot\w*\s+stem\s+cells?|h?iPSCs?\b|h?iPS(?:[\s-]+cells?\b|\b))",
                    re.I)


def sniff(head: bytes, filename: str) -> bool:
    text = strip_bom(head).decode("utf-8", "replace").lstrip()
    if not text or text[0] in "{[<" or "ClinicalTrials.gov Identifier:" in text:
        return False
    if not re.search(r"^(?:General|Administrative) Information\s*$", text, re.M):
        return False
    return sum(m in text for m in _MARKERS) >= 2


def read(stream: BinaryIO, origin: str) -> Iterator[Parsed | ImportProblem]:
    return read_text_blocks(_records(stream), parse_record, origin, "record",
                            "no 'General Information' section: not an hPSCreg clinical-study record")


def _records(stream: BinaryIO) -> Iterator[list[str]]:
    """Records, streaming: a new one starts at the title above each further 'General Information' heading."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline=None)
    buf: list[str] = []
    seen = False
    for line in text_lines(text, "hPSCreg text"):
        if re.fullmatch(r"\s*General Information\s*", line):
            cut = len(buf)
            while cut > 0 and not buf[cut - 1].strip():
                cut -= 1
            cut = max(cut - 1, 0)
            # Before the first heading, lines with labels are (the rest of) a record that lost its heading: read
            # with the record below, its identifiers and values would be taken for that record's.
            if seen or any(_match(b) for b in buf[:cut]):
                yield buf[:cut]
                buf = buf[cut:]
            seen = True
        buf.append(line)
        if len(buf) > 100_000:
            raise SourceError("more than 100000 lines in one record: not an hPSCreg record")
    if seen:
        yield buf


def _match(line: str) -> tuple[str, str, str] | None:
    for pattern, label, handler in _LABEL_RE:
        m = pattern.match(line)
        if m:
            return label, handler, (m[1] or "").strip()
    return None


def parse_record(lines: list[str], origin: str, position: str, raw: bytes) -> TrialRecord:
    title_lines: list[str] = []
    fields: dict[str, str] = {}
    labels: dict[str, str] = {}  # handler → the label as written (its "(estimated)" part carries the date type)
    blocks: list[tuple[str, dict[str, str]]] = []
    block: dict[str, str] | None = None
    block_kind = ""
    last: tuple[dict[str, str], str] | None = None
    in_body = False
    for raw_line in lines:
        line = raw_line.strip()
        if not line:
            continue
        if _HEADINGS.match(line):
            in_body, block, last = True, None, None
            continue
        if not in_body:
            title_lines.append(line)
            continue
        hit = _match(line)
        if hit is None:
            if last and not last[0].get(last[1]):  # the value on the line below its label
                last[0][last[1]] = line
            elif last and last[1] in _TEXT_FIELDS:  # a free-text cell the copy wrapped: one paragraph again
                last[0][last[1]] = f"{last[0][last[1]]} {line}"
            continue
        label, handler, value = hit
        if handler in _BLOCKS:
            block_kind, block = handler, {}
            blocks.append((handler, block))
            last = None
            continue
        if block is not None and block_kind in ("condition", "cell") and handler in ("label", "description"):
            if handler == "label" and "label" in block:  # Label/Description pairs may repeat under one heading
                block = {}
                blocks.append((block_kind, block))
        elif block is not None and block_kind == "identifier" and handler in ("name", "description"):
            if handler == "name" and "name" in block:
                block = {}
                blocks.append((block_kind, block))
        elif block is not None and block_kind.endswith("_contact") and handler in _CONTACT_FIELDS:
            pass
        else:
            block = None
            if handler in ("label", "description", "name"):
                last = None
                continue  # a sub-field outside its block: nothing to attach it to
        target = block if block is not None else fields
        if handler != "ignore":
            target[handler] = value
            labels.setdefault(handler, label)
            last = (target, handler)
    title = vocab.clean(" ".join(title_lines))
    return _build(title, fields, labels, blocks, origin, position, raw)


def _label_type(label: str | None) -> str | None:
    m = re.search(r"\((estimated|actual)\)|^(estimated|actual)\b", label or "", re.I)
    return (m[1] or m[2]) if m else None


def _registry_ids(blocks: list[tuple[str, dict[str, str]]], fields: dict[str, str]) -> list[RegistryId]:
    ids: list[RegistryId] = []
    for kind, b in blocks:
        if kind != "identifier" or not b.get("name"):
            continue
        ident = canonical_id(b["name"])
        desc = b.get("description") or ""
        registry = registry_of(ident)
        id_kind = "secondary"
        if re.search(r"\b(?:sponsor|org(?:ani[sz]ation)?|protocol)\b.*\b(?:id|number|code)\b", desc, re.I):
            id_kind = "org_study"  # the sponsor's own number ("Sponsor's study ID"): never the primary ID
        elif registry is None and re.search(r"regist", desc, re.I):
            m = re.search(r"\(([^()]+)\)\s*$", desc)
            registry = m[1].strip() if m else vocab.clean(desc)
        if not any(r.id == ident for r in ids):
            ids.append(RegistryId(id=ident, registry=registry, kind=id_kind))
    # No identifier block: the ICTRP link names the trial ("…/Trial2.aspx?TrialID=ChiCTR2000031139").
    for url_field in ("ictrp_url", "source_url"):
        m = re.search(r"TrialID=([^&\s]+)|\b(NCT\d{8})\b", fields.get(url_field) or "")
        if m and not ids:
            ident = canonical_id(m[1] or m[2])
            ids.append(RegistryId(id=ident, registry=registry_of(ident), kind="secondary"))
    primary = next((r for r in ids if r.registry and r.kind != "org_study"), None)
    if primary is None:
        return ids
    rest = [r for r in ids if r is not primary]
    return [RegistryId(id=primary.id, registry=primary.registry, kind="primary"), *rest]


def _cell_products(title: str | None, blocks: list[tuple[str, dict[str, str]]], conditions: list[Condition],
                   all_text: str) -> list[CellProduct]:
    cells = [b for kind, b in blocks if kind == "cell" and (b.get("label") or b.get("description"))]
    if not cells:
        return []
    title = title or ""
    # The title decides first; then the rest of the record.
    found = None
    for text in (title, all_text):
        hits = [(m.start(), m, cat, origin) for rx, cat, origin in ((_HESC, "hesc_derived", "hESC"),
                                                                    (_HIPSC, "hipsc_derived", "hiPSC"))
                for m in [rx.search(text)] if m]
        if hits:
            found = min(hits, key=lambda h: h[0])
            break
    # The product's name: a parenthesis after the cell words, before the title moves on ("for …", "in …").
    name = None
    in_title = bool(found and found[1].string is title)
    start, after = (found[1].start(), found[1].end()) if found and in_title else (0, 0)
    for m in re.finditer(r"\(([^()]{2,40})\)", title):
        between = title[after:m.start()]
        if m.start() < after or re.search(r"\b(?:for|in|against|among|with|to treat|on)\b", between, re.I):
            continue
        inner = m[1].strip()
        if any(inner.lower() == c.text.lower() or inner.lower() in c.text.lower() for c in conditions):
            continue
        if _abbreviates(inner, title[:m.start()]) or re.search(r"\b(?:study|trial|phase)\b", inner, re.I):
            break  # "Mesenchymal Stem Cells (MSCs)", "(IPSCS study)": an abbreviation or a study, not a product
        if re.search(r"cells?\b|derived|exosome|progenitor|neuron|epitheli|sheet|patch", title[start:m.start()], re.I):
            name = inner
        break
    return [
        CellProduct(
            name=name,
            category=found[2] if found else None,
            pluripotent_origin=found[3] if found else None,
            cell_type=CellTypeTerm(id=None, label=vocab.clean(b.get("label")),
                                   definition=vocab.clean(b.get("description"))),
            evidence=vocab.clean(found[1][0]) if found else None,
            score=None,
        )
        for b in cells
    ]


def _abbreviates(short: str, before: str) -> bool:
    letters = re.sub(r"s$", "", short.strip()).lower()
    if not re.fullmatch(r"[a-z]{2,8}", letters):
        return False
    words = re.findall(r"[A-Za-z]+", before)[-len(letters):]
    return "".join(w[0].lower() for w in words) == letters


def _contact(kind: str, b: dict[str, str]) -> Contact | None:
    first, last = vocab.clean(b.get("first_name")), vocab.clean(b.get("last_name"))
    name = vocab.clean(b.get("name")) or vocab.clean(" ".join(x for x in (first, last) if x))
    values = dict(name=name, first_name=first, last_name=last, email=vocab.clean(b.get("email")),
                  phone=vocab.clean(b.get("phone")), address=vocab.clean(b.get("address")),
                  city=vocab.clean(b.get("city")), affiliation=vocab.clean(b.get("affiliation")))
    if not any(values.values()):
        return None
    return Contact(role=kind, **values)


def _split_list(text: str | None) -> list[str]:
    return [x for x in (vocab.clean(p) for p in re.split(r"\s*[;\n]\s*", text or "")) if x]


def _build(title: str | None, fields: dict[str, str], labels: dict[str, str],
           blocks: list[tuple[str, dict[str, str]]], origin: str, position: str, raw: bytes) -> TrialRecord:
    conditions = [Condition(text=vocab.clean(b["label"]) or "", description=vocab.clean(b.get("description")))
                  for kind, b in blocks if kind == "condition" and vocab.clean(b.get("label"))]
    sponsors = [Sponsor(name=s, role="lead" if k == 0 else "collaborator")
                for k, s in enumerate(_split_list(fields.get("sponsors")))]
    sponsors += [Sponsor(name=s, role="collaborator") for s in _split_list(fields.get("collaborators"))]
    contacts = [c for kind, b in blocks if kind.endswith("_contact") for c in [_contact(kind, b)] if c]
    institution = vocab.clean(fields.get("institution"))
    if institution:
        if contacts and not contacts[0].affiliation:
            contacts[0].affiliation = institution
        elif not contacts or contacts[0].affiliation != institution:
            contacts.append(Contact(role="contact_institution", affiliation=institution))
    countries = _split_list(fields.get("countries")) or _split_list(fields.get("country"))
    if not countries:  # a contact's country, when the record names no countries of its own
        countries = [c for kind, b in blocks if kind.endswith("_contact") for c in _split_list(b.get("country"))][:1]
    start = vocab.date_info(fields.get("start"), _label_type(labels.get("start")))
    dates = Dates(start=start,
                  primary_completion=vocab.date_info(fields.get("primary_completion"),
                                                     _label_type(labels.get("primary_completion"))),
                  completion=vocab.date_info(fields.get("completion"), _label_type(labels.get("completion"))))
    min_age, max_age = vocab.age_years(fields.get("min_age")), vocab.age_years(fields.get("max_age"))
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*",
                     fields.get("age_range") or "")
    if m and min_age is None and max_age is None:
        min_age, max_age = vocab.age_years(f"{m[1]} {m[3]}"), vocab.age_years(f"{m[2]} {m[3]}")
    ids = _registry_ids(blocks, fields)
    unidentified = not ids or ids[0].kind != "primary"
    if unidentified:
        # Nothing names the trial: a stable ID from its content, so re-importing finds the same record.
        record_id = derived_id(title, sponsors[0].name if sponsors else None, start.date if start else None)
        registry = "hPSCreg"
    else:
        record_id, registry = ids[0].id, ids[0].registry
    url = ctgov_url(record_id) if registry == "ClinicalTrials.gov" else None
    for url_field in ("source_url", "ictrp_url"):
        if url is None and re.match(r"https?://\S+$", fields.get(url_field) or ""):
            url = fields[url_field]
    status_text = vocab.clean(fields.get("status"))
    all_text = "\n".join(lines for lines in [title or ""] + [v for v in fields.values()])
    return TrialRecord(
        id=record_id,
        registry=registry,
        registry_ids=ids,
        unidentified=unidentified,
        title=title,
        status=vocab.status(status_text),
        status_raw=status_text,
        phases=vocab.phases(_split_list(fields.get("phase"))),
        study_type=vocab.study_type(fields.get("study_type")),
        enrollment=Enrollment(count=vocab.enrollment_count(fields.get("enrollment")),
                              type=vocab.date_type(_label_type(labels.get("enrollment")))
                              if fields.get("enrollment") else None),
        dates=dates,
        conditions=conditions,
        cell_products=_cell_products(title, blocks, conditions, all_text),
        eligibility=Eligibility(min_age_years=min_age, max_age_years=max_age, sex=vocab.sex(fields.get("sex"))),
        sponsors=sponsors,
        contacts=contacts,
        locations=[Location(country=c) for c in countries],
        source=make_source(NAME, raw, origin, position, url=url),
    )
