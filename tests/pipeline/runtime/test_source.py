"""Every instance of the monitor's source in one process shares one schedule of the feeds."""

from __future__ import annotations

import pickle
from collections import Counter
from pathlib import Path

from apache_beam.io.restriction_trackers import OffsetRange, OffsetRestrictionTracker
from apache_beam.runners.sdf_utils import RestrictionTrackerView, ThreadsafeRestrictionTracker

from pipeline.config.schema import settings_from_dict
from pipeline.runtime import graph, process


def look(source: graph.PollForeverFn, start: int) -> list[object]:
    """One resume of the source, as the SDK harness makes it."""
    tracker = RestrictionTrackerView(ThreadsafeRestrictionTracker(OffsetRestrictionTracker(OffsetRange(start, 2**62))))
    return list(source.process(None, tracker))


def test_a_second_instance_of_the_source_does_not_poll_again_what_the_first_just_polled(
        tmp_path: Path, empty_feeds: tuple[str, Counter[str]]) -> None:
    # Beam's SDK harness makes a new instance of the source when a resume starts before the previous one has handed
    # its instance back, and resumes on any of them. With a schedule each, the next one polled every feed again.
    base, requests = empty_feeds
    settings = settings_from_dict({
        "store": {"path": str(tmp_path / "g.db")},
        "http": {"allow_private_networks": True},
        "feeds": [{"name": f"f{i}", "url": f"{base}/f{i}.xml", "interval": "1h"} for i in range(4)],
        "sinks": [{"type": "jsonl", "path": str(tmp_path / "alerts.jsonl")}],
    })
    first, second = graph.PollForeverFn(settings), graph.PollForeverFn(settings)
    first.setup()
    second.setup()
    try:
        assert look(first, 0) == []  # the feeds are empty
        assert sum(requests.values()) == 4
        assert look(second, 1) == []
        assert sum(requests.values()) == 4  # nothing is due: the second knows what the first did
    finally:
        first.teardown()
        second.teardown()
    assert process._pollers.users(settings.model_dump_json()) == 0  # the last instance gone, the schedule goes too


def test_every_stage_instance_of_a_process_holds_one_copy_of_the_settings(tmp_path: Path) -> None:
    # Beam unpickles each DoFn of each bundle processor on its own; with many feeds, the copies added up.
    settings = settings_from_dict({"store": {"path": str(tmp_path / "g.db")},
                                   "sinks": [{"type": "jsonl", "path": str(tmp_path / "alerts.jsonl")}]})
    instances = [pickle.loads(pickle.dumps(fn)) for fn in (graph.ReadFn(settings), graph.JudgeFn(settings),
                                                          graph.RecordDropFn(settings), graph.AnalyseFn(settings))]
    assert len({id(fn.settings) for fn in instances}) == 4  # as Beam hands them over
    for fn in instances:
        fn.setup()
    try:
        assert len({id(fn.settings) for fn in instances}) == 1
        assert instances[0].settings == settings
    finally:
        for fn in instances:
            if hasattr(fn, "store"):
                fn.teardown()
