"""Writing pages: atomically, and only over a regular file (or where nothing is yet)."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

__all__ = ["check_output", "names_folder", "shown_path", "write_atomic"]


def check_output(path: str | os.PathLike[str]) -> Path:
    """``path`` as a :class:`~pathlib.Path`, if a page may be written there: nothing is there yet, or a
    regular file (a symbolic link to one is replaced by the page, its target left alone).

    Raises
    ------
    ValueError
        For a directory (or a path ending with a separator, which names one: ``"dist/"``), a
        device (``/dev/null``, a disk), a FIFO or a socket: replacing it would destroy something
        that is not a page, or feed the page to whatever reads the other end.
    """
    target = Path(path)
    if names_folder(path):  # (Path drops the separator: "dist/" would be written as a file named dist)
        raise ValueError(f"{path} names a folder; a page is written to a file: give its name, such as "
                         f"{target / 'index.html'}")
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return target  # nothing there yet (or a dangling link, replaced)
    if not stat.S_ISREG(mode):
        kind = ("a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else
                "a socket" if stat.S_ISSOCK(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else "not a regular file")
        raise ValueError(f"{target} is {kind}; a page is written only to a regular file or to a new path")
    return target


def shown_path(path: str | os.PathLike[str]) -> str:
    """``path`` as a message names it: relative to the working folder when it lies inside it
    (``geodata/story.toml``), else absolute (never ``../../other/story.toml``)."""
    try:
        shown = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    outside = shown == os.pardir or shown.startswith(os.pardir + os.sep)
    return os.path.abspath(path) if outside else shown


def names_folder(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` as written ends with a path separator (``"dist/"``), naming a folder."""
    text = os.fspath(path)
    return isinstance(text, str) and text.endswith(tuple(sep for sep in (os.sep, os.altsep) if sep))


def write_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``path`` atomically: into a temporary file beside
    it, flushed to disk, then renamed over it; a failed write leaves any old file intact. The new
    file keeps the old one's permissions (or gets 0644). Returns the path.

    Raises
    ------
    ValueError
        When ``path`` is not a regular file (see :func:`check_output`).
    """
    target = check_output(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600): keep the old page's mode, or make it readable.
        try:
            mode = target.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o644
        os.chmod(tmp, mode)
        check_output(target)  # still nothing but a regular file there
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return target
