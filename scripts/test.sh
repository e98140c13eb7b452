#!/usr/bin/env bash
# The whole test suite: set-up, then ruff, mypy, and pytest over tests/ and the notebooks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
.venv/bin/python -m ruff check .
.venv/bin/python -m mypy
exec .venv/bin/python -m pytest --nbmake "$@"
