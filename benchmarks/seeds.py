"""Alert precision and recall on the seed fixtures, and the time per article in each stage, in one run.

    python -m benchmarks.seeds [--shared ../shared] [--runner local|flink]

Serves the bundled fixtures on loopback, runs the whole flow once over them (as `guetteur run --once` does),
scores the alerts against ../shared/seeds/gold.json with the rules of CONTRACT.md, and prints the mean time per
article of each stage, read from the stage histogram the monitor exports. It first runs a one-element pipeline on
the same runner: that is the runner's fixed cost to start (a job server, an embedded Flink) and to submit a job.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import apache_beam as beam

from benchmarks.gold import by_seed, score
from fixtures.server import FixtureServer
from pipeline.app.run import run_command
from pipeline.claims.parsing import nlp
from pipeline.config.schema import load_settings
from pipeline.runtime.process import process_metrics
from pipeline.runtime.runner import pipeline_options

STAGES = ("fetch", "extract", "language", "topics", "claims", "novelty")


def start_cost(settings) -> float:
    """Seconds for a pipeline of one element on the configured runner: start, submit, run, tear down."""
    started = time.perf_counter()
    with beam.Pipeline(options=pipeline_options(settings, streaming=False)) as pipeline:
        _ = pipeline | beam.Create([1]) | beam.Map(lambda x: x)
    return time.perf_counter() - started


def run(shared: Path, runner: str) -> int:
    gold_path = shared / "seeds" / "gold.json"
    if not gold_path.exists():
        print(f"skipped: {gold_path} is absent (the seeds are read from beside the repository)")
        return 0
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    metrics = process_metrics()
    with FixtureServer() as server, tempfile.TemporaryDirectory() as tmp:
        while server.pending_stages():
            server.publish_next()
        config = server.write_config(Path(tmp) / "g.toml", store_path=Path(tmp) / "g.db",
                                     alerts_path=Path(tmp) / "alerts.jsonl")
        settings = load_settings(config)
        settings = settings.model_copy(update={"runner": settings.runner.model_copy(update={"name": runner})})
        empty = start_cost(settings)
        nlp()  # load spaCy's model now: its 4 s are start-up, not the first article's
        started = time.perf_counter()
        run_command(settings, once=True, deliver_timeout=5)
        elapsed = time.perf_counter() - started
        lines = (Path(tmp) / "alerts.jsonl").read_text(encoding="utf-8").splitlines()
        alerts = [json.loads(line) for line in lines if line.strip()]
        items = {server.page_url(item.id).split("?")[0]: item for item in server.items()}
    result = score(gold, *by_seed(alerts, items))
    print(result.report())
    print(f"alert precision {result.precision():.3f}, recall {result.recall():.3f} "
          f"({len(alerts)} alerts raised, {result.expected} expected)")
    name = {"local": "Beam's Prism runner", "flink": "Beam's FlinkRunner (embedded Flink)"}[runner]
    print(f"\nrunner start-up: a one-element pipeline on {name} takes {empty:.2f} s")
    print(f"whole run on {name}: {elapsed:.2f} s (spaCy loaded beforehand; the runner's start, "
          "the extraction workers' start and the Beam graph included)")
    print(f"{'stage':10} {'articles':>8} {'mean ms/article':>16}")
    for stage in STAGES:
        count = metrics.registry.get_sample_value("guetteur_stage_duration_seconds_count", {"stage": stage}) or 0
        total = metrics.registry.get_sample_value("guetteur_stage_duration_seconds_sum", {"stage": stage}) or 0
        mean = f"{1000 * total / count:16.1f}" if count else f"{'n/a':>16}"
        print(f"{stage:10} {int(count):8d} {mean}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared")
    parser.add_argument("--runner", choices=("local", "flink"), default="local")
    args = parser.parse_args(argv)
    return run(args.shared, args.runner)


if __name__ == "__main__":
    sys.exit(main())
