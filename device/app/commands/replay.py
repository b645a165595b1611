"""``deskpulse replay TRACE``: run a trace through the engine, print events as JSON lines."""
from __future__ import annotations

import argparse
import json
import sys

from device import config
from device.errors import UserError


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("trace", help="a deskpulse-trace v1 CSV file")
    p.add_argument("--sensor", choices=("seat", "pir", "both"),
                   help="which recorded inputs to use (default: all the trace has)")
    p.add_argument("--config", metavar="FILE", help="settings to replay with (default: the usual search)")
    p.add_argument("--summary", action="store_true",
                   help="print one line per day (seated time, bouts, breaks, prompts...) instead of events")


def run(args: argparse.Namespace) -> int:
    from device.app.replay import replay_stream, trace_signals
    from device.adapters.trace import open_trace

    cfg = config.load(args.config)
    stream = open_trace(args.trace)
    try:
        sensor = args.sensor
        if sensor:
            have = trace_signals(stream)
            needed = {"seat", "pir"} if sensor == "both" else {sensor}
            if not needed <= have:
                raise UserError(f"{args.trace}: --sensor {sensor} needs {' and '.join(sorted(needed))}, "
                                f"the trace has {', '.join(sorted(have)) or 'no signals'}")
        # streamed: events are written as each block of rows is replayed, so memory does not grow
        # with the file; a malformed row stops the replay there (exit 2, after the events before it)
        events = replay_stream(stream, cfg, sensor)
        out = sys.stdout
        if args.summary:
            from device.core.rollup import summarize_stream
            boundary = config.parse_hhmm(cfg.coaching.day_boundary)
            for day in summarize_stream(events, boundary):
                out.write(json.dumps(day.as_dict()) + "\n")
            return 0
        write = out.write
        for ev in events:
            write(ev.to_json() + "\n")
        return 0
    finally:
        stream.close()
