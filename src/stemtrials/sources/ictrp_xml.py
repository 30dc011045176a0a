"""WHO ICTRP XML, both layouts:

* the search-portal export ``<Trials_downloaded_from_ICTRP><Trial><TrialID>…<Public_title>…</Trial>…`` — one flat
  element per field, named like the CSV export's columns;
* the per-trial XML ``<trials><Triall><main><trial_id>…</main><contacts><contact>…</contact></contacts>
  <countries><country2>…</country2></countries><criteria>…</criteria>…</Triall></trials>`` (ICTRP spells the record
  element "Triall"), with typed Public/Scientific contacts and lists as repeated elements.

Files are streamed with ``lxml.etree.iterparse`` and each trial element is cleared once mapped. Security is that of
:mod:`.ctgov_legacy_xml` (whose prolog scan is reused): no DTD loading, no network, no entity resolution, no huge
trees, and an input whose DOCTYPE declares entities is refused outright.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from lxml import etree

from ._ictrp_common import Fields, build_record
from ._xml_safe import iter_events, release
from .base import ImportProblem, Parsed, SourceError, problem_from, strip_bom

NAME = "ictrp_xml"
DESCRIPTION = "WHO ICTRP XML: search-portal export (<Trials_downloaded_from_ICTRP>), per-trial (<trials><Triall>)"

_TAGS = ("Trial", "Triall", "trial")
_PORTAL = re.compile(rb"<Trials_downloaded_from_ICTRP[\s>/]")
_PER_TRIAL = re.compile(rb"<trials[\s>/]")
_PER_TRIAL_RECORD = re.compile(rb"<Triall[\s>/]|<trial_id[\s>/]")
# Nested lists of the per-trial layout: container → (item tag, field name it joins into).
_LISTS = {
    "countries": ("country2", "countries"),
    "health_condition_code": ("hc_code", "hc_code"),
    "health_condition_keyword": ("hc_keyword", "hc_keyword"),
    "intervention_code": ("i_code", "i_code"),
    "intervention_keyword": ("i_keyword", "i_keyword"),
    "primary_outcome": ("prim_outcome", "prim_outcome"),
    "secondary_outcome": ("sec_outcome", "sec_outcome"),
    "secondary_sponsor": ("sponsor_name", "sponsor_name"),
    "source_support": ("source_name", "source_name"),
}


def sniff(head: bytes, filename: str) -> bool:
    text = strip_bom(head).lstrip()
    if not text.startswith(b"<"):
        return False
    return bool(_PORTAL.search(text) or (_PER_TRIAL.search(text) and _PER_TRIAL_RECORD.search(text)))


def read(stream: BinaryIO, origin: str) -> Iterator[Parsed | ImportProblem]:
    count = 0
    depth = 0  # a <trial> inside a trial element is a field, not a record
    for event, elem in iter_events(stream, _TAGS, "ICTRP XML"):
        if event == "start":
            depth += 1
            continue
        depth -= 1
        if depth:
            continue
        count += 1
        yield _one(elem, origin, f"record {count}")
        release(elem)
    if count == 0:
        raise SourceError("no ICTRP <Trial> or <Triall> element found")


def _one(elem: etree._Element, origin: str, position: str) -> Parsed | ImportProblem:
    try:
        raw = etree.tostring(elem, encoding="utf-8", with_tail=False)
        if elem.find("main") is not None:
            values, people = _per_trial(elem)
        else:
            values = {child.tag: _all_text(child) for child in elem if isinstance(child.tag, str)}
            people = None
        fields = Fields(values)
        if fields.get("id") is None:
            return ImportProblem(origin, position, "no TrialID")
        record = build_record(fields, fmt=NAME, raw=raw, origin=origin, position=position, people=people)
        return Parsed(record=record, raw=raw, position=position)
    except Exception as exc:  # a bad record must not stop the file
        return problem_from(exc, origin, position)


def _all_text(elem: etree._Element) -> str | None:
    """The element's text, child elements' text included (an odd export may wrap values in markup)."""
    value = "".join(elem.itertext())
    return value if value.strip() else None


def _per_trial(elem: etree._Element) -> tuple[dict[str, object], list[dict[str, str | None]]]:
    """The nested per-trial layout flattened into the flat layout's fields, plus its typed contacts."""
    values: dict[str, object] = {}
    for section in ("main", "criteria"):
        node = elem.find(section)
        if node is not None:
            values.update({c.tag: _all_text(c) for c in node if isinstance(c.tag, str)})
    for container, (item, field) in _LISTS.items():
        texts = [t for t in (_all_text(n) for n in elem.findall(f"{container}/{item}")) if t]
        if texts:
            values[field] = ";".join(texts)
    ids = [t for t in (_all_text(n) for n in elem.findall("secondary_ids/secondary_id/sec_id")) if t]
    if ids:
        values["secondary_ids"] = ";".join(ids)
    people = []
    for c in elem.findall("contacts/contact"):
        kind = (c.findtext("type") or "").strip().lower()
        people.append({
            "role": f"{kind}_contact" if kind in ("public", "scientific") else "contact",
            "first": c.findtext("firstname"), "middle": c.findtext("middlename"), "last": c.findtext("lastname"),
            "address": c.findtext("address"), "city": c.findtext("city"), "email": c.findtext("email"),
            "phone": c.findtext("telephone"), "affiliation": c.findtext("affiliation"),
        })
    return values, people
