"""Log records handed to a writer thread in batches, so a request never wakes a thread.

Litestar's default root handler queues each record on a `queue.Queue`, whose `put` notifies
the listener thread: with one access-log line per request, that wake-up and the GIL hand-off
it causes were ~15% of the web process's samples on the search page (py-spy over
bench/bench_search_distinct.py). Here `put` is a deque append and the writer thread looks
every POLL_SECONDS, writing whatever arrived: a line reaches stderr at most that much later,
and the listener's stop at exit (Litestar registers it with atexit) still writes the rest.
"""

from __future__ import annotations

import collections
import queue
import time
from logging import StreamHandler
from logging.handlers import QueueHandler
from typing import Any

from litestar.logging._utils import resolve_handlers
from litestar.logging.config import LoggingConfig
from litestar.logging.standard import LoggingQueueListener

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
    """Litestar's QueueListenerHandler over a PolledQueue (same handlers, same formatting)."""

    def __init__(self, handlers: list[Any] | None = None) -> None:
        super().__init__(PolledQueue())  # type: ignore[arg-type]
        targets = resolve_handlers(handlers) if handlers else [StreamHandler()]
        self.listener = LoggingQueueListener(self.queue, *targets)  # type: ignore[arg-type]


def logging_config() -> LoggingConfig:
    """Litestar's default logging configuration with the batched root handler."""
    return LoggingConfig(handlers={"queue_listener": {
        "class": f"{__name__}.BatchedQueueHandler", "level": "DEBUG", "formatter": "standard"}})
