"""``deskpulse run``: the desk daemon, on GPIO or on a simulated desk.

Without ``--simulate`` it reads the configured GPIO backend in real time
(with ``gpio.pin_factory = "mock"``: an empty chair forever, which is how the
idle cost is measured). With ``--simulate PROFILE`` gpiozero's mock pins are
driven by the desk simulator, on a clock running ``--speed`` times real time
(``max``: a fake clock that jumps from one edge or deadline to the next).

This module is the command's arguments; building and running the daemon is
``device/app/runner.py``, the simulated desk ``device/app/sim_desk.py``.
Arguments are checked here rather than by argparse ``type=`` so that a
mistake is one line and exit 2, like every deskpulse error.
"""
from __future__ import annotations

import argparse
from datetime import datetime

from device.app.commands import args as check
from device.app.runner import local_tz, run_daemon
from device.app.sim_desk import SimSpec


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="default: /etc/deskpulse/config.toml, then ~/.config/deskpulse/config.toml")
    p.add_argument("--simulate", metavar="PROFILE",
                   help="drive mock pins with a simulated person: typical, fidgety, long_sitter, still_reader, "
                        "day_off, night_owl, noisy_mat, deep_reader, bag_carrier, late_night")
    p.add_argument("--speed", default="60", metavar="N|max", help="simulated seconds per real second (default 60), or max")
    p.add_argument("--days", default="1", metavar="N", help="simulated days (default 1)")
    p.add_argument("--seed", default="1", metavar="S", help="simulation seed (default 1)")
    p.add_argument("--db", metavar="PATH", help="history database (default: history.db_path, $STATE_DIRECTORY or XDG)")
    p.add_argument("--seconds", default=None, metavar="N", help="stop after N real seconds (benchmarks)")
    p.add_argument("--verbose", "-v", action="store_true", help="log every input edge")


def run(args: argparse.Namespace) -> int:
    from device import config
    from device.adapters.notify import setup_logging

    cfg = config.load(args.config)
    setup_logging(args.verbose)
    sim = None
    if args.simulate:
        profile = check.profile("simulate", args.simulate)
        cfg = cfg.replace(gpio={"pin_factory": "mock"})
        start = datetime.now(local_tz(cfg)).replace(hour=0, minute=0, second=0, microsecond=0)
        sim = SimSpec(profile, check.days(args.days), check.seed(args.seed), check.speed(args.speed), start)
    if args.db:
        cfg = cfg.replace(history={"db_path": args.db})
        config.check_files(cfg, db_source=f"--db {args.db}")
    elif sim is not None:
        # simulated days must never land in the desk's real history (nor take its lock)
        real = config.default_db_path(cfg)
        cfg = cfg.replace(history={"db_path": str(real.with_name(f"{real.stem}-sim{real.suffix}"))})
    if not args.db:
        config.check_files(cfg)
    seconds = check.number("seconds", args.seconds, 0.1, 1e9) if args.seconds else None
    return run_daemon(cfg, sim=sim, seconds=seconds)
