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
) -> None:
    """Show one trial, found by any of its registry IDs."""
    engine = _engine()
    record = get_record(engine, trial_id)
    if record is None:
        err.print(f"[red]not found:[/] no trial with registry ID {trial_id!r}", highlight=False)
        raise typer.Exit(1)
    versions = history(engine, record["id"]) if with_history else None
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

        typer.echo(render_text(record, versions), nl=False)


@app.command()
def search(
    query: Annotated[Optional[str], typer.Argument(help="Free text (words AND-ed; \"quoted phrases\").")] = None,  # noqa: UP045
    status: Annotated[Optional[list[str]], typer.Option("--status", help="e.g. recruiting (repeatable).")] = None,  # noqa: UP045
    phase: Annotated[Optional[list[str]], typer.Option("--phase", help="e.g. phase1 (repeatable).")] = None,  # noqa: UP045
    country: Annotated[Optional[list[str]], typer.Option("--country", help="Location country (repeatable).")] = None,  # noqa: UP045
    condition: Annotated[Optional[str], typer.Option("--condition", help="Condition text or CURIE.")] = None,  # noqa: UP045
    cell_type: Annotated[Optional[str], typer.Option("--cell-type", help="Cell type label or CL CURIE.")] = None,  # noqa: UP045
    age: Annotated[Optional[float], typer.Option("--age", help="Trials whose age range includes this age.")] = None,  # noqa: UP045
    sex: Annotated[Optional[str], typer.Option("--sex", help="female or male.")] = None,  # noqa: UP045
    limit: Annotated[int, typer.Option("--limit", min=1, max=10000)] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON: total and full records.")] = False,
) -> None:
    """Ranked search with filters."""
    from .query.search import Filters
    from .query.search import search as run_search

    if sex and sex.lower() not in ("female", "male"):
        err.print("[red]error:[/] --sex must be female or male", highlight=False)
        raise typer.Exit(2)
    f = Filters(q=query, status=status or [], phase=phase or [], country=country or [], condition=condition,
                cell_type=cell_type, age=age, sex=sex)
    results = run_search(_engine(), f, limit=limit)
    if as_json:
        typer.echo(json.dumps({"total": results.total, "results": [h.record for h in results.hits]},
                              ensure_ascii=False, indent=2))
        return
    out = Console()
    out.print(f"{results.total} trial(s)" + (f", showing {len(results.hits)}" if results.total > len(results.hits)
                                             else ""), highlight=False)
    for h in results.hits:
        rec = h.record
        phases = ",".join(rec.get("phases") or []) or "—"
        conds = "; ".join(c["text"] for c in rec.get("conditions", [])[:3])
        out.print(f"[bold]{h.id}[/]  {h.status or '—'}  {phases}  start {h.start_date or '—'}", highlight=False)
        out.print(f"    {h.title or '—'}", highlight=False, soft_wrap=True)
        if conds:
            out.print(f"    [dim]{conds}[/]", highlight=False, soft_wrap=True)


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
def stats(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Counts by status, phase, country, cell type, condition and start year."""
    from .query.stats import stats as compute

    data = compute(_engine())
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    out = Console()
    out.print(f"[bold]{data['trials']}[/] trials ({data['stem_cell_trials']} stem-cell trials), "
              f"{data['versions']} versions", highlight=False)
    for key in ("registry", "status", "study_type", "phase", "cell_category", "cell_type", "country", "condition",
                "start_year"):
        counts = data[key]
        if not counts:
            continue
        table = Table(title=key.replace("_", " "), title_justify="left", show_header=False, box=None)
        for value, n in list(counts.items())[:15]:
            table.add_row(str(value), str(n))
        out.print(table)


@app.command()
def formats() -> None:
    """List the input formats this version reads."""
    for m in sources.FORMATS:
        typer.echo(f"{m.NAME:<20} {m.DESCRIPTION}")


@app.command()
def demo(show_id: Annotated[str, typer.Option("--show")] = "NCT03123458") -> None:
    """Import the bundled sample (real records) into the database and print a record and the landscape."""
    engine = _engine()
    code = run_import(engine, [str(SAMPLE_DIR)], None)
    record = get_record(engine, show_id)
    if record is not None:
        from .export.text_page import render_text

        typer.echo("")
        typer.echo(render_text(record, history(engine, record["id"])), nl=False)
    stats(as_json=False)
    raise typer.Exit(code)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
