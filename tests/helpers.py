"""Small helpers shared by tests: run the CLI in-process against a temporary database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from stemtrials.cli import app


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def cli(db: Path | str, *args: str, input: str | None = None) -> Run:
    runner = CliRunner()
    result = runner.invoke(app, ["--db", str(db), *args], input=input, catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)
