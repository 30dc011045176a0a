"""`stemtrials dump FILE` and `stemtrials restore FILE` (store/dump.py does the work; docs/DUMP.md the format).

Exit codes as `import`: 0 done, 1 the dump or the restore failed (the message says where; a failed restore leaves
the target as empty as it was), 2 usage error (no such file or folder, a database that cannot be opened).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import Engine

from ..store import DatabaseError, open_engine
from ..store.dump import DumpError, dump, restore

err = Console(stderr=True, soft_wrap=True)


def _engine(ctx: typer.Context) -> Engine:
    try:
        return open_engine(ctx.find_root().params.get("db"))
    except DatabaseError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False)
        raise typer.Exit(2) from exc


def _summary(verb: str, where: str, counts: dict[str, int]) -> str:
    """e.g. 'dumped 2590 rows of 12 tables to x.gz (trials 1185, versions 1190, …)'; empty tables left out."""
    parts = ", ".join(f"{name} {n}" for name, n in counts.items() if n)
    return f"{verb} {sum(counts.values())} rows of {len(counts)} tables {where} ({parts or 'all empty'})"


def dump_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The dump to write (gzip-compressed JSON Lines).")],
) -> None:
    """Write everything (records, versions, raw inputs, links, curation, accounts, audit log) to one file."""
    if not file.parent.resolve().is_dir():
        err.print(f"[red]error:[/] cannot write {file}: folder {file.parent} does not exist", highlight=False)
        raise typer.Exit(2)
    engine = _engine(ctx)
    try:
        counts = dump(engine, file)
    except (DumpError, OSError) as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False)
        raise typer.Exit(1) from exc
    typer.echo(_summary("dumped", f"to {file}", counts))


def restore_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A file written by `stemtrials dump`.")],
) -> None:
    """Load a dump into an empty database (SQLite or PostgreSQL), all or nothing."""
    if not file.is_file():
        err.print(f"[red]error:[/] {file}: no such file", highlight=False)
        raise typer.Exit(2)
    engine = _engine(ctx)
    try:
        counts = restore(engine, file)
    except DumpError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False)
        err.print("nothing was restored", highlight=False)
        raise typer.Exit(1) from exc
    typer.echo(_summary("restored", f"from {file}", counts))


def register(app: typer.Typer) -> None:
    app.command("dump")(dump_command)
    app.command("restore")(restore_command)
