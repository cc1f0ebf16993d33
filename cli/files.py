"""Files a command writes: named by the user, written whole or not at all, nothing else touched.

Only regular files are written. A device, a FIFO or a socket at the path is refused (a rename
over /dev/null would replace the device itself), and so is a symbolic link, even to a regular
file: renaming over it would replace the link and never write its target, and following it
would let whoever made the link choose where names of detainees end up. A new file is made
0600, since it holds those names; a file written again keeps its mode.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path
from typing import IO, Iterator

from casetrail.domain.errors import BadInput

NEW_FILE_MODE = 0o600


def target(text: str, option: str, example: str) -> Path | None:
    """The file to write (None: stdout for '-'), refused before any work if it cannot be written there."""
    if text == "-":
        return None
    path = Path(text).expanduser()
    if path.is_dir() and not path.is_symlink():
        raise BadInput(f"{option} {text} is a folder; give a file name such as {path / example}")
    if not path.parent.is_dir():
        raise BadInput(f"{option} {text}: folder '{path.parent}' does not exist; create it first")
    _mode_to_keep(path, option)
    return path


@contextlib.contextmanager
def written(path: Path, option: str = "-o") -> Iterator[IO[bytes]]:
    """A temporary file beside ``path``, renamed over it once complete: no reader ever sees half
    a file, and a failure leaves the old file (or none) and no temporary behind."""
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise BadInput(f"cannot write in {path.parent}: {error.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        # Checked again just before the rename: something may have appeared at the path meanwhile.
        os.chmod(temporary, _mode_to_keep(path, option))
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise BadInput(f"cannot write {path}: {error.strerror}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _mode_to_keep(path: Path, option: str) -> int:
    """The mode the written file gets: an existing regular file's own, else NEW_FILE_MODE.
    Anything else at the path is refused."""
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        return NEW_FILE_MODE
    if stat.S_ISLNK(found.st_mode):
        raise BadInput(f"{option} {path} is a symbolic link; casetrail writes only regular files and does not "
                       "follow links: give the path of the file itself, or a new file name")
    if not stat.S_ISREG(found.st_mode):
        raise BadInput(f"{option} {path} is not a regular file (a device, a pipe or a socket); give a file name, "
                       "or - for standard output")
    return stat.S_IMODE(found.st_mode) & 0o777  # its permissions, never a set-id bit
