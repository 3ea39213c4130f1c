"""The bounded hand-off between paho's network thread and the writer.

A `queue.Queue` takes a lock and notifies a condition on every put; at tens of
thousands of messages a second that is a measurable share of the one core the GIL
gives us. Appends and pops on a `deque` are atomic under the GIL, so the hot path here
takes no lock at all; only a full inbox (the producer) or an empty one (the consumer)
waits, in short sleeps. The bound is what keeps memory flat when the database is slow.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")

_WAIT_STEP_S = 0.002


class Inbox(Generic[T]):
    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("an inbox needs room for at least one item")
        self._items: deque[T] = deque()
        self._maxsize = maxsize

    def __len__(self) -> int:
        return len(self._items)

    def offer(self, item: T) -> bool:
        """Add `item` if there is room; False when full (the caller decides to wait)."""
        if len(self._items) >= self._maxsize:
            return False
        self._items.append(item)
        return True

    def put(self, item: T, give_up: threading.Event) -> bool:
        """Add `item`, waiting while full; False if `give_up` was set first."""
        while not self.offer(item):
            if give_up.wait(_WAIT_STEP_S):
                return False
        return True

    def take(self, limit: int) -> list[T]:
        """Up to `limit` items, oldest first, without waiting."""
        items = self._items
        count = min(limit, len(items))
        return [items.popleft() for _ in range(count)]

    def wait_nonempty(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for an item; True if there is one."""
        deadline = time.monotonic() + timeout
        while not self._items:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            time.sleep(min(_WAIT_STEP_S, remaining))
        return True
