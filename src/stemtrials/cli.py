"""The command line (CONTRACT.md): import, show, search, export, stats, formats, demo."""

from __future__ import annotations

import json
import sys
from enum import Enum, StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine

from . import sources
from .commands.dump import register as register_dump_commands
from .query.search import Filters, QueryError
from .query.search import search as run_search
from .sources.inputs import InputError, InputFile, iter_inputs
from .store import DatabaseError, get_record, history, iter_records, open_engine

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="stemtrials — an open registry of stem-cell clinical trials.")
err = Console(stderr=True)
SAMPLE_DIR = Path(__file__).with_name("data") / "sample"


class _State:
    db: str | None = None


state = _State()


def _engine() -> Engine:
    try:
        return open_engine(state.db)
    except DatabaseError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False)
        raise typer.Exit(2) from exc


@app.callback()
def _main(db: Annotated[Optional[str], typer.Option(  # noqa: UP045 — typer needs Optional here
        "--db", help="Database URL or SQLite file (default: $STEMTRIALS_DB, else ./stemtrials.db).")] = None) -> None:
    state.db = db


FormatName = Enum("FormatName", {m.NAME: m.NAME for m in sources.FORMATS}, type=str)  # type: ignore[misc]


class _ImportBar:
    """Rich progress bar over files, with a running record count (only on a terminal)."""

    def __init__(self, bar: Progress, total_files: int) -> None:
        self.bar = bar
        self.task = bar.add_task("import", total=total_files, name="", records=0)
        self.records_before = 0
        self.current = 0
        self.started = False

    def on_file(self, item: InputFile) -> None:
        if self.started:
            self.bar.advance(self.task)
        self.started = True
        self.records_before += self.current
        self.current = 0
        self.bar.update(self.task, name=Path(item.name).name[-40:])

    def on_progress(self, _name: str, done: int) -> None:
        self.current = done
        self.bar.update(self.task, records=self.records_before + done)


def run_import(engine: Engine, paths: list[str], fmt: str | None) -> int:
    """Import, print problems to stderr and the summary line to stdout; the exit code per CONTRACT.md."""
    from .pipeline import import_paths

    if sys.stderr.isatty():
        n_files = sum(1 for i in iter_inputs(paths) if not isinstance(i, InputError))
        with Progress(TextColumn("[bold]{task.fields[name]}"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("{task.fields[records]} records"), TimeElapsedColumn(),
                      console=err, transient=True) as progress:
            tracker = _ImportBar(progress, n_files)
            counts = import_paths(engine, paths, fmt, progress=tracker.on_progress, on_file=tracker.on_file)
    else:
        counts = import_paths(engine, paths, fmt)
    for problem in counts.problems:
        err.print(f"[red]error:[/] {problem}", highlight=False, soft_wrap=True)
    from .store.state import links_stale

    if counts.new or counts.updated or links_stale(engine):
        from .store.studies import relink

        # New registrations may join (or leave) studies; a stale mark is an earlier import that stopped before this.
        relink(engine)
    typer.echo(counts.summary())
    return 1 if counts.errors else 0


@app.command("import")
def import_cmd(
    paths: Annotated[list[str], typer.Argument(help="Files, directories (recursive), .gz, .zip; '-' for stdin.")],
    format: Annotated[Optional[FormatName], typer.Option(  # noqa: UP045
        "--format", help="Force a format instead of detecting it from content.")] = None,
) -> None:
    """Import registry records; ends with 'imported: N new, M updated, K unchanged, E errors'."""
    code = run_import(_engine(), paths, format.value if format else None)
    raise typer.Exit(code)


class ShowFormat(StrEnum):
    text = "text"
    json = "json"
    hpscreg = "hpscreg"


@app.command()
def show(
    trial_id: Annotated[str, typer.Argument(metavar="ID", help="Any registry ID of the trial.")],
    format: Annotated[ShowFormat, typer.Option("--format", help="text, json or the hPSCreg layout.")] =
    ShowFormat.text,
    with_history: Annotated[bool, typer.Option("--history", help="List every version and what changed.")] = False,
    as_study: Annotated[bool, typer.Option("--study", help="JSON: the study view (all registrations, each "
                                                           "field per source, discrepancies).")] = False,
) -> None:
    """Show one trial, found by any of its registry IDs."""
    engine = _engine()
    record = get_record(engine, trial_id)
    if record is None:
        err.print(f"[red]not found:[/] no trial with registry ID {trial_id!r}", highlight=False)
        raise typer.Exit(1)
    versions = history(engine, record["id"]) if with_history else None
    from .query.study import study_view
    from .store.studies import study_links, study_members

    study = study_view(study_members(engine, record["id"]), study_links(engine, record["study_id"]))
    if as_study:
        typer.echo(json.dumps(study, ensure_ascii=False, indent=2))
        return
    if format is ShowFormat.json:
        if versions is not None:
            record = {**record, "versions": [
                {"version": v.version, "current": v.current, "imported_at": v.imported_at,
                 "source_format": v.source_format, "source_file": v.source_file, "last_update": v.last_update,
                 "raw_sha256": v.raw_sha256,
                 "changes": [{"field": c.field, "before": c.before, "after": c.after} for c in v.changes]}
                for v in versions]}
        typer.echo(json.dumps(record, ensure_ascii=False, indent=2))
    elif format is ShowFormat.hpscreg:
        from .export.hpscreg_text import render_hpscreg
        from .model import TrialRecord

        typer.echo(render_hpscreg(TrialRecord.model_validate(record)), nl=False)
    else:
        from .export.text_page import render_text

        typer.echo(render_text(record, versions, study), nl=False)


_Multi = Optional[list[str]]  # noqa: UP045 — typer needs Optional


def _filters(query: str | None, status: _Multi, phase: _Multi, country: _Multi, condition: _Multi,
             cell_type: _Multi, age: float | None, sex: str | None, study_type: _Multi, registry: _Multi,
             cell_category: _Multi, tissue: _Multi, donor: _Multi, origin: _Multi, sponsor: _Multi,
             year_from: int | None, year_to: int | None, healthy: bool | None, stem_only: bool) -> Filters:
    if sex and sex.lower() not in ("female", "male"):
        err.print("[red]error:[/] --sex must be female or male", highlight=False)
        raise typer.Exit(2)
    return Filters(q=query, status=status or [], phase=phase or [], country=country or [],
                   condition=condition or [], cell_type=cell_type or [], age=age, sex=sex,
                   study_type=study_type or [], registry=registry or [], cell_category=cell_category or [],
                   source_tissue=tissue or [], donor=donor or [], pluripotent_origin=origin or [],
                   sponsor=sponsor or [], start_year_min=year_from, start_year_max=year_to,
                   healthy_volunteers=healthy, stem_cell_only=stem_only)


# The filter options shared by `search` and `stats` (CONTRACT.md names the first eight).
_F = {
    "status": typer.Option("--status", help="e.g. recruiting (repeatable)."),
    "phase": typer.Option("--phase", help="e.g. phase1 (repeatable)."),
    "country": typer.Option("--country", help="Location country (repeatable)."),
    "condition": typer.Option("--condition", help="Condition label or CURIE; includes ontology descendants."),
    "cell_type": typer.Option("--cell-type", help="Cell type label or CL CURIE; includes descendants."),
    "age": typer.Option("--age", help="Trials whose age range includes this age (years)."),
    "sex": typer.Option("--sex", help="female or male (trials open to all included)."),
    "study_type": typer.Option("--study-type", help="interventional, observational, expanded_access."),
    "registry": typer.Option("--registry", help="e.g. ClinicalTrials.gov, ChiCTR."),
    "cell_category": typer.Option("--cell-category", help="msc, hsc, hesc_derived, hipsc_derived, …"),
    "tissue": typer.Option("--tissue", help="Source tissue label, e.g. 'umbilical cord'."),
    "donor": typer.Option("--donor", help="autologous or allogeneic."),
    "origin": typer.Option("--origin", help="Pluripotent origin: hESC or hiPSC."),
    "sponsor": typer.Option("--sponsor", help="Sponsor or collaborator name."),
    "year_from": typer.Option("--start-year-from", help="Start year ≥ this."),
    "year_to": typer.Option("--start-year-to", help="Start year ≤ this."),
    "healthy": typer.Option("--healthy-volunteers/--no-healthy-volunteers", help="Accepts healthy volunteers."),
    "stem_only": typer.Option("--stem-cell-only", help="Only stem-cell trials."),
}


@app.command()
def search(
    query: Annotated[Optional[str], typer.Argument(help="Free text (words AND-ed; \"quoted phrases\").")] = None,  # noqa: UP045
    status: Annotated[_Multi, _F["status"]] = None,
    phase: Annotated[_Multi, _F["phase"]] = None,
    country: Annotated[_Multi, _F["country"]] = None,
    condition: Annotated[_Multi, _F["condition"]] = None,
    cell_type: Annotated[_Multi, _F["cell_type"]] = None,
    age: Annotated[Optional[float], _F["age"]] = None,  # noqa: UP045
    sex: Annotated[Optional[str], _F["sex"]] = None,  # noqa: UP045
    study_type: Annotated[_Multi, _F["study_type"]] = None,
    registry: Annotated[_Multi, _F["registry"]] = None,
    cell_category: Annotated[_Multi, _F["cell_category"]] = None,
    tissue: Annotated[_Multi, _F["tissue"]] = None,
    donor: Annotated[_Multi, _F["donor"]] = None,
    origin: Annotated[_Multi, _F["origin"]] = None,
    sponsor: Annotated[_Multi, _F["sponsor"]] = None,
    year_from: Annotated[Optional[int], _F["year_from"]] = None,  # noqa: UP045
    year_to: Annotated[Optional[int], _F["year_to"]] = None,  # noqa: UP045
    healthy: Annotated[Optional[bool], _F["healthy"]] = None,  # noqa: UP045
    stem_only: Annotated[bool, _F["stem_only"]] = False,
    per_record: Annotated[bool, typer.Option("--records", help="List registry records, not studies.")] = False,
    sort: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--sort", help="relevance, start_date, last_update or enrollment.")] = None,
    cursor: Annotated[Optional[str], typer.Option("--cursor", help="The 'next' of a previous page.")] = None,  # noqa: UP045
    limit: Annotated[int, typer.Option("--limit", min=1, max=10000)] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON: total, records, facets, next.")] = False,
) -> None:
    """Ranked search with filters; ontology filters include descendants."""
    f = _filters(query, status, phase, country, condition, cell_type, age, sex, study_type, registry,
                 cell_category, tissue, donor, origin, sponsor, year_from, year_to, healthy, stem_only)
    f.per_record = per_record
    try:
        results = run_search(_engine(), f, limit=limit, cursor=cursor, sort=sort, with_facets=as_json)
    except QueryError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps({"total": results.total, "results": [h.record for h in results.hits],
                               "facets": results.facets, "next": results.next}, ensure_ascii=False, indent=2))
        return
    out = Console()
    out.print(f"{results.total} trial(s)" + (f", showing {len(results.hits)}" if results.total > len(results.hits)
                                             else ""), highlight=False)
    for h in results.hits:
        rec = h.record
        phases = ",".join(rec.get("phases") or []) or "—"
        conds = "; ".join(c["text"] for c in rec.get("conditions", [])[:3])
        cells = ", ".join(p.get("category") or "" for p in rec.get("cell_products", []) if p.get("category"))
        out.print(f"[bold]{h.id}[/]  {h.status or '—'}  {phases}  start {h.start_date or '—'}"
                  + (f"  [{cells}]" if cells else ""), highlight=False)
        out.print(f"    {h.title or '—'}", highlight=False, soft_wrap=True)
        if conds:
            out.print(f"    [dim]{conds}[/]", highlight=False, soft_wrap=True)
    if results.next:
        out.print(f"[dim]next page: --cursor {results.next}[/]", highlight=False)


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


@app.command()
def export(
    format: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.jsonl,
    out: Annotated[Optional[Path], typer.Option("--out", help="Output file (default: stdout).")] = None,  # noqa: UP045
) -> None:
    """Export every trial (current versions)."""
    from .export.csv import write_csv
    from .export.jsonl import write_jsonl

    writer = write_jsonl if format is ExportFormat.jsonl else write_csv
    engine = _engine()
    if out is None:
        writer(iter_records(engine), sys.stdout)
        return
    tmp = out.with_name(out.name + ".part")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        n = writer(iter_records(engine), fh)
    tmp.replace(out)  # never leave a half-written export under the final name
    err.print(f"exported {n} trials to {out}", highlight=False)


@app.command()
def stats(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    query: Annotated[Optional[str], typer.Argument(help="Optional free text to count within.")] = None,  # noqa: UP045
    status: Annotated[_Multi, _F["status"]] = None,
    phase: Annotated[_Multi, _F["phase"]] = None,
    country: Annotated[_Multi, _F["country"]] = None,
    condition: Annotated[_Multi, _F["condition"]] = None,
    cell_type: Annotated[_Multi, _F["cell_type"]] = None,
    cell_category: Annotated[_Multi, _F["cell_category"]] = None,
    year_from: Annotated[Optional[int], _F["year_from"]] = None,  # noqa: UP045
    year_to: Annotated[Optional[int], _F["year_to"]] = None,  # noqa: UP045
    stem_only: Annotated[bool, _F["stem_only"]] = False,
) -> None:
    """Counts by status, phase, country, cell type, condition and start year (optionally within a search)."""
    from .query.stats import stats as compute

    f = _filters(query, status, phase, country, condition, cell_type, None, None, None, None, cell_category,
                 None, None, None, None, year_from, year_to, None, stem_only)
    data = compute(_engine(), f)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    out = Console()
    out.print(f"[bold]{data['trials']}[/] trials ({data['stem_cell_trials']} stem-cell trials), "
              f"{data['versions']} versions", highlight=False)
    for key in ("registry", "status", "study_type", "phase", "cell_category", "cell_type", "source_tissue",
                "country", "condition", "start_year"):
        counts = data[key]
        if not counts:
            continue
        table = Table(title=key.replace("_", " "), title_justify="left", show_header=False, box=None)
        for value, n in list(counts.items())[-15:] if key == "start_year" else list(counts.items())[:15]:
            table.add_row(str(value), str(n))
        out.print(table)


@app.command()
def ontology(term: Annotated[str, typer.Argument(metavar="TERM-OR-CURIE")],
             as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Show an ontology term (Mondo, CL, Uberon, DOID, MeSH): label, definition, synonyms, xrefs, parents."""
    from .enrich.ontology import describe

    info = describe(term)
    if info is None:
        err.print(f"[red]not found:[/] no ontology term matches {term!r}", highlight=False)
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    typer.echo(f"{info['id']}  {info.get('label') or ''}")
    if info.get("definition"):
        typer.echo(f"  definition: {info['definition']}")
    for key in ("synonyms", "xrefs", "parents"):
        values = info.get(key) or []
        if values:
            shown = [v if isinstance(v, str) else f"{v.get('id')} {v.get('label') or ''}".strip() for v in values]
            typer.echo(f"  {key}: " + "; ".join(shown))


link_app = typer.Typer(help="Link records of the same trial across registries; curators confirm or split links.",
                       invoke_without_command=True)
app.add_typer(link_app, name="link")

from .commands.users import users_app  # noqa: E402 — command groups live in commands/, registered here

app.add_typer(users_app, name="user")
register_dump_commands(app)  # dump, restore


def _relink_and_report(engine: Engine) -> None:
    from .store.studies import relink

    summary = relink(engine)
    typer.echo(f"linked: {summary.records} records in {summary.studies} studies "
               f"({summary.multi_record_studies} with several registrations), {summary.links} links "
               f"({summary.accepted} accepted), {summary.changed} records changed study")


@link_app.callback()
def link_all(ctx: typer.Context) -> None:
    """Re-link every record (also runs after each import that changed something)."""
    if ctx.invoked_subcommand is None:
        _relink_and_report(_engine())


def _decide(first: str, second: str, decision: str, note: str | None, who: str | None) -> None:
    import getpass

    from .store.studies import LinkDecisionError, decide

    engine = _engine()
    try:
        decide(engine, first, second, decision, who or getpass.getuser(), note, actor=f"cli:{getpass.getuser()}")
    except LinkDecisionError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False)
        raise typer.Exit(1) from exc
    _relink_and_report(engine)


@link_app.command("confirm")
def link_confirm(first: str, second: str,
                 note: Annotated[Optional[str], typer.Option("--note")] = None,  # noqa: UP045
                 who: Annotated[Optional[str], typer.Option("--by", help="Curator name (default: OS user).")] = None,  # noqa: UP045
                 ) -> None:
    """Confirm that two records (any registry IDs) are the same trial; survives re-imports."""
    _decide(first, second, "confirm", note, who)


@link_app.command("split")
def link_split(first: str, second: str,
               note: Annotated[Optional[str], typer.Option("--note")] = None,  # noqa: UP045
               who: Annotated[Optional[str], typer.Option("--by", help="Curator name (default: OS user).")] = None,  # noqa: UP045
               ) -> None:
    """Declare two records different trials: they never share a study again; survives re-imports."""
    _decide(first, second, "split", note, who)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535)] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes.")] = 1,
    rate_limit: Annotated[Optional[float], typer.Option(  # noqa: UP045
        "--rate-limit", min=0, help="Requests per second per client IP, 0 for no limit (default: "
                                    "$STEMTRIALS_RATE_LIMIT, else 20; static files are exempt).")] = None,
    rate_burst: Annotated[Optional[int], typer.Option(  # noqa: UP045
        "--rate-burst", min=1, help="Requests a client may make at once (default: $STEMTRIALS_RATE_BURST, "
                                    "else 100).")] = None,
    log_format: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--log-format", help="Request log lines as json or text (default: text on a terminal, else json).")] = None,
) -> None:
    """Serve the web UI at /, the REST API at /api/…, OpenAPI at /openapi.json."""
    import os

    import uvicorn

    from .api import create_app
    from .api.access_log import configure_logging
    from .api.hardening import settings_for_serve

    engine = _engine()  # fail early, with a clear message, on a bad --db
    try:
        hardening = settings_for_serve(rate_limit, rate_burst)
        log_format = configure_logging(log_format)
    except ValueError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    err.print(f"stemtrials serving {engine.url.render_as_string(hide_password=True)} at http://{host}:{port}/ "
              "(Ctrl-C to stop)", highlight=False)
    if workers > 1:
        # Worker processes build their app from the environment (api/asgi.py).
        os.environ.update({**hardening.to_env(), "STEMTRIALS_LOG_FORMAT": log_format})
        os.environ["STEMTRIALS_DB"] = str(engine.url.render_as_string(hide_password=False))
        uvicorn.run("stemtrials.api.asgi:app", host=host, port=port, workers=workers, log_level="warning")
    else:
        uvicorn.run(create_app(engine=engine, hardening=hardening), host=host, port=port, log_level="warning")


@app.command()
def formats() -> None:
    """List the input formats this version reads."""
    for m in sources.FORMATS:
        typer.echo(f"{m.NAME:<20} {m.DESCRIPTION}")


@app.command()
def demo(
    show_id: Annotated[str, typer.Option("--show", help="The trial page to print.")] = "NCT03123458",
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the web UI afterwards.")] = True,
    port: Annotated[int, typer.Option("--port")] = 8000,
) -> None:
    """Import the bundled sample (real records), print a trial page and the landscape, then serve the web UI."""
    engine = _engine()
    code = run_import(engine, [str(SAMPLE_DIR)], None)
    record = get_record(engine, show_id)
    if record is not None:
        from .export.text_page import render_text

        typer.echo("")
        typer.echo(render_text(record, history(engine, record["id"])), nl=False)  # a fresh sample: one registration
    stats(as_json=False, query=None, status=None, phase=None, country=None, condition=None, cell_type=None,
          cell_category=None, year_from=None, year_to=None, stem_only=False)
    if code:
        raise typer.Exit(code)
    if serve_after:
        serve(host="127.0.0.1", port=port, workers=1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
