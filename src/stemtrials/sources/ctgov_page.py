"""ClinicalTrials.gov study page text: the classic site's "Study Details" page as a curator copies it.

The copy is loose text: header lines ("Recruitment Status : Unknown"), table rows ("Study Type : | Interventional
(Clinical Trial) |" from an HTML-to-text converter, or tab-separated from a browser), cells whose line breaks may be
lost, and boilerplate sentences. The parser walks the lines once, keeping a *section* state set by headings and table
headers (:mod:`._ctgov_page_parts`), and reads labelled rows anywhere; sites, people and ages are read by
:mod:`._ctgov_page_people`.

Lists that the copy ran together in one cell — conditions ("Immune Related Disorder Tissue Damage"), keywords ("MSC
GVHDs transplantation"), MeSH terms — are split back into items: by the cell's own line breaks when the copy kept
them, otherwise by :func:`._segment.segment`, which scores the possible splits with word-boundary statistics counted on
995 real CT.gov trials and with the rest of the page as evidence (an item that occurs as a phrase in the title,
summary, criteria … is likely whole). A keywords or MeSH cell whose label the copy lost (seed 004 ends with a bare
"MSC GVHDs transplantation |" line after the FDA rows) is recognised by its place: unlabelled cells after the
"More Information" rows are, in page order, the keywords and then the MeSH terms.

Outcome measures without a "Primary/Secondary Outcome Measures" heading (lost in seed 004) count as primary.

Several pages may be concatenated in one file: a new page starts at the title line before each header
"ClinicalTrials.gov Identifier: NCT…" line (the bottom-of-page "ClinicalTrials.gov Identifier: | NCT… |" row is a
table row and does not start a page).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import BinaryIO

from .. import vocab
from ..model import (
    Condition,
    Design,
    Eligibility,
    Enrollment,
    MeshTerm,
    Outcome,
    Regulatory,
    Sponsor,
    TrialRecord,
)
from ..registry_ids import canonical_id
from . import _ctgov_page_parts as parts
from . import _ctgov_page_people as people
from ._ctgov_common import registry_ids
from ._segment import reference, segment
from .base import ImportProblem, Parsed, SourceError, ctgov_url, make_source, read_text_blocks, strip_bom, text_lines

NAME = "ctgov_page"
DESCRIPTION = "ClinicalTrials.gov study page text (classic 'Study Details' page copied from the web site)"

# The page header (spaces only): the bottom row "ClinicalTrials.gov Identifier:<tab>NCT…" must not start a page.
_HEADER_ID = re.compile(r"^ *ClinicalTrials\.gov Identifier: *(NCT *\d{8})", re.I)
_ANY_ID = re.compile(r"ClinicalTrials\.gov Identifier:\s*\|?\s*NCT\s*\d{8}", re.I)
_PAGE_PHRASES = (
    "Recruitment Status", "First Posted", "Last Update Posted", "Study Type", "Condition or disease",
    "Ages Eligible for Study", "Sexes Eligible for Study", "Responsible Party", "Other Study ID Numbers",
    "Accepts Healthy Volunteers", "Study Start Date", "Last Verified", "Verified ",
)
_MAX_PAGE_LINES = 200_000  # a "page" longer than this is not a page: refuse rather than hold it all


def sniff(head: bytes, filename: str) -> bool:
    text = strip_bom(head).decode("utf-8", "replace").lstrip()
    if not text or text[0] in "{[<":
        return False
    if not _ANY_ID.search(text):
        return False
    return sum(p in text for p in _PAGE_PHRASES) >= 2


def read(stream: BinaryIO, origin: str) -> Iterator[Parsed | ImportProblem]:
    return read_text_blocks(
        _pages(stream), parse_page, origin, "study",
        "no 'ClinicalTrials.gov Identifier: NCT…' line: not a ClinicalTrials.gov study page")


_PREAMBLE = re.compile(
    r"^\s*(?:$|\|+\s*$|!\[|The safety and scientific validity|Listing a study|Trial record \d+ of|Previous Study|"
    r"Return to List|Next Study|Save this study|Warning)",
    re.I,
)


def _pages(stream: BinaryIO) -> Iterator[list[str]]:
    """Split the input into pages, streaming line by line."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline=None)
    buf: list[str] = []
    has_header = False
    for line in text_lines(text, "page text"):
        if _HEADER_ID.match(line):
            # The new page began at its title: the last non-preamble line before this header.
            cut = len(buf)
            while cut > 0 and _PREAMBLE.match(buf[cut - 1]):
                cut -= 1
            cut = max(cut - 1, 0)
            # What came before is the previous page — or, before the first header, stray text, kept with the page
            # as always unless it holds labelled rows: then it is (the rest of) a page that lost its header, and
            # read with the page below it, its identifier and values would be taken for that page's.
            if has_header or any(_row(_tabs(b)) for b in buf[:cut]):
                yield buf[:cut]
                buf = buf[cut:]
            has_header = True
        buf.append(line)
        if len(buf) > _MAX_PAGE_LINES:
            raise SourceError(f"more than {_MAX_PAGE_LINES} lines without a new page: not a study page")
    if has_header:
        yield buf


# ---------------------------------------------------------------- labelled rows
# A labelled row: "Label : value", "Label: | value |" or "Label: |" with the value on the following lines.
_ROW = re.compile(r"^\s*([A-Za-z][A-Za-z0-9 .,/()'\-]*?)\s*:\s*(\|)?\s*(.*)$")


_TEXT_SECTIONS = ("criteria", "summary", "description")
_LIST_CELLS = ("other_ids", "keywords", "mesh")  # cells that list one item a line


def _label_key(label: str) -> str:
    return re.sub(r"\s+", " ", label.strip().lower())


def _strip_cell(text: str) -> str:
    return re.sub(r"\s*\|\s*$", "", text.strip()).strip()


def _tabs(line: str) -> str:
    # A browser copy separates table cells with tabs where the markdown-like copy has "|".
    return re.sub(r"\s*\t+\s*", " | ", line).strip() if "\t" in line else line.strip()


def _row(line: str) -> tuple[re.Match[str], str] | None:
    """A labelled row of a known label, and its handler."""
    m = _ROW.match(line)
    handler = parts.label_kind(_label_key(m[1])) if m else None
    return (m, handler) if m and handler else None


def parse_page(lines: list[str], origin: str, position: str, raw: bytes) -> TrialRecord:
    p = parts.PageState()
    i = 0
    n = len(lines)
    while i < n:
        original = lines[i].strip()
        line = _tabs(lines[i])
        i += 1
        if not line or parts.is_boilerplate(line):
            if not line and p.section in ("summary", "description"):
                p.text_lines.setdefault(p.section, []).append("")
            elif not line and p.section == "criteria":
                p.criteria.append("")
            continue
        heading = parts.heading(line)
        if heading:
            p.enter(heading, line)
            continue
        row = _row(line)
        # Inside running text a label counts only if it is a table row or unmistakably a CT.gov label.
        if row and (row[0][2] or p.section not in _TEXT_SECTIONS or row[1] in parts.STRONG_LABELS):
            m, handler = row
            value = rest = m[3]
            if m[2] is not None and "|" not in value and (not value.strip() or handler in _LIST_CELLS):
                # The cell goes on over the next lines: up to a closing "|" (markdown-like copy) or up to the next
                # label or heading (browser copy, where a cell keeps its line breaks).
                cell = [value] if value.strip() else []
                while i < n:
                    nxt = _tabs(lines[i])
                    if not nxt or parts.heading(nxt) or _row(nxt) or parts.is_boilerplate(nxt):
                        break
                    i += 1
                    if "|" in nxt:
                        cell.append(nxt.split("|")[0].strip())
                        break
                    cell.append(nxt)
                value = rest = "\n".join(c for c in cell if c)
            elif m[2] is not None:
                value = value.split("|")[0]
            p.label(handler, m[1], value.strip(), rest, m[2] is not None)
            continue
        p.line(original if p.section in _TEXT_SECTIONS else line)
    p.finish()
    return _build(p, origin, position, raw)


def _ref_texts(p: parts.PageState, skip: set[str]) -> list[str]:
    texts = [p.title or "", p.kv.get("official_title", "")]
    texts += ["\n".join(v) for v in p.text_lines.values()]
    texts += p.criteria + [o[0] + " " + (o[2] or "") for o in p.outcomes]
    texts += [a.label or "" for a in p.arms] + [a.description or "" for a in p.arms]
    texts += [iv.name for iv in p.interventions.values()]
    for name in ("conditions", "keywords", "mesh"):
        if name not in skip:
            texts.append(p.cells.get(name, ""))
    return texts


def _split_list(p: parts.PageState, name: str, kind: str) -> list[str]:
    cell = p.cells.get(name, "")
    rows = [_strip_cell(x) for x in cell.split("\n")]
    rows = [x for x in rows if x]
    if len(rows) > 1:
        return rows  # the copy kept the cell's line breaks: one item per line
    if not rows:
        return []
    return segment(rows[0], reference(_ref_texts(p, {name})), kind=kind)


def _build(p: parts.PageState, origin: str, position: str, raw: bytes) -> TrialRecord:
    if not p.nct:
        raise ValueError("page names no NCT identifier")
    nct = canonical_id(p.nct)
    kv = p.kv
    # The same helper as the other CT.gov formats, so the IDs come out identical: the first "Other Study ID
    # Number" is the org study ID, the rest are secondary IDs.
    ids = registry_ids(nct, p.other_ids[:1], p.other_ids[1:])

    status_text = kv.get("status")
    why = None
    if status_text:
        m = re.fullmatch(r"(.*?)\s*\((.+)\)", status_text)
        if m:
            status_text, why = m[1], m[2]
    why = why or p.why_stopped

    conditions = [Condition(text=c) for c in _split_list(p, "conditions", "condition")]
    mesh = [MeshTerm(id=None, label=t) for t in _split_list(p, "mesh", "condition")]
    keywords = _split_list(p, "keywords", "keyword")

    lead = p.sponsors[0] if p.sponsors else None
    sponsors = [Sponsor(name=lead, role="lead")] if lead else []
    sponsors += [Sponsor(name=c, role="collaborator") for c in p.sponsors[1:]]
    contacts = list(p.contacts)
    rp = kv.get("responsible_party")
    if rp:
        person = people.responsible_party(rp, lead)
        if person is None:  # the sponsor itself is responsible
            name = lead if rp.strip().lower() == "sponsor" and lead else rp.strip()
            sponsors.append(Sponsor(name=name, role="responsible_party"))
        else:
            sponsors.append(Sponsor(name=person.name or rp, role="responsible_party"))
            contacts.insert(0, person)

    incl, excl = vocab.split_criteria("\n".join(p.criteria))
    min_age, max_age = people.ages(kv.get("ages"))
    outcomes_primary = [Outcome(measure=m, time_frame=t, description=d) for m, t, d, c in p.outcomes if c == "primary"]
    outcomes_secondary = [Outcome(measure=m, time_frame=t, description=d) for m, t, d, c in p.outcomes
                          if c == "secondary"]
    outcomes_secondary += [Outcome(measure=m, time_frame=t, description=d) for m, t, d, c in p.outcomes
                           if c == "other"]
    summary = vocab.clean("\n".join(p.text_lines.get("summary", [])))
    description = vocab.clean("\n".join(p.text_lines.get("description", [])))

    record = TrialRecord(
        id=nct,
        registry="ClinicalTrials.gov",
        registry_ids=ids,
        title=vocab.clean(p.title),
        official_title=vocab.clean(kv.get("official_title")),
        acronym=vocab.clean(kv.get("acronym")),
        brief_summary=summary,
        detailed_description=description,
        status=vocab.status(status_text),
        status_raw=vocab.clean(status_text),
        last_known_status=vocab.status(kv.get("last_known")),
        why_stopped=vocab.clean(why),
        phases=vocab.phases(p.phase_text) if p.phase_text else [],
        study_type=vocab.study_type(kv.get("study_type")),
        enrollment=Enrollment(count=vocab.enrollment_count(kv.get("enrollment")),
                              type=vocab.date_type(kv.get("enrollment_type"))),
        dates=p.dates(),
        conditions=conditions,
        condition_mesh=mesh,
        interventions=list(p.interventions.values()),
        eligibility=Eligibility(
            min_age_years=min_age, max_age_years=max_age, sex=vocab.sex(kv.get("sex")),
            healthy_volunteers=vocab.yes_no(kv.get("healthy")), inclusion=incl, exclusion=excl,
            text=vocab.clean("\n".join(p.criteria)),
        ),
        design=Design(
            allocation=vocab.design_value(kv.get("allocation")),
            intervention_model=vocab.design_value(kv.get("intervention_model")),
            masking=vocab.design_value(kv.get("masking")),
            primary_purpose=vocab.design_value(kv.get("primary_purpose")),
        ),
        arms=p.arms,
        outcomes={"primary": outcomes_primary, "secondary": outcomes_secondary},
        sponsors=sponsors,
        contacts=contacts,
        locations=p.locations,
        keywords=keywords,
        regulatory=Regulatory(fda_regulated_drug=vocab.yes_no(kv.get("fda_drug")),
                              fda_regulated_device=vocab.yes_no(kv.get("fda_device"))),
        source=make_source(NAME, raw, origin, position, url=ctgov_url(nct)),
    )
    return record

