"""Muting what C and C++ libraries write straight to the process's stderr.

TensorFlow prints CUDA probing and oneDNN notices while it is imported, and
its JPEG decoder prints libjpeg's complaints ("Premature end of JPEG data",
"Input file read error") before it raises an error that says the same. Those
lines bypass Python's ``sys.stderr`` and every log level that applies later,
so a one-line kerasgan error would come with them; :func:`muted_stderr` sends
file descriptor 2 to ``/dev/null`` for the duration of a block.

Example:

>>> with muted_stderr():
...     _ = os.write(2, b"not shown")
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Iterator

__all__ = ["muted_stderr"]


@contextlib.contextmanager
def muted_stderr() -> Iterator[None]:
    """Send the process's stderr (file descriptor 2) to ``/dev/null`` inside the block.

    Example:

    >>> with muted_stderr():
    ...     print("lost", file=sys.stderr)
    """
    sys.stderr.flush()
    fd = 2  # what C and C++ code writes to, whatever Python's sys.stderr is now (a capture, a notebook's stream)
    saved, devnull = os.dup(fd), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)
