"""Keep the committed notebooks free of stale outputs: strip them, or check that they are stripped.

    python scripts/notebooks.py strip    # remove outputs and execution counts from notebooks/*.ipynb
    python scripts/notebooks.py check    # exit 1 naming every notebook that still carries them

The notebooks are executed top to bottom by the test suite (``pytest --nbmake``), so what they show
is always regenerated from the code; a committed output could only disagree with it. ``strip``
also drops the per-cell metadata Jupyter adds while running (``execution``, ``collapsed``,
``scrolled``) and rewrites a file only when something changed, atomically. Only the standard
library is used, so the command works before the virtual environment exists.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
RUN_METADATA = ("execution", "collapsed", "scrolled")  # per-cell metadata written by running a notebook


def problems(nb: dict[str, Any]) -> list[str]:
    """What in ``nb`` (a parsed notebook) is left over from running it: one line per cell."""
    found = []
    for i, cell in enumerate(nb.get("cells", []), 1):
        if cell.get("cell_type") != "code":
            continue
        what = []
        if cell.get("outputs"):
            what.append(f"{len(cell['outputs'])} output(s)")
        if cell.get("execution_count") is not None:
            what.append(f"execution_count {cell['execution_count']}")
        if any(key in cell.get("metadata", {}) for key in RUN_METADATA):
            what.append("run metadata")
        if what:
            found.append(f"cell {i}: {', '.join(what)}")
    return found


def strip(nb: dict[str, Any]) -> dict[str, Any]:
    """``nb`` with every code cell's outputs emptied and execution count set to null (in place)."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
            for key in RUN_METADATA:
                cell.get("metadata", {}).pop(key, None)
    return nb


def read(path: Path) -> dict[str, Any]:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SystemExit(f"notebooks: cannot read {path} as a notebook: {e}") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise SystemExit(f"notebooks: {path} is not a notebook (no list of cells)")
    return nb


def write(path: Path, nb: dict[str, Any]) -> None:
    """Write ``nb`` as Jupyter does (1-space indent, UTF-8, final newline), atomically."""
    text = json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def notebooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def check(folder: Path = NOTEBOOKS) -> list[str]:
    """One message per notebook in ``folder`` that carries outputs or execution counts (empty: all clean)."""
    messages = []
    for path in notebooks(folder):
        found = problems(read(path))
        if found:
            messages.append(f"{path.name}: " + "; ".join(found))
    return messages


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python scripts/notebooks.py",
        description="Strip outputs and execution counts from the notebooks, or check that they carry none.",
    )
    parser.add_argument("command", choices=("strip", "check"),
                        help="strip: clean every notebook in place; check: exit 1 if any notebook is not clean")
    parser.add_argument("--dir", type=Path, default=NOTEBOOKS, help=f"the notebooks' folder (default: {NOTEBOOKS})")
    args = parser.parse_args(argv)
    if not args.dir.is_dir():
        parser.error(f"--dir: {args.dir} is not a folder")
    if args.command == "check":
        messages = check(args.dir)
        for message in messages:
            print(message, file=sys.stderr)
        if messages:
            print(f"{len(messages)} notebook(s) carry outputs: run 'python scripts/notebooks.py strip'",
                  file=sys.stderr)
            return 1
        print(f"{len(notebooks(args.dir))} notebook(s) clean")
        return 0
    changed = 0
    for path in notebooks(args.dir):
        nb = read(path)
        if problems(nb):
            write(path, strip(nb))
            changed += 1
            print(f"stripped {path.name}")
    print(f"{changed} of {len(notebooks(args.dir))} notebook(s) needed stripping")
    return 0


if __name__ == "__main__":
    sys.exit(main())
