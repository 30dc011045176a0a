"""Presentation helpers for the templates: human labels for the contract's enums, safe outbound links, URLs that
toggle a filter, and short forms of values. Pure functions of record data — no database, no request state."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from ..export.text_page import short as short_text

STATUS_LABELS = {
    "not_yet_recruiting": "Not yet recruiting",
    "recruiting": "Recruiting",
    "enrolling_by_invitation": "Enrolling by invitation",
    "active_not_recruiting": "Active, not recruiting",
    "suspended": "Suspended",
    "terminated": "Terminated",
    "completed": "Completed",
    "withdrawn": "Withdrawn",
    "unknown": "Unknown status",
    "other": "Other status",
}
PHASE_LABELS = {
    "early_phase1": "Early phase 1",
    "phase1": "Phase 1",
    "phase2": "Phase 2",
    "phase3": "Phase 3",
    "phase4": "Phase 4",
    "not_applicable": "Phase not applicable",
    "other": "Other phase",
}
CATEGORY_LABELS = {
    "msc": "MSC (mesenchymal stromal/stem cells)",
    "hsc": "HSC (haematopoietic stem cells)",
    "hesc_derived": "hESC-derived",
    "hipsc_derived": "hiPSC-derived",
    "neural_stem_cell": "Neural stem cells",
    "other_stem": "Other stem cells",
    "extracellular_vesicles": "Extracellular vesicles",
    "non_stem_cell_therapy": "Non-stem-cell therapy",
}
STUDY_TYPE_LABELS = {
    "interventional": "Interventional",
    "observational": "Observational",
    "expanded_access": "Expanded access",
    "other": "Other",
}
_BY_FACET = {"status": STATUS_LABELS, "phase": PHASE_LABELS, "cell_category": CATEGORY_LABELS,
             "study_type": STUDY_TYPE_LABELS}

# Facets shown in the sidebar, in order, with their headings. The rest of FACETS_SHOWN (sex, sponsor) stay
# reachable through the query string; the sidebar keeps to what people narrow a landscape by.
SIDEBAR_FACETS: tuple[tuple[str, str], ...] = (
    ("status", "Status"),
    ("phase", "Phase"),
    ("cell_category", "Cell category"),
    ("cell_type", "Cell type"),
    ("pluripotent_origin", "Pluripotent origin"),
    ("source_tissue", "Source tissue"),
    ("donor", "Donor"),
    ("condition", "Condition"),
    ("country", "Country"),
    ("study_type", "Study type"),
    ("registry", "Registry"),
    ("sponsor", "Sponsor"),
    ("start_year", "Start year"),
)
FACET_TITLES = dict(SIDEBAR_FACETS) | {"q": "Search", "sex": "Sex", "age": "Age", "start_year_min": "Started from",
                                       "start_year_max": "Started until", "healthy_volunteers": "Healthy volunteers",
                                       "stem_cell_only": "Stem-cell trials only"}
# Query parameters that are filters (everything of api.params.filters); paging and output options are not.
FILTER_PARAMS = ("q", "status", "phase", "study_type", "registry", "country", "condition", "cell_type",
                 "cell_category", "pluripotent_origin", "source_tissue", "donor", "sponsor", "start_year_min",
                 "start_year_max", "age", "sex", "healthy_volunteers", "stem_cell_only")
SORT_LABELS = {"relevance": "Relevance", "start_date": "Start date (newest first)",
               "last_update": "Last update (newest first)", "enrollment": "Enrollment (largest first)"}

# OBO ontologies have PURL IRIs, which OLS4 addresses by the IRI double-URL-encoded; others go through its search.
OBO_PREFIXES = frozenset({"MONDO", "CL", "UBERON", "DOID", "HP", "EFO", "NCIT", "CLO", "OBI", "CHEBI"})


def label(facet: str, value: Any) -> str:
    """The human label of a facet value ("phase1" → "Phase 1"); values without a known label are shown as given."""
    if value is None or value == "":
        return "—"
    text = str(value)
    return _BY_FACET.get(facet, {}).get(text, text)


def humanize(value: Any) -> str:
    """snake_case vocabulary ("non_randomized") → words; booleans → yes/no; anything else as given."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:g}"
    text = str(value)
    if text.islower() and " " not in text:
        return text.replace("_", " ")
    return text


def safe_url(url: Any) -> str | None:
    """Only http(s) URLs become links: a record is untrusted input, and a ``javascript:`` URL would run on click
    even though autoescaping keeps it from breaking out of the attribute."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def registry_link(rec: dict[str, Any]) -> tuple[str, str] | None:
    """(URL, link text) of the record's page at its registry: the source's own URL when the importer knew it, else
    the registry's address for the ID, else the WHO ICTRP trial view (which covers every primary registry)."""
    own = safe_url((rec.get("source") or {}).get("url"))
    if own:
        return own, f"{rec.get('registry') or 'Registry'} page"
    trial_id = str(rec.get("id") or "")
    registry = rec.get("registry")
    if rec.get("unidentified") or not trial_id or not registry:
        return None
    q = quote(trial_id, safe="")
    if registry == "ClinicalTrials.gov":
        return f"https://clinicaltrials.gov/study/{q}", "ClinicalTrials.gov page"
    if registry == "ISRCTN":
        return f"https://www.isrctn.com/{q}", "ISRCTN page"
    return f"https://trialsearch.who.int/Trial2.aspx?TrialID={q}", "WHO ICTRP record"


def term_api_url(curie: str) -> str:
    return "/api/ontology/" + quote(curie, safe=":")


def ols_url(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    if prefix.upper() in OBO_PREFIXES and local:
        iri = f"http://purl.obolibrary.org/obo/{prefix.upper()}_{local}"
        return (f"https://www.ebi.ac.uk/ols4/ontologies/{quote(prefix.lower(), safe='')}/classes/"
                + quote(quote(iri, safe=""), safe=""))
    return "https://www.ebi.ac.uk/ols4/search?" + urlencode({"q": curie})


def countries(rec: dict[str, Any]) -> list[str]:
    seen: dict[str, None] = {}
    for loc in rec.get("locations") or []:
        if loc.get("country"):
            seen.setdefault(loc["country"], None)
    return list(seen)


def term_labels(cond: dict[str, Any]) -> list[dict[str, Any]]:
    """A condition's ontology terms that have an ID or label (the annotation layer may have given none yet)."""
    return [t for t in cond.get("terms") or [] if t.get("id") or t.get("label")]


def person(contact: dict[str, Any]) -> str:
    return contact.get("name") or " ".join(x for x in (contact.get("first_name"), contact.get("last_name")) if x)


def short(value: Any) -> str:
    """One line for a changed value in the version list (the page has room for 80 characters)."""
    return short_text(value, width=80)


# ---------------------------------------------------------------- URLs of the current search, changed
Params = Sequence[tuple[str, str]]


def filter_items(params: Params) -> list[tuple[str, str]]:
    """The filter parameters of a query string (no cursor, format or paging), blanks dropped."""
    return [(k, v) for k, v in params if k in FILTER_PARAMS and v != ""]


def url_with(path: str, params: Params, *, add: Iterable[tuple[str, str]] = (),
             remove: Iterable[tuple[str, str | None]] = (), keep_sort: bool = True) -> str:
    """``path`` with the current filters, minus ``remove`` ((key, None) drops every value of the key), plus ``add``.
    Changing the filters starts again at the first page, so the cursor never carries over."""
    drop = list(remove)
    items = [(k, v) for k, v in filter_items(params)
             if not any(k == rk and (rv is None or rv == v) for rk, rv in drop)]
    for pair in add:
        if pair not in items:
            items.append(pair)
    if keep_sort:
        items.extend((k, v) for k, v in params if k in ("sort", "limit") and v)
    return path + ("?" + urlencode(items) if items else "")


def facet_param(facet: str) -> str:
    """start_year is counted as a facet but filtered by a range."""
    return "start_year_min" if facet == "start_year" else facet


def facet_link(path: str, params: Params, facet: str, value: str, selected: bool) -> str:
    if facet == "start_year":
        if selected:
            return url_with(path, params, remove=[("start_year_min", None), ("start_year_max", None)])
        return url_with(path, params, remove=[("start_year_min", None), ("start_year_max", None)],
                        add=[("start_year_min", value), ("start_year_max", value)])
    if selected:
        return url_with(path, params, remove=[(facet, value)])
    return url_with(path, params, add=[(facet, value)])


def is_selected(params: Params, facet: str, value: str) -> bool:
    if facet == "start_year":
        got = dict(filter_items(params))
        return got.get("start_year_min") == value and got.get("start_year_max") == value
    wanted = value.lower()
    return any(k == facet and v.lower() == wanted for k, v in params)


def active_filters(path: str, params: Params) -> list[dict[str, str]]:
    """Each active filter with its label and the URL that removes it (the "remove filter" chips)."""
    out = []
    for key, value in filter_items(params):
        shown = label(key, value) if key != "q" else f"“{value}”"
        out.append({"key": key, "title": FACET_TITLES.get(key, key), "value": shown,
                    "remove": url_with(path, params, remove=[(key, value)])})
    return out


def labels(facet: str, values: Iterable[Any] | None) -> str:
    return ", ".join(label(facet, v) for v in values or []) or "—"


SECTIONS: tuple[tuple[str, str], ...] = (
    ("general", "General"), ("ids", "Administrative and IDs"), ("conditions", "Conditions"),
    ("cell-product", "Cell product"), ("design", "Design"), ("arms", "Arms"), ("outcomes", "Outcomes"),
    ("eligibility", "Eligibility"), ("locations", "Locations"), ("contacts", "Contacts"), ("sponsors", "Sponsors"),
    ("versions", "Versions"), ("source", "Source"),
)
DATE_FIELDS = (("start", "Start"), ("primary_completion", "Primary completion"), ("completion", "Completion"),
               ("first_posted", "First posted"), ("last_update", "Last update"), ("verified", "Verified"))
# Record keys the trial page shows in its sections; any other key (a later extension of the record) is listed under
# "Other fields", so the page always shows every field.
SHOWN_KEYS = frozenset({
    "id", "registry", "registry_ids", "unidentified", "title", "official_title", "acronym", "brief_summary",
    "detailed_description", "status", "status_raw", "last_known_status", "why_stopped", "phases", "study_type",
    "enrollment", "dates", "conditions", "condition_mesh", "interventions", "cell_products", "eligibility", "design",
    "arms", "outcomes", "sponsors", "contacts", "locations", "keywords", "regulatory", "source", "study_id",
})


def other_fields(rec: dict[str, Any]) -> list[tuple[str, str]]:
    return [(k, json.dumps(v, ensure_ascii=False, indent=1)) for k, v in rec.items()
            if k not in SHOWN_KEYS and v not in (None, [], {}, "")]


# ---------------------------------------------------------------- dashboard tables
def _crosstab(table: dict[str, dict[str, int]], extra: dict[str, int] | None, facet: str,
              extra_name: str) -> tuple[list[str], list[list[Any]]]:
    values = sorted({v for row in table.values() for v in row})
    years = sorted(set(table) | set(extra or {}))
    columns = ["Start year", *(label(facet, v) for v in values)] + ([extra_name] if extra else [])
    rows = [[y, *(table.get(y, {}).get(v, 0) for v in values)] + ([(extra or {}).get(y, 0)] if extra else [])
            for y in years]
    return columns, rows


def dashboard_charts(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Title, hint and the data table of each chart; dashboard.js draws the same numbers from /api/stats."""
    def pairs(counts: dict[str, int], facet: str, top: int | None = None) -> list[list[Any]]:
        return [[label(facet, k), n] for k, n in list(counts.items())[:top]]

    by_cat = _crosstab(data.get("start_year_by_cell_category") or {}, data.get("start_year_without_cell_category"),
                       "cell_category", "No cell product identified")
    by_origin = _crosstab(data.get("start_year_by_pluripotent_origin") or {}, None, "pluripotent_origin", "")
    phase_order = list(PHASE_LABELS)
    phases = sorted((data.get("phase") or {}).items(),
                    key=lambda kv: phase_order.index(kv[0]) if kv[0] in phase_order else len(phase_order))
    return [
        {"id": "years", "title": "Trials per start year, by cell category",
         "hint": "Each bar is the trials that started that year, split by the category of their cell product.",
         "columns": by_cat[0], "rows": by_cat[1] if len(by_cat[0]) > 1 else []},
        {"id": "phases", "title": "Phase distribution",
         "hint": "Trials per phase; a phase 1/2 trial counts in both.",
         "columns": ["Phase", "Trials"], "rows": [[label("phase", k), n] for k, n in phases]},
        {"id": "conditions", "title": "Top conditions",
         "hint": "The 15 most frequent conditions (ontology label where linked, else the registry's text).",
         "columns": ["Condition", "Trials"], "rows": pairs(data.get("condition") or {}, "condition", 15)},
        {"id": "countries", "title": "Countries",
         "hint": "Trials with at least one site in the country (top 20).",
         "columns": ["Country", "Trials"], "rows": pairs(data.get("country") or {}, "country", 20)},
        {"id": "msc-tissue", "title": "MSC tissue sources",
         "hint": "Source tissue of trials with a mesenchymal stromal/stem cell product.",
         "columns": ["Tissue", "Trials"], "rows": pairs(data.get("msc_source_tissue") or {}, "source_tissue")},
        {"id": "pluripotent", "title": "hESC vs hiPSC over time",
         "hint": "Trials of products derived from embryonic vs induced pluripotent stem cells, by start year.",
         "columns": by_origin[0], "rows": by_origin[1] if len(by_origin[0]) > 1 else []},
    ]


def matched_term(label_text: Any, prefix: str) -> dict[str, Any] | None:
    """The ontology term whose label or synonym equals a record's label, for a product the annotation layer has not
    given an ID yet. Shown as "matched by label", never written into the record."""
    if not isinstance(label_text, str) or not label_text.strip():
        return None
    try:
        from ..enrich.ontology import resolve, term

        curie = resolve(label_text, prefix)
        found = term(curie) if curie else None
    except Exception:  # the bundled ontology snapshot is optional for the page: without it, show no match
        return None
    if found is None:
        return None
    return {"id": found.id, "label": found.label, "definition": found.definition}
