#!/usr/bin/env bash
# Open the notebooks in JupyterLab: set-up (the project + JupyterLab + ipywidgets in .venv), then
# `jupyter lab notebooks/`. Extra arguments go to jupyter lab (e.g. --no-browser --port 8899).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh jupyter
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"   # the clone's autograd and nn, as in the tests
exec .venv/bin/python -m jupyter lab notebooks/ "$@"
