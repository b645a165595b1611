"""``deskpulse replay TRACE``: run a trace through the engine, print events as JSON lines."""
from __future__ import annotations

import argparse
import json
import sys

from device import config
from device.errors import UserError

HELP = "replay a deskpulse-trace v1 file through the sitting engine and print its events"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("trace", help="a deskpulse-trace v1 CSV file")
    p.add_argument("--sensor", choices=("seat", "pir", "both"),
                   help="which recorded inputs to use (default: all the trace has)")
    p.add_argument("--config", metavar="FILE", help="settings to replay with (default: the usual search)")
    p.add_argument("--summary", action="store_true",
                   help="print one line per day (seated time, bouts, breaks, prompts...) instead of events")


def run(args: argparse.Namespace) -> int:
    from device.replay import replay
    from device.trace import read_trace

    cfg = config.load(args.config)
    trace = read_trace(args.trace)
    sensor = args.sensor
    if sensor:
        have = set(trace.header.signals) or set(trace.signals)
        needed = {"seat", "pir"} if sensor == "both" else {sensor}
        if not needed <= have:
            raise UserError(f"{args.trace}: --sensor {sensor} needs {' and '.join(sorted(needed))}, "
                            f"the trace has {', '.join(sorted(have)) or 'no signals'}")
    events = replay(trace, cfg, sensor)
    out = sys.stdout
    if args.summary:
        from device.rollup import summarize
        boundary = config.parse_hhmm(cfg.coaching.day_boundary)
        for day in summarize(list(events), boundary):
            out.write(json.dumps(day.as_dict()) + "\n")
        return 0
    write = out.write
    for ev in events:
        write(ev.to_json() + "\n")
    return 0
