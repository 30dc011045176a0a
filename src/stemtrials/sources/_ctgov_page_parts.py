"""The line-by-line state of :mod:`.ctgov_page`: headings, labelled rows, tables, locations, people.

Kept apart from the module that drives it so that each stays small; nothing here is a format of its own.
"""

from __future__ import annotations

import re

from .. import vocab
from ..model import Arm, Contact, DateInfo, Dates, Intervention, Location
from . import _ctgov_page_people as people

# ---------------------------------------------------------------- what a line is
_BOILERPLATE = re.compile(
    r"^(?:!\[|The safety and scientific validity|Listing a study does not|Read our disclaimer|"
    r"[-*•]?\s*(?:Study Details|Tabular View|Full Text View|No (?:Study )?Results Posted|Study Results|Disclaimer|"
    r"How to Read a Study Record)\s*$|"
    r"Choosing to participate in a study|Information from the National Library of Medicine|Go to\b|"
    r"Layout table for|(?:Hide|Show) (?:glossary|detailed description)|Study Description\s*$|-{3}\|)",
    re.I,
)

_HEADINGS: list[tuple[re.Pattern[str], str, bool]] = [
    # (pattern, section, whether the line's remainder after the match is content)
    (re.compile(r"^Brief Summary\s*:?\s*", re.I), "summary", True),
    (re.compile(r"^Detailed Description\s*:?\s*", re.I), "description", True),
    (re.compile(r"^\|?\s*Condition or disease\s*\|", re.I), "cond_table", False),
    (re.compile(r"^\|?\s*(?:Arm|Group/Cohort)\s*\|\s*Intervention/treatment", re.I), "arms", False),
    (re.compile(r"^Original (?:Primary|Secondary|Other)[A-Za-z -]*Outcome Measures?\s*:?\s*$", re.I), "skip", False),
    (re.compile(r"^(?:Current )?Primary Outcome Measures?\s*:?\s*$", re.I), "out:primary", False),
    (re.compile(r"^(?:Current )?Secondary Outcome Measures?\s*:?\s*$", re.I), "out:secondary", False),
    (re.compile(r"^(?:Current )?Other(?: Pre-specified)? Outcome Measures?\s*:?\s*$", re.I), "out:other", False),
    (re.compile(r"^Outcome Measures\s*:?\s*$", re.I), "out:primary", False),
    (re.compile(r"^(?:Key |Main )?(?:Inclusion|Exclusion) Criteri(?:a|on)s?\b", re.I), "criteria", True),
    (re.compile(r"^Criteria\s*:?\s*$", re.I), "criteria", False),
    (re.compile(r"^Eligibility Criteria\s*:?\s*$", re.I), "eligibility", False),
    (re.compile(r"^(?:Contacts and Locations|To learn more about this study|Please refer to this study by|"
                r"Contacts\s*$)", re.I), "contacts", False),
    (re.compile(r"^(?:Locations\s*$|(?:Show|Hide) \d* ?Study Locations)", re.I), "locations", False),
    (re.compile(r"^Sponsors and Collaborators\s*$", re.I), "sponsors", False),
    (re.compile(r"^Investigators\s*$", re.I), "investigators", False),
    (re.compile(r"^(?:More Information|Publications|Additional Information)\b", re.I), "more", False),
    (re.compile(r"^Study Design\s*$", re.I), "design", False),
    (re.compile(r"^Study Population\s*:?\s*$", re.I), "skip", False),  # observational studies: not criteria
]


def is_boilerplate(line: str) -> bool:
    return bool(_BOILERPLATE.match(line))


def heading(line: str) -> tuple[str, str] | None:
    for pattern, section, keep in _HEADINGS:
        m = pattern.match(line)
        if m:
            # A criteria heading is itself part of the criteria text; other headings carry text after the colon.
            return section, ((line if section == "criteria" else line[m.end():]) if keep else "")
    return None


# Labelled rows: normalised label → handler name.
_LABELS: list[tuple[re.Pattern[str], str]] = [(re.compile(p + r"$"), h) for p, h in [
    (r"clinicaltrials\.gov identifier", "nct"),
    (r"recruitment status", "status"),
    (r"recruitment status was", "last_known"),
    (r"first posted", "first_posted"),
    (r"last update posted", "last_update"),
    (r"last verified", "verified"),
    (r"results first posted|first received|last updated|last verified date", "ignore"),
    (r"study type", "study_type"),
    (r"(?:(estimated|actual|anticipated) )?enrollment", "enrollment"),
    (r"allocation", "allocation"),
    (r"intervention model", "intervention_model"),
    (r"masking", "masking"),
    (r"primary purpose", "primary_purpose"),
    (r"observational model|time perspective|biospecimen retention|biospecimen description|sampling method|"
     r"expanded access type|plan to share ipd|ipd sharing|individual participant data \(ipd\) sharing statement|"
     r"product manufactured in and exported from the u\.s\.|pediatric postmarket surveillance of a device product|"
     r"device product not approved or cleared by u\.s\. fda|has expanded access|history of changes|"
     r"supporting materials|time frame|access criteria|url|publications|publications of results|"
     r"publications automatically indexed to this study by clinicaltrials\.gov identifier \(nct number\)",
     "ignore"),
    (r"official title", "official_title"),
    (r"acronym", "acronym"),
    (r"(?:(estimated|actual|anticipated) )?study start(?: date)?", "start"),
    (r"(?:(estimated|actual|anticipated) )?primary completion(?: date)?", "primary_completion"),
    (r"(?:(estimated|actual|anticipated) )?(?:study )?completion(?: date)?", "completion"),
    (r"ages eligible for study", "ages"),
    (r"(?:sexes|genders) eligible for study", "sex"),
    (r"accepts healthy volunteers", "healthy"),
    (r"responsible party", "responsible_party"),
    (r"other study id numbers?", "other_ids"),
    (r"studies a u\.s\. fda-regulated drug product", "fda_drug"),
    (r"studies a u\.s\. fda-regulated device product", "fda_device"),
    (r"keywords provided by.*", "keywords"),
    (r"additional relevant mesh terms", "mesh"),
    (r"sponsor", "hdr_sponsor"),
    (r"collaborators?", "hdr_collab"),
    (r"information provided by \(responsible party\)|information provided by", "hdr_info"),
    (r"(?:backup )?contact", "contact"),
    (r"principal investigator|study director|study chair|sub-?investigator|investigator", "official"),
]]
# Labels weak enough to be ordinary words in running text: taken inside summaries and criteria only with a "|".
_WEAK = {"hdr_sponsor", "hdr_collab", "hdr_info", "allocation", "masking", "acronym", "contact", "official",
         "enrollment", "start", "completion", "primary_completion", "status", "ignore"}
_MORE = {"responsible_party", "other_ids", "fda_drug", "fda_device", "keywords", "mesh", "verified", "nct",
         "first_posted", "last_update"}
_SECTION_OF = {
    "study_type": "design", "enrollment": "design", "allocation": "design", "intervention_model": "design",
    "masking": "design", "primary_purpose": "design", "official_title": "design", "start": "design",
    "primary_completion": "design", "completion": "design", "ages": "eligibility", "sex": "eligibility",
    "healthy": "eligibility",
}
STRONG_LABELS = frozenset(h for _, h in _LABELS) - _WEAK


def label_kind(key: str) -> str | None:
    for pattern, handler in _LABELS:
        if pattern.match(key):
            return handler
    return None


_ARM_TYPE = re.compile(
    r"^(Experimental|Active Comparator|Placebo Comparator|Sham Comparator|No Intervention|Other)\s*:\s*(.*)$", re.I)
_IV_TYPES = (r"Drug|Biological|Device|Procedure|Procedure/Surgery|Radiation|Behavioral|Genetic|Dietary Supplement|"
             r"Combination Product|Diagnostic Test|Other|Biological/Vaccine")
_IV_START = re.compile(rf"^({_IV_TYPES})\s*:\s*(.*)$", re.I)
_IV_SPLIT = re.compile(rf"\s+(?=(?:{_IV_TYPES})\s*:\s)")
_OUTCOME = re.compile(r"^(?:[-*•]|\d{1,2}\.)\s*(.+?)\s*\[\s*Time Frame:\s*(.*?)\s*\]\s*(.*)$", re.I)


def _cells(text: str) -> list[str]:
    return [c.strip() for c in text.split("|")]


def _first_cell(line: str) -> str:
    for c in _cells(line):
        if c:
            return c
    return ""


class PageState:
    """What has been read so far, and which part of the page the next line belongs to."""

    def __init__(self) -> None:
        self.section = "header"
        self.nct: str | None = None
        self.title: str | None = None
        self.kv: dict[str, str] = {}
        self.text_lines: dict[str, list[str]] = {}
        self.cells: dict[str, str] = {}
        self.cond_header: list[str] = []
        self.cond_lines: list[str] = []
        self.arm_lines: list[str] = []
        self.phase_text: str | None = None
        self.criteria: list[str] = []
        self.outcomes: list[tuple[str, str | None, str | None, str]] = []
        self.out_category = "primary"
        self.loc_lines: list[str] = []
        self.sponsors: list[str] = []
        self.hdr_sponsors: list[str] = []
        self.contacts: list[Contact] = []
        self.other_ids: list[str] = []
        self.why_stopped: str | None = None
        self.more_seen = False
        self.orphans: list[list[str]] = []
        self.interventions: dict[tuple[str | None, str], Intervention] = {}
        self.arms: list[Arm] = []
        self.locations: list[Location] = []
        self._last = ""
        self._finished = False

    # -------------------------------------------------------- events
    def enter(self, heading: tuple[str, str], line: str) -> None:
        section, content = heading
        self._last = ""
        if section.startswith("out:"):
            self.section, self.out_category = "outcomes", section[4:]
            return
        self.section = section
        if section == "cond_table":
            self.cond_header = [c.lower() for c in _cells(line) if c]
        elif section in ("summary", "description") and content.strip():
            self.text_lines.setdefault(section, []).append(content.strip())
        elif section == "criteria" and content:
            self.criteria.append(content)
        elif section == "more":
            self.more_seen = True

    def label(self, handler: str, raw_label: str, value: str, rest: str, piped: bool) -> None:
        """A labelled row: ``value`` is its (first) cell, ``rest`` everything after the colon."""
        value = re.sub(r"\s*\|\s*$", "", value).strip()
        self._last = handler
        if handler in _SECTION_OF:
            self.section = _SECTION_OF[handler]
        elif handler in _MORE and piped:
            self.section, self.more_seen = "more", True
        if handler == "nct":
            m = re.search(r"NCT\s*\d{8}", value, re.I)
            if m and not self.nct:
                self.nct = m[0]
        elif handler in ("first_posted", "last_update", "verified"):
            self.kv.setdefault(handler, re.sub(r"\s*Key Record Dates\s*$", "", value, flags=re.I))
        elif handler in ("start", "primary_completion", "completion", "enrollment"):
            m = re.match(r"\s*(estimated|actual|anticipated)\b", raw_label, re.I)
            self.kv[handler] = value
            if m:
                self.kv[handler + "_type"] = m[1]
            elif handler == "enrollment":
                m = re.search(r"\((actual|anticipated|estimated)\)", value, re.I)
                self.kv["enrollment_type"] = m[1] if m else ""
        elif handler in ("keywords", "mesh"):
            self.cells[handler] = value
        elif handler == "other_ids":
            for row in value.split("\n"):
                tokens = row.split()
                if len(tokens) > 1 and all(len(t) >= 4 and re.search(r"\d", t) for t in tokens):
                    self.other_ids += tokens
                elif row.strip():
                    self.other_ids.append(row.strip())
        elif handler == "hdr_sponsor":
            self.section = "hdr_sponsor"
            if value:
                self.hdr_sponsors.insert(0, value)
        elif handler == "hdr_collab":
            self.section = "hdr_collab"
            if value:
                self.hdr_sponsors.append(value)
        elif handler == "hdr_info":
            self.section = "hdr_info"
            if value:
                self.kv.setdefault("info_rp", value)
        elif handler in ("contact", "official"):
            if self.section in ("contacts", "locations"):
                self.loc_lines.append(f"{raw_label.strip()}: {rest}")
            elif handler == "official":
                cells = [c for c in _cells(rest) if c]
                if cells:
                    self.contacts.append(Contact(role="overall_official", name=cells[0],
                                                 title=vocab.clean(raw_label),
                                                 affiliation=cells[1] if len(cells) > 1 else None))
            else:
                contact = people.central_contact(rest)
                if contact:
                    self.contacts.append(contact)
        elif handler != "ignore":
            self.kv.setdefault(handler, value)

    def line(self, line: str) -> None:
        s = self.section
        if s == "header":
            m = re.match(r"^Verified (\w+\.? \d{4}) by\b", line, re.I)
            if m:
                self.kv.setdefault("verified", m[1])
            elif self._last == "status" and re.fullmatch(r"\(.+\)", line.strip(" |")):
                self.why_stopped = line.strip(" |")[1:-1]
            elif self.title is None and line.strip(" |"):
                self.title = line.strip(" |")
        elif s in ("summary", "description"):
            self.text_lines.setdefault(s, []).append(line)
        elif s == "cond_table":
            self.cond_lines.append(line)
        elif s == "arms":
            if _OUTCOME.match(line):  # outcome bullets straight after the arms table: their heading was lost
                self.section = "outcomes"
                self.line(line)
            else:
                self.arm_lines.append(line)
        elif s == "outcomes":
            m = _OUTCOME.match(line)
            if m:
                self.outcomes.append((m[1], m[2] or None, m[3] or None, self.out_category))
            elif re.match(r"^(?:[-*•]|\d{1,2}\.)\s+\S", line):
                self.outcomes.append((re.sub(r"^(?:[-*•]|\d{1,2}\.)\s+", "", line), None, None, self.out_category))
            elif self.outcomes and line.strip(" |"):
                m_, t, d, c = self.outcomes[-1]
                self.outcomes[-1] = (m_, t, f"{d}\n{line}" if d else line, c)
        elif s in ("criteria", "eligibility"):
            if line.strip() != "|":
                self.section = "criteria"
                self.criteria.append(line)
        elif s in ("contacts", "locations"):
            self.loc_lines.append(line)
        elif s == "sponsors":
            if line.strip(" |"):
                self.sponsors.append(_first_cell(line))
        elif s in ("hdr_sponsor", "hdr_collab"):
            if line.strip(" |"):
                if s == "hdr_sponsor":
                    self.hdr_sponsors.insert(0, _first_cell(line))
                    self.section = "header"
                else:
                    self.hdr_sponsors.append(_first_cell(line))
        elif s == "hdr_info":
            self.kv.setdefault("info_rp", _first_cell(line))
            self.section = "header"
        elif s == "more" and self.more_seen and line.strip(" |"):
            # A cell whose label the copy lost (the seed's keywords): consecutive lines form one cell.
            if self._last != "orphan":
                self.orphans.append([])
            self.orphans[-1].append(line.strip(" |"))
            self._last = "orphan"
            return
        if self._last == "orphan":
            self._last = ""

    # -------------------------------------------------------- end of page
    def finish(self) -> None:
        if self._finished:
            return
        self._finished = True
        self._conditions_table()
        self._arms_table()
        self.locations, central = people.locations(self.loc_lines)
        self.contacts += central
        if not self.sponsors:
            self.sponsors = [x for x in self.hdr_sponsors if x]
        if "responsible_party" not in self.kv and "info_rp" in self.kv:
            self.kv["responsible_party"] = self.kv["info_rp"]
        # Unlabelled trailing cells: the page order is keywords, then MeSH terms.
        groups = ["\n".join(g) if len(g) > 1 else g[0] for g in self.orphans if g]
        for name in ("keywords", "mesh"):
            if name not in self.cells and groups:
                self.cells[name] = groups.pop(0)

    def _add_interventions(self, cell: str) -> list[str]:
        names: list[str] = []
        current: Intervention | None = None
        in_other = False
        for raw in cell.split("\n"):
            line = raw.strip()
            if not line:
                continue
            pieces = _IV_SPLIT.split(line) if _IV_START.match(line) else [line]
            for piece in pieces:
                m = _IV_START.match(piece)
                if m and m[2].strip():
                    kind, name = vocab.split_typed_name(piece)
                    key = (kind, name)
                    current = self.interventions.setdefault(key, Intervention(type=kind, name=name))
                    names.append(name)
                    in_other = False
                elif current is None:
                    continue
                elif re.match(r"^Other Names?\s*:", piece, re.I):
                    in_other = True
                    rest = piece.split(":", 1)[1].strip()
                    if rest:
                        current.other_names.append(rest.lstrip("-• ").strip())
                elif in_other and piece[:1] in "-•*":
                    other = piece.lstrip("-•* ").strip()
                    if other and other not in current.other_names:
                        current.other_names.append(other)
                else:
                    in_other = False
                    current.description = vocab.clean(f"{current.description}\n{piece}" if current.description
                                                      else piece)
        return names

    def _conditions_table(self) -> None:
        if not self.cond_lines:
            return
        cells = _cells("\n".join(x for x in self.cond_lines if not re.fullmatch(r"[-|: ]+", x)))
        header = self.cond_header or ["condition or disease", "intervention/treatment", "phase"]
        for k, column in enumerate(header):
            if k >= len(cells):
                break
            if column.startswith("condition"):
                self.cells["conditions"] = cells[k]
            elif column.startswith("intervention"):
                self._add_interventions(cells[k])
            elif column.startswith("phase") and cells[k].strip():
                self.phase_text = " ".join(cells[k].split())

    def _arms_table(self) -> None:
        if not self.arm_lines:
            return
        expect = "arm"
        cells: list[str] = []
        for cell in _cells("\n".join(x for x in self.arm_lines if not re.fullmatch(r"[-|: ]+", x) or x == "|")):
            # Without cell ends ("|") an arm's first line may follow the previous row's interventions, and the
            # interventions may follow the arm's description: cut before each typed line ("Drug: …").
            rows = cell.strip().split("\n")
            cut, in_iv = [], False
            for k, x in enumerate(rows):
                if _ARM_TYPE.match(x.strip()):
                    cut, in_iv = [*cut, k] if k else cut, False
                elif _IV_START.match(x.strip()) and not in_iv:
                    cut, in_iv = [*cut, k] if k else cut, True
            for a, b in zip([0, *cut], [*cut, len(rows)], strict=True):
                cells.append("\n".join(rows[a:b]))
        for cell in cells:
            lines = [x.strip() for x in cell.strip().split("\n") if x.strip()]
            first = lines[0] if lines else ""
            m = _ARM_TYPE.match(first)
            if m or (first and expect == "arm" and not _IV_START.match(first)):
                label = m[2] if m else first
                self.arms.append(Arm(label=vocab.clean(label), type=vocab.kind_value(m[1]) if m else None,
                                     description=vocab.clean("\n".join(lines[1:]))))
                expect = "iv"
            elif first:
                if not self.arms:
                    self.arms.append(Arm())
                for name in self._add_interventions("\n".join(lines)):
                    if name not in self.arms[-1].interventions:
                        self.arms[-1].interventions.append(name)
                expect = "arm"
            elif expect == "iv":
                expect = "arm"  # an empty interventions cell (e.g. "No Intervention" arms)

    def dates(self) -> Dates:
        kv = self.kv

        def typed(name: str) -> DateInfo | None:
            return vocab.date_info(kv.get(name), kv.get(name + "_type"))

        verified = vocab.date_info(kv.get("verified"))
        if verified is not None:
            verified = DateInfo(date=verified.date, type=None)
        return Dates(start=typed("start"), primary_completion=typed("primary_completion"),
                     completion=typed("completion"), first_posted=vocab.date_info(kv.get("first_posted")),
                     last_update=vocab.date_info(kv.get("last_update")), verified=verified)
