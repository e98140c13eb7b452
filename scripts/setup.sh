#!/usr/bin/env bash
# Set up everything the project needs, idempotently: a virtual environment in .venv with the
# project and its test, notebook and benchmark extras, and the Graphviz system package (`dot`).
# Works on a fresh Debian/Ubuntu machine that has only python3 (as root it installs what is missing
# with apt-get; otherwise it says what to install).
set -euo pipefail
cd "$(dirname "$0")/.."

have_root_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }
apt_updated=0
apt_install() {
    if [ "$apt_updated" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

command -v python3 >/dev/null 2>&1 || { echo "setup: python3 is required (3.10 or newer)" >&2; exit 1; }
python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' || {
    echo "setup: Python 3.10 or newer is required, found $(python3 --version)" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
    if ! python3 -m venv .venv >/dev/null 2>&1; then
        rm -rf .venv
        if have_root_apt; then
            echo "setup: installing python3-venv with apt-get"
            apt_install python3-venv
            python3 -m venv .venv
        else
            echo "setup: 'python3 -m venv' failed; install the venv module (Debian/Ubuntu: sudo apt-get install python3-venv)" >&2
            exit 1
        fi
    fi
fi

stamp=.venv/.deltagrad-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "setup: installing the project and its dependencies into .venv (log: .venv/pip.log)"
    if ! { .venv/bin/python -m pip install --disable-pip-version-check --upgrade pip &&
           .venv/bin/python -m pip install --disable-pip-version-check -e ".[test,notebooks,bench]"; } \
         >.venv/pip.log 2>&1; then
        tail -n 30 .venv/pip.log >&2
        echo "setup: pip failed (full log in .venv/pip.log)" >&2
        exit 1
    fi
    touch "$stamp"
fi

if ! command -v dot >/dev/null 2>&1; then
    if have_root_apt; then
        echo "setup: installing Graphviz (the 'dot' program) with apt-get"
        apt_install graphviz
    else
        echo "setup: Graphviz's 'dot' program is missing, so graph images cannot be rendered." >&2
        echo "       Install it: Debian/Ubuntu 'sudo apt-get install graphviz', macOS 'brew install graphviz'," >&2
        echo "       conda 'conda install -c conda-forge graphviz'. Everything else works without it." >&2
    fi
fi
