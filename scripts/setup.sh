#!/usr/bin/env bash
# Set up what a job needs, idempotently, in the virtual environment .venv:
#   bash scripts/setup.sh main   the main job: the project with matplotlib, tqdm and pygraphviz
#                                (graph images without Graphviz's `dot` program, no root needed)
#   bash scripts/setup.sh test   adds the test, notebook and benchmark tools, and the export oracles
#                                (torch==2.13.0, onnx, onnxruntime: the extras torch and onnx); as root also Graphviz's
#                                `dot` and chromium + chromium-driver (the notebooks' browser test)
#   bash scripts/setup.sh jupyter  adds JupyterLab and ipywidgets (what scripts/notebooks.sh opens)
# Works on a fresh Debian/Ubuntu machine that has only python3. apt-get is used only as root and
# only for what is missing; when it fails (offline, a held lock) the set-up warns and carries on.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-main}"
case "$mode" in main|test|jupyter) ;; *) echo "setup: usage: bash scripts/setup.sh [main|test|jupyter]" >&2; exit 2 ;; esac

warn() { echo "setup: warning: $*" >&2; }
have_root_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }
apt_updated=0
apt_install() {  # returns non-zero (never exits) when apt-get fails
    local opts=(-o Acquire::Retries=0 -o Acquire::http::Timeout=20 -o DPkg::Lock::Timeout=0)
    if [ "$apt_updated" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get "${opts[@]}" update -qq >/dev/null 2>&1 || return 1
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get "${opts[@]}" install -y -qq --no-install-recommends "$@" >/dev/null 2>&1
}
pip_install() {  # pip_install LOG ARGS...: quiet, with the log's tail on failure
    local log=$1; shift
    .venv/bin/python -m pip install --disable-pip-version-check "$@" >>"$log" 2>&1
}

command -v python3 >/dev/null 2>&1 || { echo "setup: python3 is required (3.10 or newer)" >&2; exit 1; }
python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' || {
    echo "setup: Python 3.10 or newer is required, found $(python3 --version)" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
    if ! python3 -m venv .venv >/dev/null 2>&1; then
        rm -rf .venv
        if have_root_apt && { echo "setup: installing python3-venv with apt-get"; apt_install python3-venv; } &&
           python3 -m venv .venv; then
            :
        else
            rm -rf .venv
            echo "setup: 'python3 -m venv' failed and the venv module could not be installed; install it" >&2
            echo "       (Debian/Ubuntu: sudo apt-get install python3-venv) and run this again" >&2
            exit 1
        fi
    fi
fi

log=.venv/pip.log
stamp=".venv/.deltagrad-$mode"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "setup: installing the project for the $mode job into .venv (log: $log)"
    : >"$log"
    extras=""
    [ "$mode" = test ] && extras="test,notebooks,bench,torch,onnx"  # torch==2.13.0: the CPU wheel
    [ "$mode" = jupyter ] && extras="jupyter"
    if ! { pip_install "$log" --upgrade pip && pip_install "$log" -e ".${extras:+[$extras]}"; }; then
        tail -n 30 "$log" >&2
        echo "setup: pip failed (full log in $log)" >&2
        exit 1
    fi
    touch "$stamp"
fi
# pygraphviz (≈110 MB) renders graph images in process, without Graphviz's dot program: the main job
# installs it only when dot is missing, the tests always (they render both ways). Without a wheel for
# this platform it cannot build (it needs Graphviz's headers); dot, below, is then the other way.
if { [ "$mode" = test ] || ! command -v dot >/dev/null 2>&1; } && ! .venv/bin/python -c 'import pygraphviz' 2>/dev/null; then
    echo "setup: installing pygraphviz (graph images without Graphviz's dot program)"
    pip_install "$log" -e ".[images]" || warn "pygraphviz could not be installed (see $log); graph images need Graphviz's dot"
fi

have_renderer() { command -v dot >/dev/null 2>&1 || .venv/bin/python -c 'import pygraphviz' >/dev/null 2>&1; }
need_dot=0
[ "$mode" = test ] && need_dot=1   # the tests render through dot as well as through pygraphviz
if ! command -v dot >/dev/null 2>&1 && { [ "$need_dot" = 1 ] || ! have_renderer; }; then
    if have_root_apt; then
        echo "setup: installing Graphviz (the 'dot' program) with apt-get"
        apt_install graphviz || warn "apt-get could not install graphviz (offline? apt locked?); carrying on"
    fi
    if ! have_renderer; then
        warn "no Graphviz renderer: graph images will be skipped (their DOT source is written instead)."
        warn "  Fix (no root): .venv/bin/pip install pygraphviz; or Debian/Ubuntu: sudo apt-get install graphviz"
    elif ! command -v dot >/dev/null 2>&1; then
        echo "setup: Graphviz's dot is not installed; pygraphviz renders the graphs instead"
    fi
fi

if [ "$mode" = test ] && ! { command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; }; then
    if have_root_apt; then
        echo "setup: installing chromium and chromium-driver with apt-get (the notebooks' browser test)"
        apt_install chromium chromium-driver || warn "apt-get could not install chromium; the browser test will skip"
    else
        warn "chromium/chromedriver are missing: the notebooks' browser test will skip"
        warn "  (Debian/Ubuntu: sudo apt-get install chromium chromium-driver)"
    fi
fi
exit 0
