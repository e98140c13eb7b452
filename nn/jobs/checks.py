"""The main job's checks before it trains: every flag is used, and the output folder takes files.

``python -m nn`` (``nn/jobs/note.py``) calls ``refuse_unused_flags`` and ``check_output_folder``
right after parsing, so a mistake costs nothing: a flag the chosen data set does not use
(``--dataset digits --optimizer sgd`` trains with Adam whatever it says) and a folder that
cannot take files are refused with exit status 2 and a message naming the flag or the folder,
before any training. ``interrupted`` is the one line Ctrl-C prints (exit status 130).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets

__all__ = ["INTERRUPTED", "UNUSED", "check_output_folder", "refuse_unused_flags"]

UNUSED: dict[str, dict[str, str]] = {
    "note": {"model": "it is for --dataset digits"},
    "xor": {"model": "it is for --dataset digits"},
    "moons": {"model": "it is for --dataset digits"},
    "digits": {
        "hidden": "the digits job's networks are fixed: choose one with --model mlp or --model cnn",
        "activation": "the digits job's networks are fixed: choose one with --model mlp or --model cnn",
        "optimizer": "the digits job trains with Adam (set its rate with --lr)",
        "compile": "the digits job does not take --compile: it trains eagerly",
    },
}
"""For each data set, the flags it does not use and why (``{dataset: {dest: reason}}``)."""

INTERRUPTED = "interrupted (Ctrl-C): stopped; no file was left half-written"


def _given(args: argparse.Namespace, dest: str) -> bool:
    value = getattr(args, dest, None)
    return value is not None and value is not False


def refuse_unused_flags(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Exit with status 2 (``parser.error``) naming every flag given that ``args.dataset`` does not use.

    The flags must default to None (or False for a switch), so that a flag given is told from one left out.
    """
    unused = [(f"--{dest.replace('_', '-')}", why) for dest, why in UNUSED.get(args.dataset, {}).items()
              if _given(args, dest)]
    if unused:
        flags = ", ".join(flag for flag, _ in unused)
        reasons = "; ".join(f"{flag}: {why}" for flag, why in unused)
        parser.error(f"argument{'s' if len(unused) > 1 else ''} {flags}: not used by --dataset {args.dataset} "
                     f"({reasons}); drop {'them' if len(unused) > 1 else 'it'}")


def check_output_folder(parser: argparse.ArgumentParser, out: str) -> None:
    """Make ``out`` if needed and prove it takes files, by creating (and removing) an empty one in it.

    A real file, not ``os.access``: as root ``os.access`` says yes to a read-only folder, while a
    read-only mount, an immutable folder (``chattr +i``) or ``/sys`` still refuse the write at the
    end. Exits with status 2 (``parser.error``) naming the folder and the reason.
    """
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as e:
        parser.error(f"argument --out: cannot use {out!r} as the output directory ({e.strerror or e})")
    probe = os.path.join(out, f".deltagrad-probe-{secrets.token_hex(4)}")
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as e:
        parser.error(f"argument --out: cannot write files in {out!r} ({e.strerror or e}); nothing was trained — "
                     "choose a folder you can write to")
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)
