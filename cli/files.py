"""Files a command writes: named by the user, written whole or not at all, nothing else touched."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import IO, Iterator

from casetrail.domain.errors import BadInput


def target(text: str, option: str, example: str) -> Path | None:
    """The file to write (None: stdout for '-'), refused before any work if it cannot be written there."""
    if text == "-":
        return None
    path = Path(text).expanduser()
    if path.is_dir():
        raise BadInput(f"{option} {text} is a folder; give a file name such as {path / example}")
    if not path.parent.is_dir():
        raise BadInput(f"{option} {text}: folder '{path.parent}' does not exist; create it first")
    return path


@contextlib.contextmanager
def written(path: Path) -> Iterator[IO[bytes]]:
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
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp's 0600 would hide the file from a web server
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise BadInput(f"cannot write {path}: {error.strerror}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
