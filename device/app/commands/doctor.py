"""``deskpulse doctor``: one screen saying what works here and how to fix what does not."""
from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE",
                   help="default: /etc/deskpulse/config.toml, then ~/.config/deskpulse/config.toml")
    p.add_argument("--root", metavar="DIR", default="/",
                   help="inspect /dev, /proc, /sys and /etc under DIR instead of / (for tests and SD card images)")


def run(args: argparse.Namespace) -> int:
    from device.app import doctor

    system = doctor.System.current(args.root)
    checks = doctor.run_checks(args.config, system)
    print(f"deskpulse doctor (as {system.user})")
    print(doctor.render(checks), end="")
    return doctor.exit_code(checks)
