"""The work behind `guetteur alerts`: recent alerts and their deliveries, replays, dead letters, disabled sinks."""

from __future__ import annotations

import json
import logging
import random
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from connectors.sinks import build_sink
from connectors.stores import open_store
from pipeline.config.schema import ConsoleSink, JsonlSink, Settings, WebhookSink
from pipeline.domain.alert import Alert
from pipeline.domain.errors import GuetteurError
from pipeline.judging.delivery import attempt
from pipeline.judging.render import figure_fr, render_text
from pipeline.ports.metrics import Metrics
from pipeline.ports.sink import Sink
from pipeline.ports.store import DELIVERY_STATES, Delivery, Pending, Store, StoredAlert

_ID_PREFIX = re.compile(r"^[0-9a-f-]{4,36}$")


class AlertsUsageError(Exception):
    """A sink or an alert named on the command line that cannot be used: exit 2."""


@contextmanager
def opened_store(settings: Settings) -> Iterator[Store]:
    """The config's store; a SQLite file that does not exist is an error, not a new empty store."""
    location = settings.store.location
    if not location.startswith(("postgresql://", "postgres://")) and not Path(location).exists():
        raise GuetteurError(f"store {location} does not exist: nothing has run with this config yet")
    store = open_store(location)
    try:
        yield store
    finally:
        store.close()


Configured = JsonlSink | WebhookSink | ConsoleSink


def resolve_sink(settings: Settings, name: str, known: Sequence[str] = ()) -> tuple[str, Configured | None]:
    """The outbox key a name stands for, and its config: a key, a webhook URL, a JSONL path, or a type that only
    one configured sink has. `known` are keys accepted without a config (a sink since removed from it)."""
    matches = [s for s in settings.sinks if name in (s.key, getattr(s, "url", None), getattr(s, "path", None))]
    if not matches:
        matches = [s for s in settings.sinks if s.type == name]
        if len(matches) > 1:
            raise AlertsUsageError(f"{len(matches)} sinks of type {name}: name one by its key "
                                   f"({', '.join(s.key for s in matches)})")
    if matches:
        return matches[0].key, matches[0]
    if name in known:
        return name, None
    keys = ", ".join(s.key for s in settings.sinks) or "none"
    raise AlertsUsageError(f"no sink {name!r} in the config (its sinks: {keys})")


def find_alert(store: Store, id_prefix: str) -> StoredAlert:
    if not _ID_PREFIX.match(id_prefix):
        raise AlertsUsageError(f"{id_prefix!r} is not an alert id (or its first 4 characters at least)")
    found = store.find_alerts(id_prefix, limit=2)
    if not found:
        raise GuetteurError(f"no alert {id_prefix} in the store")
    if len(found) > 1:
        raise AlertsUsageError(f"{id_prefix} is the beginning of several alert ids: give more of it")
    return found[0]


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def describe(delivery: Delivery, disabled: dict[str, tuple[str, str]]) -> str:
    """One delivery, for a person: its state, attempts, and what comes next."""
    if delivery.state == "delivered":
        return f"delivered {delivery.delivered_at} after {delivery.attempts} attempt(s)"
    text = f"{delivery.state} after {delivery.attempts} attempt(s)" if delivery.attempts else delivery.state
    if delivery.last_error:
        text += f", last error: {delivery.last_error}"
    if delivery.state == "pending":
        if delivery.sink in disabled:
            text += "; the sink is disabled (`guetteur alerts enable-sink`)"
        elif delivery.next_attempt > datetime.now(UTC).timestamp():
            text += f"; next attempt {_when(delivery.next_attempt)}"
    return text


def _summary(alert: Alert) -> str:
    figure = f" {figure_fr(alert.figure)}" if alert.figure else ""
    return f"{alert.kind} {alert.predicate}{figure}"


def list_alerts(store: Store, out: TextIO, *, limit: int, state: str | None) -> None:
    alerts = store.recent_alerts(limit, state)
    if not alerts:
        out.write("no alerts" + (f" {state}" if state else "") + "\n")
    for stored in alerts:
        states = " ".join(f"{d.sink}={d.state}" + (f"({d.attempts})" if d.state != "delivered" and d.attempts else "")
                          for d in stored.deliveries)
        out.write(f"{stored.created_at}  {stored.id}  {_summary(Alert.loads(stored.body))}  {states}\n")


def show_alert(store: Store, out: TextIO, id_prefix: str, *, as_json: bool) -> None:
    stored = find_alert(store, id_prefix)
    alert = Alert.loads(stored.body)
    if as_json:
        deliveries = [{"sink": d.sink, "state": d.state, "attempts": d.attempts, "last_error": d.last_error,
                       "delivered_at": d.delivered_at,
                       "next_attempt": _when(d.next_attempt) if d.state == "pending" and d.next_attempt else None}
                      for d in stored.deliveries]
        out.write(json.dumps({"alert": alert.as_json(), "deliveries": deliveries}, ensure_ascii=False, indent=2) + "\n")
        return
    disabled = store.disabled_sinks()
    out.write(f"{stored.id} ({stored.created_at})\n{render_text(alert)}\n")
    for delivery in stored.deliveries:
        out.write(f"  {delivery.sink}: {describe(delivery, disabled)}\n")


def _send_now(store: Store, sink: Sink, items: Sequence[Pending], out: TextIO, err: TextIO) -> bool:
    """One attempt for each row, in order, recorded like the monitor's; True if all were delivered."""
    metrics = Metrics()  # this command's own: its attempts are not the monitor's series
    rng = random.Random()
    delivered = True
    for item in items:
        if attempt(store, sink, item, metrics, rng):
            out.write(f"{item.alert_id} delivered to {sink.key}\n")
            continue
        delivered = False
        stored = find_alert(store, item.alert_id)
        now = next((d for d in stored.deliveries if d.sink == sink.key), None)
        what = describe(now, store.disabled_sinks()) if now else "not in the outbox"
        err.write(f"guetteur: {item.alert_id} not delivered to {sink.key}: {what}\n")
    return delivered


def replay(store: Store, settings: Settings, out: TextIO, err: TextIO, id_prefix: str, sink_name: str) -> bool:
    """Queue an alert for a sink again, whatever it did before, and send it now."""
    key, configured = resolve_sink(settings, sink_name)
    stored = find_alert(store, id_prefix)
    store.requeue(stored.id, key)
    if key in store.disabled_sinks():
        err.write(f"guetteur: {stored.id} queued for {key}, which is disabled: `guetteur alerts enable-sink`\n")
        return False
    assert configured is not None
    return _send_now(store, build_sink(configured, settings.http), [Pending(stored.id, key, stored.body, 0)],
                     out, err)


def dead_letters(store: Store, settings: Settings, out: TextIO, sink_name: str | None) -> None:
    known = list(store.sink_counts())
    key = resolve_sink(settings, sink_name, known)[0] if sink_name else None
    letters = store.dead_letters(key)
    if not letters:
        out.write("no dead letters\n")
    for item in letters:
        out.write(f"{item.alert_id}  {item.sink}  {item.attempts} attempt(s): {item.last_error}\n")


def retry(store: Store, settings: Settings, out: TextIO, err: TextIO, ids: Sequence[str], *, every: bool,
          sink_name: str | None) -> bool:
    """Dead letters back to their sinks' queues with all their retries, each sent once now."""
    if bool(ids) == every:
        raise AlertsUsageError("name the dead letters' alert ids, or give --all")
    key = resolve_sink(settings, sink_name, list(store.sink_counts()))[0] if sink_name else None
    full_ids = None if every else [find_alert(store, the_id).id for the_id in ids]
    revived = store.retry_dead(full_ids, key)
    if not revived:
        out.write("no dead letters to retry\n")
        return True
    delivered = True
    configured = {s.key: s for s in settings.sinks}
    disabled = store.disabled_sinks()
    for sink in dict.fromkeys(s for _, s in revived):
        rows = [stored_pending(store, alert_id, sink) for alert_id, s in revived if s == sink]
        if sink not in configured or sink in disabled:
            why = "is no longer in the config" if sink not in configured else "is disabled"
            err.write(f"guetteur: {len(rows)} dead letter(s) queued again for {sink}, which {why}\n")
            delivered = False
            continue
        delivered &= _send_now(store, build_sink(configured[sink], settings.http), rows, out, err)
    return delivered


def stored_pending(store: Store, alert_id: str, sink: str) -> Pending:
    stored = find_alert(store, alert_id)
    return Pending(stored.id, sink, stored.body, 0)


def sinks(store: Store, settings: Settings, out: TextIO) -> None:
    counts = store.sink_counts()
    disabled = store.disabled_sinks()
    keys = list(dict.fromkeys([s.key for s in settings.sinks] + list(counts)))
    configured = {s.key for s in settings.sinks}
    for key in keys:
        state = f"disabled since {disabled[key][0]} ({disabled[key][1]})" if key in disabled else "enabled"
        if key not in configured:
            state += ", not in the config"
        tally = ", ".join(f"{counts.get(key, {}).get(s, 0)} {s}" for s in DELIVERY_STATES)
        out.write(f"{key}  {state}  {tally}\n")


def enable_sink(store: Store, settings: Settings, out: TextIO, sink_name: str) -> None:
    key = resolve_sink(settings, sink_name, list(store.disabled_sinks()))[0]
    if store.enable_sink(key):
        pending = store.sink_counts().get(key, {}).get("pending", 0)
        out.write(f"{key} enabled: {pending} alert(s) wait for it; a running monitor sends them within seconds, "
                  "else the next run does\n")
    else:
        out.write(f"{key} was not disabled\n")


def quiet_delivery_logs() -> None:
    """The command prints each outcome itself, on one line; the monitor's log lines would say it twice."""
    logging.getLogger("pipeline.judging.delivery").setLevel(logging.CRITICAL)
