"""``deskpulse simulate``: write a simulated desk day (or year) and its truth.

Arguments are parsed as text and checked here, not by argparse's ``type=``,
so a mistake is one line and exit 2 like every other deskpulse error.
"""
from __future__ import annotations

import argparse

from device.app.commands import args as check
from device.errors import UserError


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--days", default="1", metavar="N", help="whole days to simulate (default 1, at most 3660)")
    p.add_argument("--seed", default="0", metavar="S", help="random seed: the same seed gives the same file")
    p.add_argument("--profile", default="typical", metavar="NAME",
                   help="typical, fidgety, long_sitter, still_reader, day_off, night_owl, noisy_mat, "
                        "deep_reader, bag_carrier or late_night (docs/simulate.md)")
    p.add_argument("--out", required=True, metavar="TRACE.csv",
                   help="trace to write; the truth goes beside it as TRACE.truth.csv")
    p.add_argument("--sensors", default="seat,pir", metavar="LIST", help="seat, pir or seat,pir (default)")
    p.add_argument("--pir", default="hc_sr501_min", metavar="MODEL", help="am312, hc_sr501_min (default), hc_sr501_mid, hc_sr501_long or hc_sr501_max")
    p.add_argument("--pir-hold", default=None, metavar="SECONDS", help="override the PIR hold time (1-600 s)")
    p.add_argument("--start", default=None, metavar="ISO",
                   help="wall time of t=0 with a UTC offset (default 2026-03-02T00:00:00+01:00, a Monday)")


def run(args: argparse.Namespace) -> int:
    import os
    from datetime import datetime

    from device.sim import simulate as sim

    days = check.days(args.days)
    seed = check.seed(args.seed)
    check.profile("profile", args.profile)
    if args.pir not in sim.PIR_MODELS:
        raise UserError(f"--pir {args.pir!r} is unknown (known: {', '.join(sim.PIR_MODELS)})")
    sensors = [s.strip() for s in args.sensors.split(",") if s.strip()]
    bad = [s for s in sensors if s not in ("seat", "pir")]
    if bad or not sensors or len(set(sensors)) != len(sensors):
        raise UserError(f"--sensors {args.sensors!r}: give seat, pir or seat,pir")
    hold = None
    if args.pir_hold is not None:
        hold = check.number("pir-hold", args.pir_hold, 1.0, 600.0, unit="seconds")
    start = sim.DEFAULT_START
    if args.start is not None:
        try:
            start = datetime.fromisoformat(args.start)
        except ValueError:
            raise UserError(f"--start {args.start!r} is not an ISO 8601 time, e.g. 2026-03-02T00:00:00+01:00") from None
        if start.tzinfo is None:
            raise UserError(f"--start {args.start!r} needs a UTC offset, e.g. 2026-03-02T00:00:00+01:00")
    out = args.out
    if not out.endswith(".csv") or out.endswith(".truth.csv"):
        raise UserError(f"--out {out!r} must end in .csv (and not .truth.csv: that name is the truth file's)")
    folder = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(folder):
        raise UserError(f"--out {out!r}: folder {folder} does not exist")
    try:   # window by window: memory bounded by the window, not the run
        trace_path, truth_path, edges, seated_s = sim.write_days(args.profile, days, seed, out, start, args.pir,
                                                                 tuple(sensors), pir_hold_s=hold)
    except OSError as e:
        raise UserError(f"--out {out!r}: cannot write: {e.strerror or e}") from None
    print(f"wrote {trace_path} ({edges} edges, {days} day(s), {seated_s / 3600:.1f} h seated) "
          f"and {truth_path}")
    return 0
