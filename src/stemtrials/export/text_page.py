"""A readable plain-text page of one record, grouped like the seed documents (`show --format text`)."""

from __future__ import annotations

import textwrap
from typing import Any

from ..store.reader import Version

WIDTH = 100
LABEL = 26


def _fmt(value: Any) -> str:
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:g}"
    if isinstance(value, list):
        return ", ".join(_fmt(v) for v in value)
    return str(value).replace("_", " ") if isinstance(value, str) and value.islower() and " " not in value \
        else str(value)


def date_text(info: dict[str, Any] | None) -> str:
    """'2016-01-01 (actual)', '2019-12', or '—' for a missing date."""
    if not info or not info.get("date"):
        return "—"
    return f"{info['date']} ({info['type']})" if info.get("type") else str(info["date"])


class _Page:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def heading(self, title: str) -> None:
        if self.lines:
            self.lines.append("")
        self.lines.extend([title, "─" * len(title)])

    def field(self, label: str, value: Any, *, raw: bool = False) -> None:
        shown = str(value) if raw else _fmt(value)
        wrapped = textwrap.wrap(shown, WIDTH - LABEL - 2, break_long_words=False, replace_whitespace=False) or ["—"]
        self.lines.append(f"{label:<{LABEL}}  {wrapped[0]}")
        self.lines.extend(" " * (LABEL + 2) + w for w in wrapped[1:])

    def text(self, value: str, indent: int = 2) -> None:
        for para in value.split("\n"):
            self.lines.extend(textwrap.wrap(para, WIDTH - indent, initial_indent=" " * indent,
                                            subsequent_indent=" " * indent) or [""])

    def bullet(self, value: str, indent: int = 2) -> None:
        self.lines.extend(textwrap.wrap(value, WIDTH - indent - 2, initial_indent=" " * indent + "- ",
                                        subsequent_indent=" " * (indent + 2)))


def render_text(rec: dict[str, Any], versions: list[Version] | None = None,
                study: dict[str, Any] | None = None) -> str:
    p = _Page()
    title = rec.get("title") or rec.get("official_title") or rec["id"]
    p.lines.extend(textwrap.wrap(title, WIDTH))
    p.lines.append("═" * min(WIDTH, len(title)))

    p.heading("General")
    p.field("Status", rec.get("status"))
    if rec.get("status_raw"):
        p.field("Status (registry text)", rec["status_raw"], raw=True)
    if rec.get("last_known_status"):
        p.field("Last known status", rec["last_known_status"])
    if rec.get("why_stopped"):
        p.field("Why stopped", rec["why_stopped"], raw=True)
    p.field("Phases", rec.get("phases"))
    p.field("Study type", rec.get("study_type"))
    enrollment = rec.get("enrollment") or {}
    count = enrollment.get("count")
    p.field("Enrollment", f"{count} ({enrollment['type']})" if count is not None and enrollment.get("type")
            else count)
    dates = rec.get("dates") or {}
    for key, label in (("start", "Start"), ("primary_completion", "Primary completion"),
                       ("completion", "Completion"), ("first_posted", "First posted"),
                       ("last_update", "Last update"), ("verified", "Verified")):
        p.field(label, date_text(dates.get(key)), raw=True)
    if rec.get("official_title") and rec.get("official_title") != rec.get("title"):
        p.field("Official title", rec["official_title"], raw=True)
    if rec.get("acronym"):
        p.field("Acronym", rec["acronym"], raw=True)
    if rec.get("keywords"):
        p.field("Keywords", ", ".join(rec["keywords"]), raw=True)
    if rec.get("brief_summary"):
        p.lines.append("Summary")
        p.text(rec["brief_summary"])
    if rec.get("detailed_description"):
        p.lines.append("Description")
        p.text(rec["detailed_description"])

    p.heading("Administrative information and IDs")
    p.field("ID", rec["id"], raw=True)
    p.field("Registry", rec.get("registry"), raw=True)
    p.field("Study", rec.get("study_id") or rec["id"], raw=True)
    if rec.get("unidentified"):
        p.field("Unidentified", "the source names no registry ID; this ID is derived from its content", raw=True)
    for rid in rec.get("registry_ids", []):
        p.field(f"  {rid['kind'].replace('_', ' ')} ID", f"{rid['id']}" + (f" ({rid['registry']})"
                                                                            if rid.get("registry") else ""), raw=True)
    if study and len(study["records"]) > 1:
        p.field("Registrations", f"{len(study['records'])} records of this trial (study {study['study_id']})",
                raw=True)
        for other in study["records"]:
            p.bullet(f"{other['id']} ({other.get('registry') or '?'}, {other.get('status') or 'no status'}, "
                     f"last update {other.get('last_update') or '—'})" + ("  ← this record" if other["id"] == rec["id"]
                                                                          else ""), indent=4)
        for name in study["discrepancies"]:
            values = "; ".join(f"{v['record']}: {short(v['value'])}" for v in study["fields"][name]
                               if v["value"] is not None)
            p.text(f"! registries disagree on {name}: {values}", indent=4)
    reg = rec.get("regulatory") or {}
    p.field("FDA-regulated drug", reg.get("fda_regulated_drug"))
    p.field("FDA-regulated device", reg.get("fda_regulated_device"))

    p.heading("Conditions")
    for cond in rec.get("conditions", []):
        p.bullet(cond["text"])
        if cond.get("description"):
            p.text(cond["description"], indent=6)
        for term in cond.get("terms", []):
            extra = f" [{term['method']}, {term['score']:.2f}]" if term.get("method") and term.get("score") else ""
            p.text(f"→ {term.get('id')} {term.get('label') or ''}{extra}", indent=6)
    if not rec.get("conditions"):
        p.lines.append("  —")
    if rec.get("condition_mesh"):
        p.field("Registry MeSH terms", ", ".join(
            f"{m['label']} ({m['id']})" if m.get("id") else m["label"] for m in rec["condition_mesh"]), raw=True)

    p.heading("Cell product")
    for prod in rec.get("cell_products", []):
        p.field("Product", prod.get("name"), raw=prod.get("name") is not None)
        p.field("  Category", prod.get("category"))
        if prod.get("pluripotent_origin"):
            p.field("  Pluripotent origin", prod["pluripotent_origin"], raw=True)
        cell = prod.get("cell_type") or {}
        if cell:
            p.field("  Cell type", " ".join(x for x in (cell.get("label"), f"({cell['id']})" if cell.get("id")
                                                       else None) if x), raw=True)
            if cell.get("definition"):
                p.text(cell["definition"], indent=LABEL + 2)
        tissue = prod.get("source_tissue") or {}
        if tissue:
            p.field("  Source tissue", " ".join(x for x in (tissue.get("label"), f"({tissue['id']})"
                                                           if tissue.get("id") else None) if x), raw=True)
        for key in ("donor", "route", "dose", "evidence"):
            if prod.get(key):
                p.field(f"  {key.capitalize()}", prod[key], raw=True)
    if not rec.get("cell_products"):
        p.lines.append("  —")
    p.lines.append("Interventions")
    for iv in rec.get("interventions", []):
        p.bullet(f"{iv['type'].replace('_', ' ').capitalize()}: {iv['name']}" if iv.get("type") else iv["name"])
        if iv.get("other_names"):
            p.text("also: " + ", ".join(iv["other_names"]), indent=6)
        if iv.get("description"):
            p.text(iv["description"], indent=6)

    p.heading("Design")
    for key, value in (rec.get("design") or {}).items():
        p.field(key.replace("_", " ").capitalize(), value)

    p.heading("Arms")
    for arm in rec.get("arms", []):
        head = f"{_fmt(arm.get('type')).capitalize()}: {arm.get('label')}" if arm.get("type") else arm.get("label")
        p.bullet(head or "—")
        if arm.get("description"):
            p.text(arm["description"], indent=6)
        if arm.get("interventions"):
            p.text("interventions: " + ", ".join(arm["interventions"]), indent=6)
    if not rec.get("arms"):
        p.lines.append("  —")

    p.heading("Outcomes")
    outcomes = rec.get("outcomes") or {}
    for kind in ("primary", "secondary"):
        for o in outcomes.get(kind, []):
            p.bullet(f"[{kind}] {o['measure']}" + (f" (time frame: {o['time_frame']})" if o.get("time_frame") else ""))
            if o.get("description"):
                p.text(o["description"], indent=6)

    p.heading("Eligibility")
    el = rec.get("eligibility") or {}
    p.field("Ages (years)", f"{_fmt(el.get('min_age_years'))} to {_fmt(el.get('max_age_years'))}", raw=True)
    p.field("Sex", el.get("sex"))
    p.field("Healthy volunteers", el.get("healthy_volunteers"))
    if el.get("inclusion"):
        p.lines.append("Inclusion criteria")
        for item in el["inclusion"]:
            p.bullet(item)
    if el.get("exclusion"):
        p.lines.append("Exclusion criteria")
        for item in el["exclusion"]:
            p.bullet(item)

    p.heading("Locations")
    for loc in rec.get("locations", []):
        place = ", ".join(x for x in (loc.get("city"), loc.get("state"), loc.get("country"), loc.get("postal_code"))
                          if x)
        p.bullet(" — ".join(x for x in (loc.get("facility"), place) if x) or "—")
    if not rec.get("locations"):
        p.lines.append("  —")

    p.heading("Contacts")
    for c in rec.get("contacts", []):
        name = c.get("name") or " ".join(x for x in (c.get("first_name"), c.get("last_name")) if x)
        bits = [name, c.get("title"), c.get("affiliation"), c.get("email"), c.get("phone"), c.get("address"),
                c.get("city")]
        p.bullet(f"{_fmt(c.get('role'))}: " + "; ".join(b for b in bits if b))
    if not rec.get("contacts"):
        p.lines.append("  —")

    p.heading("Sponsors")
    for sp in rec.get("sponsors", []):
        p.bullet(f"{sp['name']} ({sp['role'].replace('_', ' ')})")
    if not rec.get("sponsors"):
        p.lines.append("  —")

    if versions is not None:
        p.heading("Versions")
        for v in versions:
            p.bullet(f"v{v.version}{' (current)' if v.current else ''} — imported {v.imported_at} from "
                     f"{v.source_format}; registry last update {v.last_update or '—'}")
            if v.source_file:
                p.text(f"file: {v.source_file}", indent=6)
            for ch in v.changes:
                p.text(f"{ch.field}: {short(ch.before)} → {short(ch.after)}", indent=6)

    p.heading("Source")
    src = rec.get("source") or {}
    p.field("Format", src.get("format"), raw=True)
    p.field("URL", src.get("url"), raw=True)
    p.field("Raw input sha256", src.get("sha256"), raw=True)
    p.field("Imported at", src.get("imported_at"), raw=True)
    if src.get("file"):
        p.field("Read from", src["file"], raw=True)
    return "\n".join(p.lines) + "\n"


def short(value: Any, width: int = 60) -> str:
    """One line, at most ``width`` characters, for a changed or compared value."""
    if isinstance(value, list):
        return f"[{len(value)} items]"
    if isinstance(value, dict):
        if "date" in value:
            return date_text(value)
        inner = value.get("count")
        return str(inner) if inner is not None else "{…}"
    text = "—" if value is None else " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 3] + "…"
