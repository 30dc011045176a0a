"""The real material synthetic corpora are made of (bench/gen_corpus.py): templates and vocabulary pools drawn from
the records in ../shared and from the shipped ontology snapshot. Nothing here is invented: every title word,
condition, intervention name, sponsor and site comes from a real record or a real ontology term.

- **v2 templates**: the complete ones (60) of the 62 distinct ClinicalTrials.gov API v2 studies of ``data/ctgov/v2``
  give the structure, the mix of modules (results sections, documents, many or no sites) and the text lengths. None
  is a stem-cell trial. (The three classic ``FullStudiesResponse`` studies are not used: PascalCase keys and classic
  value spellings — "Not yet recruiting", "March 4, 2021" — make them another format, not more v2 templates.)
- **stem-cell content**: the 995 real MSC trials (classic study_fields JSONL) and the 66 iPSC trials of the website CSV
  export: titles, summaries, conditions with NLM's MeSH, cell-product interventions, sponsors, sites, ages, phases.
- **non-stem-cell vocabulary**: titles, conditions, interventions and sponsors of the v2 studies and of the ICTRP
  export, the non-cell interventions of the MSC trials (placebo, standard care, …), and disease labels of the
  ontology snapshot (MeSH descriptors with their entry terms and IDs, Mondo labels).
- **ICTRP templates**: the real ICTRP portal-export ``<Trial>`` elements, and the real mix of non-NCT registry IDs
  of the ICTRP CSV exports.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
SHARED = ROOT.parent / "shared"
CTGOV = SHARED / "data" / "ctgov"
ICTRP = SHARED / "data" / "ictrp"

# Words that make a text about stem cells (or any cell therapy): kept out of the non-stem-cell vocabulary, so that
# a synthetic trial is a stem-cell trial exactly when it was built from stem-cell content.
STEM_LIKE = re.compile(
    r"stem|mesenchym|stromal|progenitor|\bmscs?\b|ipsc|\bips\b|pluripoten|embryo|cord blood|umbilical|marrow|exosom|"
    r"secretome|\bcd34|hematopoi|haematopoi|\bcells?\b|cellular|transplant|graft|regenerat|adipose|vesicle",
    re.IGNORECASE)
_WORD = re.compile(r"^[A-Za-z][A-Za-z\-]{3,}$")


@dataclass(frozen=True)
class ConditionSet:
    """What one trial says it studies: condition texts, keywords, and the registry's MeSH indexing of them."""

    conditions: tuple[str, ...]
    keywords: tuple[str, ...] = ()
    meshes: tuple[tuple[str, str], ...] = ()  # (MeSH ID as v2 writes it, e.g. "D000012595", heading)


@dataclass(frozen=True)
class StemContent:
    """The stem-cell part of one real stem-cell trial, in v2 spelling."""

    brief_title: str
    official_title: str | None
    summary: str | None
    description: str | None
    criteria: str | None
    condition_set: ConditionSet
    interventions: tuple[dict[str, Any], ...]  # v2 intervention objects: type, name, description
    sponsor: tuple[str, str] | None  # (name, v2 class)
    sites: tuple[dict[str, str], ...]
    min_age: str | None
    max_age: str | None
    phases: tuple[str, ...]
    study_type: str | None
    status: str | None


@dataclass
class Vocabulary:
    templates: list[dict[str, Any]]
    stem: list[StemContent]
    condition_sets: list[ConditionSet]
    ictrp_condition_sets: list[ConditionSet]
    mesh_sets: list[ConditionSet]
    mondo_sets: list[ConditionSet]
    title_words: list[str]
    stem_title_words: list[str]
    interventions_by_type: dict[str, list[str]]
    sponsors: list[tuple[str, str]]
    sites: list[dict[str, Any]]
    stem_sites: list[dict[str, Any]]
    ages: list[tuple[str | None, str | None]]
    ictrp_templates: list[dict[str, str | None]]
    ictrp_ids: list[str]


# ---------------------------------------------------------------- small helpers
def _first(row: dict[str, list[str]], key: str) -> str | None:
    values = row.get(key) or []
    return values[0].strip() or None if values else None


def _v2_enum(value: str) -> str:
    """Classic/website spelling → v2 enum: 'Not yet recruiting' → 'NOT_YET_RECRUITING', 'Phase 1' → 'PHASE1'."""
    v = value.strip().upper().replace("/", "_").replace(",", "")
    v = {"UNKNOWN STATUS": "UNKNOWN", "NOT APPLICABLE": "NA", "EARLY PHASE 1": "EARLY_PHASE1"}.get(v, v)
    return re.sub(r"PHASE (\d)", r"PHASE\1", v).replace(" ", "_").replace("-", "_")


def _mesh_id(classic_id: str) -> str:
    """The classic API writes 'D000007938', v2 the same; older exports 'D007938' — both are kept as given."""
    return classic_id.strip()


def _title_words(titles: list[str], *, stem: bool) -> list[str]:
    words = {w.strip(",.:;()") for t in titles for w in t.split()}
    return sorted(w for w in words if _WORD.match(w) and (stem or not STEM_LIKE.search(w)))


# ---------------------------------------------------------------- v2 studies
# A few of the v2 files are test fixtures cut down to a module or two; a registered study always has these.
COMPLETE_STUDY = ("identificationModule", "statusModule", "conditionsModule", "designModule", "eligibilityModule")


def load_v2_studies(*, complete_only: bool = True) -> list[dict[str, Any]]:
    """The distinct real v2 studies (the 10-study export repeats 10 of the 50), by default only the complete ones."""
    by_id: dict[str, dict[str, Any]] = {}
    for path in sorted((CTGOV / "v2").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        studies = data if isinstance(data, list) else data.get("studies", [data])
        for study in studies:
            if not complete_only or all(m in study["protocolSection"] for m in COMPLETE_STUDY):
                by_id.setdefault(study["protocolSection"]["identificationModule"]["nctId"], _without_copies(study))
    return [by_id[k] for k in sorted(by_id)]


def _without_copies(study: dict[str, Any]) -> dict[str, Any]:
    """The study without ``locations_nested``: the 50-study export repeats every site there (a tool's addition; the
    API does not send it), which would double the sites' share of a synthetic study."""
    contacts = study["protocolSection"].get("contactsLocationsModule")
    if not contacts or "locations_nested" not in contacts:
        return study
    lean = {k: v for k, v in contacts.items() if k != "locations_nested"}
    return {**study, "protocolSection": {**study["protocolSection"], "contactsLocationsModule": lean}}


def _v2_condition_set(study: dict[str, Any]) -> ConditionSet | None:
    cm = study["protocolSection"].get("conditionsModule", {})
    conditions = tuple(cm.get("conditions", []))
    if not conditions:
        return None
    meshes = tuple((m["id"], m["term"]) for m in study.get("derivedSection", {}).get("conditionBrowseModule", {})
                   .get("meshes", []) if m.get("id") and m.get("term"))
    return ConditionSet(conditions, tuple(cm.get("keywords", [])), meshes)


def names_a_cell_product(name: str) -> bool:
    """Whether stemtrials' own annotator finds a cell product in an intervention of this name: brand and code
    names (Prochymal, Rexlemestrocel-L, BMMSCs) that no word list catches."""
    from stemtrials.enrich.cell_products import annotate_cell_products
    from stemtrials.model import Intervention, Source, TrialRecord

    probe = TrialRecord(id="NCT00000000", source=Source(format="ctgov_v2"),
                        interventions=[Intervention(type="biological", name=name)])
    return bool(annotate_cell_products(probe).cell_products)


# ---------------------------------------------------------------- stem-cell trials
def _msc_sites(row: dict[str, list[str]]) -> tuple[dict[str, str], ...]:
    """Sites of a study_fields row; the flat lists line up only when they are equally long (else countries only)."""
    facility, city, country = row.get("LocationFacility", []), row.get("LocationCity", []), row.get(
        "LocationCountry", [])
    if facility and len(facility) == len(city) == len(country):
        return tuple({"facility": f, "city": c, "country": k} for f, c, k in zip(facility, city, country,
                                                                                  strict=True))
    return tuple({"country": k} for k in country)


def _msc_interventions(row: dict[str, list[str]]) -> tuple[dict[str, Any], ...]:
    names, types = row.get("InterventionName", []), row.get("InterventionType", [])
    descriptions = row.get("InterventionDescription", [])
    aligned_descriptions = len(descriptions) == len(names)
    out = []
    for i, name in enumerate(names):
        item: dict[str, Any] = {"type": _v2_enum(types[i]) if i < len(types) else "OTHER", "name": name}
        if aligned_descriptions:
            item["description"] = descriptions[i]
        out.append(item)
    return tuple(out)


def load_msc_trials() -> tuple[list[StemContent], list[tuple[str, str]]]:
    """The 995 MSC trials as stem-cell content, and their non-cell interventions as (v2 type, name)."""
    stem: list[StemContent] = []
    non_cell: list[tuple[str, str]] = []
    with gzip.open(CTGOV / "classic" / "msc_trials_study_fields.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            title = _first(row, "BriefTitle")
            conditions = tuple(row.get("Condition", []))
            if not title or not conditions:
                continue
            meshes = tuple(zip(map(_mesh_id, row.get("ConditionMeshId", [])), row.get("ConditionMeshTerm", []),
                               strict=False))
            interventions = _msc_interventions(row)
            non_cell.extend((i["type"], i["name"]) for i in interventions if not STEM_LIKE.search(i["name"]))
            sponsor = _first(row, "LeadSponsorName")
            stem.append(StemContent(
                brief_title=title, official_title=_first(row, "OfficialTitle"), summary=_first(row, "BriefSummary"),
                description=_first(row, "DetailedDescription"), criteria=_first(row, "EligibilityCriteria"),
                condition_set=ConditionSet(conditions, tuple(row.get("Keyword", [])), meshes),
                interventions=interventions,
                sponsor=(sponsor, _first(row, "LeadSponsorClass") or "OTHER") if sponsor else None,
                sites=_msc_sites(row), min_age=_first(row, "MinimumAge"), max_age=_first(row, "MaximumAge"),
                phases=tuple(_v2_enum(p) for p in row.get("Phase", [])),
                study_type=_v2_enum(_first(row, "StudyType") or "Interventional"),
                status=_v2_enum(s) if (s := _first(row, "OverallStatus")) else None))
    return stem, non_cell


_CSV_AGE = re.compile(r"^(?:(?P<min>\d+ \w+) to (?P<max>\d+ \w+)|(?P<min2>\d+ \w+) and older|up to (?P<max2>\d+ \w+))")


def load_ipsc_trials() -> list[StemContent]:
    """The 66 iPSC trials of the website CSV export (title, conditions, typed interventions, sites; no summary)."""
    out = []
    with (CTGOV / "csv_export" / "ipsc_search_export.csv").open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            interventions = []
            for typed in filter(None, row["Interventions"].split("|")):
                kind, _, name = typed.partition(": ")
                interventions.append({"type": _v2_enum(kind), "name": name or kind})
            sites = []
            for loc in filter(None, row["Locations"].split("|")):
                parts = [p.strip() for p in loc.split(",")]
                sites.append({"facility": ", ".join(parts[:-3]) or parts[0], "city": parts[-3] if len(parts) >= 3
                              else parts[0], "country": parts[-1]})
            age = _CSV_AGE.match(row["Age"])
            sponsor = row["Sponsor/Collaborators"].split("|")[0]
            out.append(StemContent(
                brief_title=row["Title"], official_title=None, summary=None, description=None, criteria=None,
                condition_set=ConditionSet(tuple(filter(None, row["Conditions"].split("|")))),
                interventions=tuple(interventions), sponsor=(sponsor, "OTHER") if sponsor else None,
                sites=tuple(sites), min_age=(age["min"] or age["min2"]) if age else None,
                max_age=(age["max"] or age["max2"]) if age else None,
                phases=tuple(_v2_enum(p) for p in filter(None, row["Phases"].split("|"))),
                study_type=_v2_enum(row["Study Type"]) if row["Study Type"] else None,
                status=_v2_enum(row["Status"]) if row["Status"] else None))
    return out


# ---------------------------------------------------------------- ontology labels
def load_ontology_sets() -> tuple[list[ConditionSet], list[ConditionSet]]:
    """Disease conditions from the shipped snapshot: MeSH descriptors of the diseases (C) and mental disorders (F03)
    trees, each under its heading or an entry term, with its ID as a registry would index it; and Mondo labels."""
    from stemtrials.enrich.ontology import snapshot

    conn = snapshot.connect()
    mesh_sets: list[ConditionSet] = []
    for (curie,) in conn.execute("SELECT id FROM terms WHERE id LIKE 'MESH:%' AND flags = 0 ORDER BY id"):
        term = snapshot.term(curie)
        if term is None or not term.label or not any(t[:1] == "C" or t[:3] == "F03" for t in term.tree_numbers):
            continue
        mesh = ((curie.split(":", 1)[1], term.label),)
        names = [term.label, *term.synonyms[:3]]
        # Registries write "Ulcerative Colitis", not MeSH's inverted "Colitis, Ulcerative", when there is a choice.
        natural = [n for n in names if ", " not in n] or names
        mesh_sets.extend(ConditionSet((name,), (), mesh) for name in natural)
    mondo_sets = [ConditionSet((label,)) for (label,) in conn.execute(
        "SELECT label FROM terms WHERE id LIKE 'MONDO:%' AND flags = 0 AND label IS NOT NULL ORDER BY id")]
    return mesh_sets, mondo_sets


# ---------------------------------------------------------------- ICTRP
ICTRP_PORTAL = ICTRP / "ICTRP-Results_18Mar2020.xml.gz"


def load_ictrp_templates() -> list[dict[str, str | None]]:
    """The portal export's non-NCT ``<Trial>`` elements as ordered field → text dicts (CT.gov records reach the
    benchmark corpus as v2 JSON, not through ICTRP)."""
    from lxml import etree

    out = []
    with gzip.open(ICTRP_PORTAL) as f:
        for _, el in etree.iterparse(f, tag="Trial", resolve_entities=False, no_network=True):
            fields = {child.tag: child.text for child in el if isinstance(child.tag, str)}
            if not (fields.get("TrialID") or "").startswith("NCT"):
                out.append(fields)
            el.clear()
    return out


def load_ictrp_ids() -> list[str]:
    """Real non-NCT trial IDs of the ICTRP CSV exports: their shapes give the registry mix of synthetic ICTRP
    records (ChiCTR, EUCTR, IRCT, CTRI, JPRN, ACTRN, ISRCTN, …)."""
    ids = []
    for name in ("COVID19-927-trials_7Apr2020.csv.gz", "ictrp_full_export_sample_nov2020.csv.gz"):
        with gzip.open(ICTRP / name, "rt", encoding="utf-8-sig", errors="replace", newline="") as f:
            reader = csv.reader(f)
            next(reader)
            ids.extend(row[0].strip() for row in reader if row and row[0].strip()
                       and not row[0].startswith("NCT"))
    return ids


# ---------------------------------------------------------------- everything
def load() -> Vocabulary:
    templates = load_v2_studies()
    msc, msc_non_cell = load_msc_trials()
    stem = msc + load_ipsc_trials()
    mesh_sets, mondo_sets = load_ontology_sets()

    interventions: dict[str, set[str]] = defaultdict(set)
    sponsors: set[tuple[str, str]] = set()
    sites: list[dict[str, Any]] = []
    ages: set[tuple[str | None, str | None]] = set()
    titles: list[str] = []
    for study in templates:
        ps = study["protocolSection"]
        ident = ps["identificationModule"]
        titles.extend(t for t in (ident.get("briefTitle"), ident.get("officialTitle")) if t)
        for iv in ps.get("armsInterventionsModule", {}).get("interventions", []):
            if iv.get("name") and not STEM_LIKE.search(iv["name"]):
                interventions[iv.get("type", "OTHER")].add(iv["name"])
        lead = ps.get("sponsorCollaboratorsModule", {}).get("leadSponsor", {})
        if lead.get("name"):
            sponsors.add((lead["name"], lead.get("class", "OTHER")))
        sites.extend(ps.get("contactsLocationsModule", {}).get("locations", []))
        elig = ps.get("eligibilityModule", {})
        ages.add((elig.get("minimumAge"), elig.get("maximumAge")))
    for kind, name in msc_non_cell:
        interventions[kind].add(name)
    interventions = {kind: {n for n in names if not names_a_cell_product(n)} for kind, names in interventions.items()}
    ages.update((s.min_age, s.max_age) for s in msc)
    ictrp_templates = load_ictrp_templates()
    titles.extend(t["Public_title"] or "" for t in ictrp_templates)
    sponsors.update((name, "OTHER") for t in ictrp_templates if (name := (t.get("Primary_sponsor") or "").strip()))
    ictrp_condition_sets = [ConditionSet(tuple(c.strip() for c in (t.get("Condition") or "").split(";") if c.strip()))
                            for t in ictrp_templates if (t.get("Condition") or "").strip()]
    return Vocabulary(
        templates=templates, stem=stem,
        condition_sets=[cs for s in templates if (cs := _v2_condition_set(s))],
        ictrp_condition_sets=ictrp_condition_sets, mesh_sets=mesh_sets, mondo_sets=mondo_sets,
        title_words=_title_words(titles, stem=False),
        stem_title_words=_title_words([s.brief_title for s in stem], stem=True),
        interventions_by_type={k: sorted(v) for k, v in sorted(interventions.items())},
        sponsors=sorted(sponsors), sites=sites,
        stem_sites=[dict(site) for s in stem for site in s.sites],
        ages=sorted(ages, key=lambda a: (a[0] or "", a[1] or "")),
        ictrp_templates=ictrp_templates, ictrp_ids=load_ictrp_ids())
