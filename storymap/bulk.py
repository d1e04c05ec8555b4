"""Work on thousands of places without Python's cyclic garbage collector walking them all, again and again.

Loading and rendering a story of 50,000 places makes millions of small objects (parsed JSON,
models, page data) that live until the call ends. Each of them counts towards the collector's
next pass, and each full pass walks every one of them: more than a third of a big build went to
collections that found nothing to free. :func:`paused_gc` pauses the collector for one such call
(reference counting still frees everything acyclic at once) and resumes it as it was afterwards.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

__all__ = ["paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (nested and concurrent uses are fine:
    it is resumed by the outermost block that paused it, and only if it was running)."""
    running = gc.isenabled()
    if running:
        gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()
