"""Run the graph on the configured Beam runner, pinned: a missing runner is an error, never a silent fallback."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from pipeline.config.schema import Settings
from pipeline.domain.errors import GuetteurError
from pipeline.runtime import graph

log = logging.getLogger(__name__)

PRISM_VERSION = "v2.77.0"  # the Go module version of Prism that matches apache-beam 2.77.0
_REPO = Path(__file__).resolve().parents[2]
STREAMING_JOB_TIMEOUT = 10 * 365 * 24 * 3600  # seconds: ten years, the life of the state stream of a monitor


def prism_binary() -> str:
    """Prism, built by `make setup` with `go install` from the Go module proxy (Beam would download it from
    GitHub at run time, which fails offline)."""
    chosen = os.environ.get("GUETTEUR_PRISM")
    if chosen is not None:  # an explicit choice is never silently replaced by another binary
        if os.access(chosen, os.X_OK):
            return chosen
        raise GuetteurError(f"GUETTEUR_PRISM={chosen}: not an executable Prism binary")
    candidates = [str(_REPO / ".cache" / "bin" / "prism"), shutil.which("prism") or "",
                  str(Path.home() / "go" / "bin" / "prism")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise GuetteurError("the local runner needs Prism, which is not built: run `make setup` (it runs "
                        f"`go install github.com/apache/beam/sdks/v2/go/cmd/prism@{PRISM_VERSION}`), "
                        "or set GUETTEUR_PRISM to its path")


def _runner_args(name: str) -> list[str]:
    if name == "local":
        return ["--runner=PrismRunner", f"--prism_location={prism_binary()}"]
    if name == "flink":
        from connectors.ops.flink import job_server_jar

        # Beam's FlinkRunner starts the job server from this jar; "[local]" runs an embedded Flink mini-cluster
        # inside it. A cluster is named with --flink_master=host:port in [runner] options, which come after these.
        return ["--runner=FlinkRunner", f"--flink_job_server_jar={job_server_jar()}", "--flink_master=[local]"]
    raise GuetteurError(f"runner {name!r}: unknown; use 'local' or 'flink'")


def pipeline_options(settings: Settings, *, streaming: bool) -> PipelineOptions:
    args = [
        *_runner_args(settings.runner.name),
        # LOOPBACK: the SDK harness runs in this process, so the DoFns share its metrics registry and stop flag.
        "--environment_type=LOOPBACK",
    ]
    if streaming:
        # Beam's portable runner puts --job_server_timeout (300 s by default) on the job's state stream as a
        # gRPC deadline: a streaming run was cut after exactly five minutes ("Deadline Exceeded"). A monitor
        # runs for weeks.
        args += ["--streaming", f"--job_server_timeout={STREAMING_JOB_TIMEOUT}"]
    args.extend(settings.runner.options)  # passed through verbatim, after ours: the user's word is last
    return PipelineOptions(args)


def run_pipeline(settings: Settings, *, once: bool) -> None:
    """Build and run the graph until it finishes (once) or graph.STOP is set and it has drained."""
    options = pipeline_options(settings, streaming=not once)
    noisy_loggers = ("apache_beam", "PrismRunner", "apache_beam.runners.portability",
                     "apache_beam.utils.subprocess_server")
    for noisy in noisy_loggers:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    with beam.Pipeline(options=options) as pipeline:
        graph.build(pipeline, settings, once=once)
