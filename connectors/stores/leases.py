"""Handing outbox rows to the workers that share a PostgreSQL store: each due row to one worker at a time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.config import defaults as settings
from pipeline.ports.store import Pending


def hand_out(rows: Sequence[tuple[Any, ...]], me: int, alive: set[int], now: float) -> tuple[list[Pending], list[int]]:
    """What `pending` returns of the rows it read, and which of them this worker takes (their seq).

    It takes the due rows from the head, up to the first row it must wait for: the deliverer sends nothing past it.
    """
    handed: list[Pending] = []
    taken: list[int] = []
    waiting = False
    for seq, alert_id, sink, body, attempts, next_attempt, last_error, owner, until in rows:
        if owner is not None and owner != me and owner in alive and until > now:
            next_attempt = max(next_attempt, min(until, now + settings.HELD_RECHECK))
        if next_attempt > now:
            waiting = True
        elif not waiting:
            taken.append(seq)
        handed.append(Pending(alert_id, sink, body, attempts, next_attempt, last_error))
    return handed, taken
