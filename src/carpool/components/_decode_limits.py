"""What decoding one uploaded image may cost: pixels per image, and decodes running at once.

A 10 KB PNG can declare 88 million pixels (about 930 MiB and seconds of CPU to decode), and decoding
runs while an input is converted -- before the queue, so no ``concurrency_limit`` bounds it. The pixel
count is read from the header and checked before anything is decoded; the decodes themselves take a
slot of a semaphore shared by the app's file store. With ``conversion_workers``, decodes run in worker
processes: the copy of the limits a worker gets has slots of its own, and the server-side caller holds
one of the app's slots for the whole call, so the bound holds across all workers.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["DEFAULT_MAX_CONCURRENT_DECODES", "DEFAULT_MAX_IMAGE_PIXELS", "DecodeLimits"]

# 50 Mpx: a 48-megapixel phone photo still opens; Pillow's own bomb limit is 89.5 Mpx (a warning) and
# 179 Mpx (an error). An RGB image of 50 Mpx is 150 MB decoded.
DEFAULT_MAX_IMAGE_PIXELS = 50_000_000
DEFAULT_MAX_CONCURRENT_DECODES = 2


class DecodeLimits:
    def __init__(
        self,
        max_pixels: int | None = DEFAULT_MAX_IMAGE_PIXELS,
        max_concurrent: int = DEFAULT_MAX_CONCURRENT_DECODES,
    ) -> None:
        if max_pixels is not None and max_pixels < 1:
            raise ValueError(f"max_image_pixels must be positive or None, got {max_pixels}")
        if max_concurrent < 1:
            raise ValueError(f"max_concurrent_decodes must be at least 1, got {max_concurrent}")
        self.max_pixels = max_pixels
        self.max_concurrent = max_concurrent
        self._slots = threading.BoundedSemaphore(max_concurrent)

    def __reduce__(self) -> tuple[type[DecodeLimits], tuple[int | None, int]]:
        # A semaphore does not cross processes: a worker's copy gets the same limits, fresh slots.
        return DecodeLimits, (self.max_pixels, self.max_concurrent)

    @contextmanager
    def decoding(self) -> Iterator[None]:
        """Hold one decode slot (blocks the worker thread until one is free)."""
        with self._slots:
            yield
