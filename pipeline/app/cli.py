"""The `guetteur` command: parse arguments, turn every failure into one line and an exit code."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import NoReturn

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad usage: exit 2 with one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One readable line, as for every other error; `guetteur --help` has the usage.
        raise UsageError(f"{self.prog}: {message}")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="guetteur", description="Monitor the French-language press and alert on new claims.")
    parser.add_argument("--debug", action="store_true", help="tracebacks and debug logs")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser("run", help="the long-running monitor")
    run.add_argument("--config", required=True, type=Path, help="TOML config file")
    run.add_argument("--once", action="store_true", help="poll every feed once, process what is new, exit")
    run.add_argument("--runner", choices=("local", "flink"), help="overrides [runner] name")
    run.add_argument("--deliver-timeout", type=float, default=30.0, metavar="SECONDS",
                     help="with --once: how long to retry delivering alerts (default 30)")

    demo = commands.add_parser("demo", help="the monitor on the bundled fixtures; no network, no config")
    demo.add_argument("--duration", type=float, metavar="SECONDS", help="stop after this long (default: until ^C)")
    demo.add_argument("--metrics-port", type=int, default=9108, metavar="PORT", help="0 disables (default 9108)")
    demo.add_argument("--publish-every", type=float, default=4.0, metavar="SECONDS",
                      help="seconds between two fixture articles appearing in the feeds (default 4)")

    check = commands.add_parser("check-config", help="validate a config without touching the network")
    check.add_argument("file", type=Path)

    extract = commands.add_parser("extract", help="print the extraction of a page as JSON")
    extract.add_argument("source", metavar="FILE_OR_URL")
    extract.add_argument("--allow-private-networks", action="store_true",
                         help="let a URL on loopback or a private network through (fixtures, tests)")
    _alerts_parser(commands)
    return parser


def _alerts_parser(commands: argparse._SubParsersAction) -> None:
    config_help = "TOML config file: its store and its sinks (required)"
    store = _Parser(add_help=False)
    # Accepted before or after the action; SUPPRESS keeps a value given before it from being reset.
    store.add_argument("--config", type=Path, default=argparse.SUPPRESS, help=config_help)
    alerts = commands.add_parser("alerts", help="recent alerts and their delivery; replay, dead letters, sinks")
    alerts.add_argument("--config", type=Path, help=config_help)
    actions = alerts.add_subparsers(dest="action", required=True, parser_class=_Parser)
    listing = actions.add_parser("list", parents=[store], help="recent alerts, newest first, with their delivery")
    listing.add_argument("--limit", type=int, default=20, help="how many (default 20)")
    listing.add_argument("--state", choices=("pending", "delivered", "dead"),
                         help="only alerts in this state at one sink at least")
    show = actions.add_parser("show", parents=[store], help="one alert, readable, with its delivery at each sink")
    show.add_argument("id", help="the alert id, or its beginning")
    show.add_argument("--json", action="store_true", help="the alert and its deliveries as one JSON object")
    replay = actions.add_parser("replay", parents=[store], help="send an alert to a sink again, now")
    replay.add_argument("id", help="the alert id, or its beginning")
    replay.add_argument("--sink", required=True, help="the sink's key, URL, path, or type if only one has it")
    dead = actions.add_parser("dead", parents=[store], help="list the dead letters")
    dead.add_argument("--sink", help="only this sink's")
    retry = actions.add_parser("retry", parents=[store], help="send dead letters again, now, with all their retries")
    retry.add_argument("ids", nargs="*", metavar="ID", help="the dead letters' alert ids")
    retry.add_argument("--all", action="store_true", help="every dead letter (of --sink, if given)")
    retry.add_argument("--sink", help="only this sink's")
    actions.add_parser("sinks", parents=[store], help="each sink's state and its alerts by delivery state")
    enable = actions.add_parser("enable-sink", parents=[store], help="enable a sink disabled by a 410 Gone")
    enable.add_argument("sink", help="the sink's key, URL, path, or type if only one has it")


def _install_stop_handlers(stop: threading.Event) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        logging.getLogger("guetteur").info("signal %s: stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def _check_config(args: argparse.Namespace) -> int:
    from pipeline.config.schema import ConfigError, load_settings
    from pipeline.topics.matching import load_topics

    try:
        settings = load_settings(args.file)
        load_topics(settings.topics)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_USAGE
    print(f"{args.file}: ok ({len(settings.feeds)} feeds, {len(settings.sinks)} sinks)")
    return EXIT_OK


def _extract(args: argparse.Namespace) -> int:
    from pipeline.app.run import extract_command

    print(json.dumps(extract_command(args.source, allow_private=args.allow_private_networks), ensure_ascii=False,
                     indent=2))
    return EXIT_OK


def _long_running() -> None:
    """What a process that runs for weeks sets up before it starts a thread."""
    from connectors.ops.allocator import give_back_every, tune_malloc

    tune_malloc()
    give_back_every()


def _run(args: argparse.Namespace) -> int:
    _long_running()
    from pipeline.app.run import run_command
    from pipeline.config.schema import load_settings
    from pipeline.runtime.process import STOP

    settings = load_settings(args.config)
    if args.runner:
        settings = settings.model_copy(update={"runner": settings.runner.model_copy(update={"name": args.runner})})
    _install_stop_handlers(STOP)
    return run_command(settings, once=args.once, deliver_timeout=args.deliver_timeout)


def _demo(args: argparse.Namespace) -> int:
    _long_running()
    from pipeline.app.demo import run_demo
    from pipeline.runtime.process import STOP

    _install_stop_handlers(STOP)
    return run_demo(duration=args.duration, metrics_port=args.metrics_port, publish_every=args.publish_every)


def _alerts(args: argparse.Namespace) -> int:
    from pipeline.app import alerts as cmd
    from pipeline.config.schema import load_settings

    if args.config is None:
        raise UsageError(f"guetteur alerts {args.action}: --config FILE is required")
    settings = load_settings(args.config)
    if not args.debug:
        cmd.quiet_delivery_logs()
    out, err = sys.stdout, sys.stderr
    ok = True
    try:
        with cmd.opened_store(settings) as store:
            if args.action == "list":
                if args.limit < 1:
                    raise UsageError("guetteur alerts list: --limit must be at least 1")
                cmd.list_alerts(store, out, limit=args.limit, state=args.state)
            elif args.action == "show":
                cmd.show_alert(store, out, args.id, as_json=args.json)
            elif args.action == "replay":
                ok = cmd.replay(store, settings, out, err, args.id, args.sink)
            elif args.action == "dead":
                cmd.dead_letters(store, settings, out, args.sink)
            elif args.action == "retry":
                ok = cmd.retry(store, settings, out, err, args.ids, every=args.all, sink_name=args.sink)
            elif args.action == "sinks":
                cmd.sinks(store, settings, out)
            else:
                cmd.enable_sink(store, settings, out, args.sink)
    except cmd.AlertsUsageError as exc:
        raise UsageError(f"guetteur alerts {args.action}: {exc}") from None
    return EXIT_OK if ok else EXIT_FAILURE


_COMMANDS = {"check-config": _check_config, "extract": _extract, "run": _run, "demo": _demo, "alerts": _alerts}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    logging.basicConfig(level=logging.DEBUG if debug else logging.INFO, format="%(asctime)s %(levelname)s %(message)s",
                        stream=sys.stderr)
    from pipeline.config.schema import ConfigError
    from pipeline.domain.errors import GuetteurError

    try:
        args = _parser().parse_args(argv)
        return _COMMANDS[args.command](args)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_USAGE
    except GuetteurError as exc:
        if debug:
            traceback.print_exc()
        print(f"guetteur: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:  # noqa: BLE001 - the promise is one line, never a traceback unless --debug
        if debug:
            traceback.print_exc()
        print(f"guetteur: unexpected {type(exc).__name__}: {exc} (run with --debug for details)", file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
