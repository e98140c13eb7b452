"""The Content-Security-Policy of our self-contained pages (the step-through page, its quiz, the live page).

A page may run exactly its one inline script and use exactly its one inline style, named by their SHA-256
hashes; it loads nothing (``default-src 'none'``) but ``data:`` images, and has no base URL or form target.
"""

from __future__ import annotations

import base64
import hashlib
import re

__all__ = ["policy", "policy_of", "source_hash"]


def source_hash(text: str) -> str:
    """How a CSP names an inline script or style: its SHA-256, base64, quoted."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def policy(script: str, style: str) -> str:
    """The policy allowing exactly ``script`` and ``style`` (the texts between their tags)."""
    return (f"default-src 'none'; script-src {source_hash(script)}; style-src {source_hash(style)}; img-src data:; "
            "base-uri 'none'; form-action 'none'")


def policy_of(page: str) -> str:
    """``policy`` for a page template holding one ``<script>`` and one ``<style>`` block."""
    script = re.search(r"<script>(.*?)</script>", page, re.S)
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert script is not None and style is not None, "a page template holds one <script> and one <style>"
    return policy(script.group(1), style.group(1))
