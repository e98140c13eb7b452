#!/usr/bin/env bash
# The main job: the study note's 2-2-1 example, trained end to end (options: --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh main
exec .venv/bin/python -m nn "$@"
