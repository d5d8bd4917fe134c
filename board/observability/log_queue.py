"""Log records handed to a writer thread in batches, so a request never wakes a thread.

A plain QueueHandler queues each record on a `queue.Queue`, whose `put` notifies
the listener thread: with one access-log line per request, that wake-up and the GIL hand-off
it causes were ~15% of the web process's samples on the search page (py-spy over
bench/bench_search_distinct.py). Here `put` is a deque append and the writer thread looks
every POLL_SECONDS, writing whatever arrived: a line reaches stderr at most that much later,
and the listener's stop at exit (Litestar registers it with atexit) still writes the rest.
"""

from __future__ import annotations

import atexit
import collections
import queue
import time
from logging import Handler
from logging.handlers import QueueHandler, QueueListener
from typing import Any

POLL_SECONDS = 0.1


class PolledQueue:
    """The two calls a QueueHandler and a QueueListener make, without a condition variable."""

    def __init__(self, poll_seconds: float = POLL_SECONDS):
        self._items: collections.deque[Any] = collections.deque()
        self.poll_seconds = poll_seconds

    def put_nowait(self, item: Any) -> None:
        self._items.append(item)  # atomic under the GIL; wakes nobody

    def get(self, block: bool = True) -> Any:
        while True:
            try:
                return self._items.popleft()
            except IndexError:
                if not block:
                    raise queue.Empty from None
                time.sleep(self.poll_seconds)


class BatchedQueueHandler(QueueHandler):
    """A QueueHandler over a PolledQueue whose listener thread writes to `target` (the
    formatted stderr handler of board.observability.logs); stopped (and flushed) at exit."""

    def __init__(self, target: Handler) -> None:
        super().__init__(PolledQueue())  # type: ignore[arg-type]
        self.listener = QueueListener(self.queue, target)  # type: ignore[arg-type]
        self.listener.start()
        atexit.register(self.stop)

    def stop(self) -> None:
        if self.listener._thread is not None:  # noqa: SLF001 (QueueListener has no public flag)
            self.listener.stop()

    def close(self) -> None:
        self.stop()
        super().close()
