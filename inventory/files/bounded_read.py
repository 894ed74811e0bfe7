"""Reading a large upload in a child process with bounded memory and time.

A file within every declared limit can still make a reader take gigabytes and minutes (a 5 MB
workbook expanding to 485 MB, a 48 MB CSV of 199,000 rows). Read inside the app's own process,
one such upload slows down every user and, when memory runs out, kills the server. Here the rows
are read by ``python -m inventory.files.bounded_read`` under an address-space limit (``RLIMIT_AS``)
and a wall-clock timeout: if the file defeats the reader, only the child dies and the person is
told why.

The child receives (file name, bytes, sheet, encoding, limits, allow_empty) pickled on standard
input and answers ("table", table) or ("refused", message) pickled on standard output. Both ends
are this module; the upload travels inside the request as bytes, never unpickled from the file
itself. The child builds the whole :class:`~inventory.files.io.Table` (header found, rows checked
against the limits, each distinct cell text held once), so the app's process receives only the
finished frame: for a 48 MB CSV of 199,000 rows it received a list of lists of text and copied
it into a frame, which made its peak memory larger than the frame it kept (figures in
``benchmarks/spreadsheets.py``, section 6). Where the ``resource`` module is missing (Windows),
only the timeout applies.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inventory.files.io import Limits, Table, Upload

OUT_OF_MEMORY = 3


class BoundedReadFailed(Exception):
    """The child could not read the file within its limits; the message says what to do."""


def read_table_bounded(upload: Upload, sheet: str, encoding: str | None, limits: Limits,
                       allow_empty: bool) -> Table:
    """The table :func:`inventory.files.io.read_table` would give, read in a bounded child
    process."""
    request = pickle.dumps((upload.name, upload.data, sheet, encoding, limits, allow_empty))
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    try:
        done = subprocess.run([sys.executable, "-m", "inventory.files.bounded_read"], input=request,
                              capture_output=True, timeout=limits.child_seconds,
                              env=environment, check=False)
    except subprocess.TimeoutExpired:
        raise BoundedReadFailed(
            f"{upload.name} took longer than {limits.child_seconds:,.0f} s to read and was "
            "stopped; split it into smaller files") from None
    if done.returncode != 0 or not done.stdout:
        raise BoundedReadFailed(
            f"{upload.name} needs more than {limits.child_memory_bytes / 1e9:,.1f} GB of memory "
            "to read and was stopped; remove empty formatted areas and unused sheets, or split "
            "it into smaller files")
    kind, payload = pickle.loads(done.stdout)
    if kind == "refused":
        raise BoundedReadFailed(payload)
    table: Table = payload
    return table


def _child() -> None:
    """The child's side: limit memory first, then read and answer on standard output."""
    name, data, sheet, encoding, limits, allow_empty = pickle.loads(sys.stdin.buffer.read())
    memory = limits.child_memory_bytes
    try:
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    except (ImportError, ValueError, OSError):
        pass  # no address-space limit on this system: the parent's timeout still applies
    from inventory.files.io import FileRefused, Upload, read_rows, table_of_rows
    try:
        rows = read_rows(Upload(name, data), sheet, encoding)
        answer: tuple[str, object] = ("table", table_of_rows(rows, name, sheet, limits,
                                                              allow_empty))
    except MemoryError:
        sys.exit(OUT_OF_MEMORY)
    except FileRefused as refusal:
        answer = ("refused", str(refusal))
    sys.stdout.buffer.write(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    _child()
