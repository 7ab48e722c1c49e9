"""The execution history, shaped like GetExecutionHistory's events."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from legacylift.history import MAX_HISTORY_EVENTS
from legacylift.local.asl.errors import StatesError

HISTORY_LIMIT_CAUSE = (
    f"The execution reached the maximum number of history events ({MAX_HISTORY_EVENTS})."
)
SHARED_TEXTS = ("input", "output")
FINAL_EVENTS = frozenset(
    {"ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"}
)


def history_limit_error() -> StatesError:
    """The error an execution fails with when its history is full (uncatchable)."""
    return StatesError("States.Runtime", HISTORY_LIMIT_CAUSE)


def now_iso() -> str:
    """The current time as Step Functions writes it in the context object."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class History:
    """Thread-safe list of events {id, previousEventId, timestamp, type, <details>}.

    As on Step Functions, `previousEventId` points at the event before this one in the same
    branch of the execution (each Map iteration and Parallel branch runs on its own thread),
    so readers can attribute interleaved events to the right state.

    At most `limit` events are kept, as on AWS: once the history is full, every event but the
    execution's final one raises the history-limit error, and `full` is set."""

    def __init__(
        self,
        on_event: Callable[[dict[str, Any]], None] | None = None,
        limit: int = MAX_HISTORY_EVENTS,
    ) -> None:
        self.events: list[dict[str, Any]] = []
        self.limit = limit
        self.full = False
        # Each distinct input/output text is kept once: a loop passing the same data from
        # state to state holds one copy, not one per event.
        self._texts: dict[str, str] = {}
        self._lock = threading.Lock()
        self._on_event = on_event
        self._branch = threading.local()

    def last_id(self) -> int:
        """The id of the last event this thread's branch recorded."""
        return getattr(self._branch, "last", 0)

    def continue_from(self, event_id: int) -> None:
        """Make this thread's next event follow `event_id` (a branch or iteration starting)."""
        self._branch.last = event_id

    def add(self, event_type: str, previous: int | None = None, **details: Any) -> int:
        """Record an event; returns its id. Details go under `<lowerCamelType>EventDetails`."""
        with self._lock:
            event_id = len(self.events) + 1
            if event_id >= self.limit and event_type not in FINAL_EVENTS:
                self.full = True
                raise history_limit_error()
            event: dict[str, Any] = {
                "id": event_id,
                "previousEventId": previous if previous is not None else self.last_id(),
                "timestamp": now_iso(),
                "type": event_type,
            }
            for name in SHARED_TEXTS:
                text = details.get(name)
                if isinstance(text, str):
                    details[name] = self._texts.setdefault(text, text)
            if details:
                key = _details_key(event_type)
                event[key] = details
            self.events.append(event)
            self._branch.last = event_id
        if self._on_event:
            self._on_event(event)
        return event_id


def _details_key(event_type: str) -> str:
    if event_type.endswith("StateEntered"):
        return "stateEnteredEventDetails"
    if event_type.endswith("StateExited"):
        return "stateExitedEventDetails"
    return event_type[:1].lower() + event_type[1:] + "EventDetails"
