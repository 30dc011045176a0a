#!/usr/bin/env python3
"""Regenerate docs/BENCHMARKS.md: the scale benchmarks of issue #7, run one at a time, medians and ratios to the
floors measured in the same run, and the machine they ran on.

    .venv/bin/python bench/report.py [--sizes 20000,100000] [--backends sqlite,postgresql] [--repeat 3]
                                     [--work /tmp/stemtrials-bench] [--keep-corpus] [--out docs/BENCHMARKS.md]

Per size: a corpus is generated (bench/gen_corpus.py, seed 7; reused from ``--work`` when already there), the
annotation rate measured on it (bench/bench_annotate.py --corpus), then per backend the import is measured against
its floors (bench/bench_import.py, keeping the last database) and the search mix run on that database
(bench/bench_scale_search.py) before it is dropped. Every step is a child process; their JSON lands in ``--work``
and the Markdown table is written from it. Nothing here asserts a timing: the targets are printed beside the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"

TARGETS = {"import_vs_floor": 2.0, "import_vs_generic": 1.0, "rss_mb": 1536, "search_p95_ms": 25.0,
           "annotate_per_s": 5000}


def run(cmd: list[str]) -> None:
    print("$ " + " ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT)


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def measure_size(n: int, backends: list[str], args: argparse.Namespace) -> dict[str, Any]:
    py = sys.executable
    corpus = args.work / f"corpus_{n}_seed{args.seed}"
    if not (corpus / ".corpus.json").exists():
        shutil.rmtree(corpus, ignore_errors=True)
        run([py, str(HERE / "gen_corpus.py"), str(corpus), "--n", str(n), "--seed", str(args.seed)])
    out: dict[str, Any] = {"n": n, "corpus": load(corpus / ".corpus.json"), "backends": {}}
    annotate_json = args.work / f"annotate_{n}.json"
    run([py, str(HERE / "bench_annotate.py"), "--corpus", str(corpus), "--sample", str(min(n, args.annotate_sample)),
         "--json", str(annotate_json)])
    out["annotate"] = load(annotate_json)
    for backend in backends:
        import_json = args.work / f"import_{n}_{backend}.json"
        run([py, str(HERE / "bench_import.py"), str(corpus), "--db", PG_SERVER if backend == "postgresql" else
             "sqlite", "--repeat", str(args.repeat), "--keep-db", "--work", str(args.work), "--json",
             str(import_json)] + (["--skip-generic"] if args.skip_generic else []))
        imported = load(import_json)
        kept = imported.get("kept_db")
        search_json = args.work / f"search_{n}_{backend}.json"
        try:
            run([py, str(HERE / "bench_scale_search.py"), "--db", kept, "--n", str(args.search_n), "--json",
                 str(search_json)])
        finally:
            drop(kept)
        out["backends"][backend] = {"import": imported, "search": load(search_json)}
    if not args.keep_corpus:
        shutil.rmtree(corpus)
    return out


def drop(url: str) -> None:
    if url.startswith("postgresql://"):
        import psycopg

        server, name = url.rsplit("/", 1)
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        for p in Path(url).parent.glob(Path(url).name + "*"):
            p.unlink()


def merged(runs: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Several runs' sizes as one list: the backends of runs at the same size side by side (a later run's figures
    for a backend replace an earlier one's)."""
    by_n: dict[int, dict[str, Any]] = {}
    for sizes in runs:
        for size in sizes:
            if size["n"] in by_n:
                by_n[size["n"]]["backends"].update(size["backends"])
                by_n[size["n"]]["notes"] = by_n[size["n"]].get("notes", []) + size.get("notes", [])
            else:
                by_n[size["n"]] = {**size, "backends": dict(size["backends"])}
    return [by_n[n] for n in sorted(by_n)]


# ---------------------------------------------------------------- Markdown
def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def render(sizes: list[dict[str, Any]], command: str) -> str:
    imports = [b["import"] for size in sizes for b in size["backends"].values() if "import" in b]
    any_import = imports[0] if imports else {}
    m = any_import.get("machine_before", {})
    after = any_import.get("machine_after", {})
    lines = [
        "# Benchmarks (issue #7, scale)",
        "",
        f"Regenerate with `{command}` (see `bench/report.py`). Figures are medians of the runs shown; every ratio "
        "divides by a floor measured in the same run on the same machine. Benchmarks are not tests: nothing here is "
        "asserted.",
        "",
        f"Run {dt.date.today().isoformat()} on {m.get('cores')} cores ({m.get('cpu')}), Python {m.get('python')}; "
        f"load average {m.get('load_average')} before the first import, {after.get('load_average')} after "
        "(a shared machine: wall times include waiting for a core, CPU times do not).",
        "",
        "## Corpora",
        "",
        "Generated by `bench/gen_corpus.py` from the real records of `../shared` (templates: the real CT.gov v2 "
        "studies; stem-cell content: the real MSC and iPSC trials; vocabulary: real titles, conditions, "
        "interventions, sponsors, sites and ontology labels).",
        "",
        "| records | files | size | mean record (real v2 templates) | stem-cell share: built / found by the "
        "annotator | generated at |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        c, a = size["corpus"], size["annotate"]
        v2 = c["ctgov_v2"]
        real = c.get("real_v2_templates", {})
        lines.append(f"| {size['n']:,} | {v2['files']} | {v2['total_bytes'] / 2**20:,.0f} MB | "
                     f"{v2['mean_record_bytes'] / 1024:.1f} KB ({real.get('mean_bytes', 0) / 1024:.1f} KB) | "
                     f"{v2['stem_share']:.1%} / {a['stem_cell_share']:.1%} | {c['records_per_s']:,} records/s |")
    lines += ["", "## Import", "",
              "Floor: one process reading and `json.loads`-ing the files. Generic route: unwrap to JSONL + "
              "`sqlite-utils insert --flatten` + `sqlite-utils enable-fts` (title, conditions, summary), "
              "normalizing and annotating nothing. stemtrials: `stemtrials --db URL import DIR` into a fresh "
              f"database, linking included. Targets: ≤ {TARGETS['import_vs_floor']:g}× the floor, faster than the "
              f"generic route, peak RSS ≤ {TARGETS['rss_mb']:,} MB.", "",
              "| records | backend | floor | generic route | stemtrials | × floor (wall / CPU) | "
              "× generic (wall / CPU) | records/s | peak RSS | database |",
              "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for size in sizes:
        for b in size["backends"].values():
            if "import" not in b:
                continue
            imp = b["import"]
            fl, st, r = imp["floor"], imp["stemtrials"], imp["ratios"]
            gen = imp.get("generic")
            gen_cell = f"{gen['wall_s']:.1f} s" if gen else "—"
            vs_gen = (f"{r['wall_vs_generic']:.2f} / {r['cpu_vs_generic']:.2f} "
                      f"{_mark(r['wall_vs_generic'] < TARGETS['import_vs_generic'])}") if gen else "—"
            lines.append(
                f"| {size['n']:,} | {imp['backend']} | {fl['wall_s']:.1f} s | {gen_cell} | {st['wall_s']:.1f} s "
                f"(runs {', '.join(f'{x:.0f}' for x in st['runs_wall_s'])}) | {r['wall_vs_floor']:.1f} / "
                f"{r['cpu_vs_floor']:.1f} {_mark(r['wall_vs_floor'] <= TARGETS['import_vs_floor'])} | {vs_gen} | "
                f"{st['records_per_s']:,} | {st['max_rss_mb']:,} MB "
                f"{_mark(st['max_rss_mb'] <= TARGETS['rss_mb'])} | {st['db_mb']:,} MB |")
    lines += ["", "## Search", "",
              "The fixed mix of `bench/bench_scale_search.py` (free text incl. \"cancer\" with facets, facets alone, "
              "ontology-expanded condition, age filters, deep cursor pages), p50 / p95 / p99 in ms; in-process = the "
              "search functions the routes call, API = `stemtrials serve` over HTTP. Floor: bare full-text match + "
              "rank top 20 on the same index; + GROUP BY: the floor plus one facet (status) counted in SQL. Target: "
              f"API p95 ≤ {TARGETS['search_p95_ms']:g} ms (at 1M records on SQLite).", "",
              "| records | backend | kind | in-process | API | API server CPU p95 | floor | floor + GROUP BY p95 | "
              "API p95 / floor p95 |",
              "|---:|---|---|---:|---:|---:|---:|---:|---:|"]
    for size in sizes:
        for b in size["backends"].values():
            s = b["search"]
            for kind, ip in s["in_process"].items():
                api = s.get("api", {}).get(kind)
                cpu = s.get("api_server_cpu", {}).get(kind)
                fl = s["floor"].get(kind)
                grouped = s.get("floor_with_group_by", {}).get(kind)
                ratio = f"{api['p95'] / fl['p95']:.1f}" if api and fl else ""
                bold = "**" if kind == "OVERALL" else ""
                lines.append(
                    f"| {size['n']:,} | {_label(b)} | {bold}{kind}{bold} | {_pcts(ip)} | "
                    f"{_pcts(api) if api else '—'}"
                    f"{' ' + _mark(api['p95'] <= TARGETS['search_p95_ms']) if api and kind == 'OVERALL' else ''} | "
                    f"{cpu['p95'] if cpu else '—'} | {_pcts(fl) if fl else ''} | "
                    f"{grouped['p95'] if grouped else ''} | {ratio} |")
    lines += ["", "## Annotation", "",
              f"`stemtrials.enrich.annotate` over a sample of each corpus in one process, caches cold as at an "
              f"import's start (index loads timed apart). Target ≥ {TARGETS['annotate_per_s']:,} records/s.", "",
              "| records | sample | records/s (wall) | records/s (CPU) | conditions ms/record (CPU) | "
              "cell products ms/record (CPU) | parse records/s (CPU) |",
              "|---:|---:|---:|---:|---:|---:|---:|"]
    for size in sizes:
        a = size["annotate"]
        lines.append(f"| {size['n']:,} | {a['records']:,} | {a['records_per_s']:,} | {a['cpu_records_per_s']:,} "
                     f"{_mark(a['cpu_records_per_s'] >= TARGETS['annotate_per_s'])} | "
                     f"{a['conditions_cpu_ms_per_record']} | {a['cell_products_cpu_ms_per_record']} | "
                     f"{a['parse_cpu_records_per_s']:,} |")
    notes = [note for size in sizes for note in size.get("notes", [])]
    if notes:
        lines += ["", "## Notes", "", *(f"- {note}" for note in notes)]
    return "\n".join(lines) + "\n"


def _label(backend: dict[str, Any]) -> str:
    return backend["import"]["backend"] if "import" in backend else backend.get("label", "?")


def _pcts(s: dict[str, float]) -> str:
    return f"{s['p50']:.1f} / {s['p95']:.1f} / {s['p99']:.1f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="20000", help="comma-separated corpus sizes (default 20000)")
    ap.add_argument("--backends", default="sqlite", help="comma-separated: sqlite, postgresql (default sqlite)")
    ap.add_argument("--repeat", type=int, default=3, help="import runs per measurement (median; default 3)")
    ap.add_argument("--search-n", type=int, default=100, help="timed requests per search kind (default 100)")
    ap.add_argument("--annotate-sample", type=int, default=20000, help="records annotated per size (default 20000)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--skip-generic", action="store_true", help="skip the sqlite-utils route")
    ap.add_argument("--keep-corpus", action="store_true", help="keep generated corpora in --work")
    ap.add_argument("--work", type=Path, default=Path("/tmp/stemtrials-bench"))
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "BENCHMARKS.md")
    ap.add_argument("--from-json", type=Path, nargs="+",
                    help="only re-render the Markdown from previous runs' results (report_*.json in --work), merged")
    args = ap.parse_args(argv)
    if args.from_json:
        sizes = merged([load(p)["sizes"] for p in args.from_json])
    else:
        args.work.mkdir(parents=True, exist_ok=True)
        backends = [b.strip() for b in args.backends.split(",") if b.strip()]
        unknown = set(backends) - {"sqlite", "postgresql"}
        if unknown:
            ap.error(f"unknown backend(s) {', '.join(sorted(unknown))}: use sqlite, postgresql")
        sizes = [measure_size(int(n), backends, args) for n in args.sizes.split(",")]
        name = f"report_{args.sizes.replace(',', '-')}_{'-'.join(backends)}.json"
        (args.work / name).write_text(json.dumps({"sizes": sizes}, indent=2) + "\n", encoding="utf-8")
        print(f"results: {args.work / name}", file=sys.stderr)
    # The command that measures what the page shows (a re-render from JSON names the run, not the re-render).
    shown_backends = sorted({b for size in sizes for b in size["backends"]}, key=["sqlite", "postgresql"].index)
    command = (f"python bench/report.py --sizes {','.join(str(size['n']) for size in sizes)} "
               f"--backends {','.join(shown_backends)}")
    args.out.write_text(render(sizes, command), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
