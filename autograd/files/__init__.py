"""Writing files so that none is ever lost: ``atomic_write(path, data)``.

The one function that ``save_graph``, the command line's ``-o`` and ``nn``'s ``model.save`` use.
The data goes to a temporary file in the target's directory, is flushed to disk, and then replaces
the target in one ``os.replace``: a reader sees the old file or the complete new one, never half.
Beyond that, it behaves as ``open(path, "wb")`` would, and never worse:

* a **read-only** target (no write permission bit, or not writable by this user) is refused with
  ``PermissionError`` naming the path, and left as it was (``os.replace`` alone would only need
  the directory to be writable);
* a **symbolic link** is written through: the file it points to gets the new data and the link
  stays a link (a dangling link creates the file it names, as ``open`` does);
* a replaced file **keeps its permission bits**; a new one gets 0o666 minus the umask;
* every error names **the user's path**, never the temporary file;
* the temporary name is short (``.<8 hex>.tmp``), so any file name the system accepts works,
  up to the 255-byte limit;
* on any exception, ``KeyboardInterrupt`` included, the temporary file is removed.

``atomic_write_all([(path, data), ...])`` writes several files that belong together (a model and
its optimiser's state): every target is checked and every temporary file written and flushed to
disk before the first one replaces its target; if a replacement fails, the ones already made are
undone (each replaced file comes back from a hard link kept for the purpose), so an error leaves
all the old files. On POSIX the directories are locked (``flock``) for the replacements, so two
processes saving the same pair never interleave. What no rename order can give is atomicity
across a crash (power loss) between two replacements: then the first file is new and the others
old; ``nn`` detects that mix (the model file records the optimiser file's SHA-256).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no directory locks
    fcntl = None  # type: ignore[assignment]

__all__ = ["atomic_write", "atomic_write_all"]


def _naming(e: OSError, path: str) -> OSError:
    """``e`` again (same type and errno) but naming the user's ``path``, not a temporary file."""
    if e.errno is not None:
        return type(e)(e.errno, e.strerror or os.strerror(e.errno), path)
    return type(e)(f"cannot write {path!r}: {e}")


def _destination(target: Path) -> Path:
    """The file that will receive the data: ``target``, or the file its symbolic link points to."""
    return Path(os.path.realpath(target)) if target.is_symlink() else target


@dataclass
class _Pending:
    """One file written to its temporary name, not yet in place."""

    shown: str
    dest: Path
    tmp: Path
    backup: Path | None = None  # a hard link to the file it replaces, while a group is committed
    existed: bool = False  # there was a file to replace
    done: bool = False


def _prepare(path: str | os.PathLike[str], data: bytes) -> _Pending:
    """Check ``path`` (see the module docstring) and write ``data`` to a temporary file beside it, on disk."""
    shown = os.fspath(path)
    target = Path(shown)
    dest = _destination(target)
    directory = dest.parent
    if not directory.is_dir():
        raise FileNotFoundError(errno.ENOENT, f"cannot write {shown!r}: the directory {str(directory)!r} does not "
                                "exist; create it first", shown)
    mode: int | None = None
    if dest.exists():
        info = dest.stat()
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory; give a file name", shown)
        mode = stat.S_IMODE(info.st_mode)
        if not mode & 0o222 or not os.access(dest, os.W_OK):
            raise PermissionError(errno.EACCES, "Permission denied: the file is read-only (left as it was); make "
                                  "it writable (chmod u+w) or choose another name", shown)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = directory / f".{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, flags, 0o666 if mode is None else 0o600)
            break
        except FileExistsError:  # pragma: no cover - 32 random bits collided
            continue
        except OSError as e:
            raise _naming(e, shown) from None
    try:
        try:
            with os.fdopen(fd, "wb") as f:
                if mode is not None and hasattr(os, "fchmod"):
                    os.fchmod(f.fileno(), mode)  # keep the replaced file's permissions
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        except OSError as e:
            raise _naming(e, shown) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return _Pending(shown, dest, tmp)


def _discard(pending: Sequence[_Pending]) -> None:
    for p in pending:
        for leftover in (None if p.done else p.tmp, p.backup):
            if leftover is not None:
                with contextlib.suppress(OSError):
                    os.unlink(leftover)


@contextlib.contextmanager
def _locked(directories: Sequence[Path]) -> Iterator[None]:
    """Hold an exclusive ``flock`` on each directory (in a fixed order, so two savers cannot deadlock)."""
    with contextlib.ExitStack() as stack:
        if fcntl is not None:
            for d in sorted(set(directories)):
                try:
                    fd = os.open(d, os.O_RDONLY)
                except OSError:  # pragma: no cover - a directory we can write but not open: no lock
                    continue
                stack.callback(os.close, fd)
                fcntl.flock(fd, fcntl.LOCK_EX)
        yield


def _sync_directory(directory: Path) -> None:
    """Flush a directory's entries (the renames) to disk, where the system allows it."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _commit(pending: Sequence[_Pending]) -> None:
    """Move every temporary file into place; if one fails, put the replaced files back and re-raise."""
    for p in pending:
        p.existed = p.dest.exists()
        if len(pending) > 1 and p.existed:
            p.backup = p.dest.parent / f".{secrets.token_hex(4)}.old"
            try:
                os.link(p.dest, p.backup)
            except OSError:  # a file system without hard links: no way back for this one
                p.backup = None
    try:
        for p in pending:
            try:
                os.replace(p.tmp, p.dest)
            except OSError as e:
                raise _naming(e, p.shown) from None
            p.done = True
    except BaseException:
        for p in reversed([p for p in pending if p.done]):
            with contextlib.suppress(OSError):
                if p.backup is not None:
                    os.replace(p.backup, p.dest)
                    p.backup = None
                elif not p.existed:
                    os.unlink(p.dest)  # it did not exist before
                # (a replaced file with no hard link to bring back stays new: the pair ids tell the mix)
        raise
    finally:
        _discard(pending)
    for directory in dict.fromkeys(p.dest.parent for p in pending):
        _sync_directory(directory)


def atomic_write_all(items: Sequence[tuple[str | os.PathLike[str], bytes]]) -> list[Path]:
    """Write every ``(path, data)`` atomically and together (see the module docstring): all of them
    are replaced, or (on an error) none; return the files written."""
    dests: dict[Path, str] = {}
    pending: list[_Pending] = []
    try:
        for path, data in items:
            p = _prepare(path, data)
            pending.append(p)
            key = Path(os.path.realpath(p.dest))
            if key in dests:
                raise ValueError(f"atomic_write_all: {p.shown!r} and {dests[key]!r} are the same file")
            dests[key] = p.shown
        with _locked([p.dest.parent for p in pending] if len(pending) > 1 else []):
            _commit(pending)
    except BaseException:
        _discard(pending)
        raise
    return [p.dest for p in pending]


def atomic_write(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` (bytes, or text as UTF-8) to ``path`` atomically (see the module docstring); return the file."""
    return atomic_write_all([(path, data.encode("utf-8") if isinstance(data, str) else data)])[0]
