#!/usr/bin/env bash
# The whole test suite, on a fresh machine or a developer's: makes .venv if needed, installs the package with its
# test extras, checks style (ruff) and runs pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".[test]"
.venv/bin/ruff check src tests scripts
.venv/bin/python -m pytest "$@"
