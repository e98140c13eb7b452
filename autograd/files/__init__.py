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
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path

__all__ = ["atomic_write"]


def _naming(e: OSError, path: str) -> OSError:
    """``e`` again (same type and errno) but naming the user's ``path``, not a temporary file."""
    if e.errno is not None:
        return type(e)(e.errno, e.strerror or os.strerror(e.errno), path)
    return type(e)(f"cannot write {path!r}: {e}")


def _destination(target: Path) -> Path:
    """The file that will receive the data: ``target``, or the file its symbolic link points to."""
    return Path(os.path.realpath(target)) if target.is_symlink() else target


def atomic_write(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see the module docstring); return the file written."""
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
            os.replace(tmp, dest)
        except OSError as e:
            raise _naming(e, shown) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return dest
