"""One writer at a time: an exclusive lock on a file beside the database, held
for the life of the process, naming its holder for whoever is refused."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from feeds.errors import StateError


def acquire_lock(path: Path) -> IO[str]:
    """Hold an exclusive lock for the life of the process; a second writer is refused."""
    lock_path = path.with_name(path.name + ".lock")
    handle = lock_path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as error:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise StateError(path, f"in use by {holder}; only one feeds build or daemon "
                               f"may work on a state at a time") from error
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}")
    handle.flush()
    return handle
