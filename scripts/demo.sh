#!/usr/bin/env bash
# The main job on the embedded default: installs into .venv if needed, imports the bundled real sample into
# ./stemtrials.db (SQLite), and prints a trial page and the landscape counts.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e .
exec .venv/bin/stemtrials demo "$@"
