"""The README is a front door: at most 350 lines, and every page it links under docs/ exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
MAX_LINES = 350
_LINK = re.compile(r"\]\(([^)\s]+)\)")

# The capabilities the front door must link, each to its own page (issue 28's list).
REQUIRED = ["engine", "checking", "drawing", "watching-backprop", "nn", "compile", "forward-mode", "installing",
            "benchmarks", "guarantees", "practice", "playground", "export", "notebooks"]


def local_links(text: str) -> list[str]:
    """The link targets of ``text`` (Markdown) that point into the repository, without #anchors."""
    out = []
    for target in _LINK.findall(text):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        out.append(target.split("#", 1)[0])
    return out


def dangling(text: str, base: Path) -> list[str]:
    """The local links of ``text`` whose file does not exist relative to ``base``."""
    return [t for t in local_links(text) if not (base / t).exists()]


def test_readme_is_short() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_LINES, f"README.md has {len(lines)} lines, more than {MAX_LINES}: move details to docs/"


def test_readme_links_every_capability_page() -> None:
    linked = {Path(t).stem for t in local_links(README.read_text(encoding="utf-8")) if t.startswith("docs/")}
    missing = [name for name in REQUIRED if name not in linked]
    assert not missing, f"README.md does not link docs pages for: {missing}"


def test_no_dangling_docs_link() -> None:
    assert dangling(README.read_text(encoding="utf-8"), ROOT) == []
    for page in sorted((ROOT / "docs").glob("*.md")):
        assert dangling(page.read_text(encoding="utf-8"), page.parent) == [], page.name


def test_the_check_catches_a_dangling_link(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "there.md").write_text("x", encoding="utf-8")
    text = "[a](docs/there.md) [b](docs/missing.md#part) [c](https://example.org/x) [d](#top)"
    assert dangling(text, tmp_path) == ["docs/missing.md"]


@pytest.mark.parametrize("command", ["bash scripts/main.sh", "bash scripts/test.sh", "bash scripts/notebooks.sh"])
def test_the_quick_start_commands_exist(command: str) -> None:
    text = README.read_text(encoding="utf-8")
    assert command in text
    assert (ROOT / command.split()[-1]).is_file()
