"""The ``deskpulse`` command: a thin dispatcher over ``device/app/commands/*``.

Each command module exposes ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args) -> int``, and keeps heavy imports (Flask, paho, gpiozero) inside
``run`` so that ``deskpulse replay`` does not pay for the dashboard.

A person's mistake (bad config, malformed trace, wrong argument) is one line
on stderr and exit code 2, never a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from device.errors import USER_ERRORS

# name -> module under device.app.commands
COMMANDS = {
    "run": "run",
    "demo": "demo",
    "replay": "replay",
    "simulate": "simulate",
    "export": "export",
    "config": "config",
    "dashboard": "dashboard",
    "doctor": "doctor",
    "selftest": "selftest",
    "watch": "watch",
}


def _load(name: str):
    try:
        return importlib.import_module(f"device.app.commands.{COMMANDS[name]}")
    except ModuleNotFoundError as e:
        if e.name == f"device.app.commands.{COMMANDS[name]}":
            return None  # not built yet
        raise


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="deskpulse", description="A desk-sitting coach for the Raspberry Pi.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        mod = _load(name)
        if mod is None:
            continue
        p = sub.add_parser(name, help=mod.HELP, description=mod.HELP)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except USER_ERRORS as e:
        print(f"deskpulse {args.command}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `deskpulse replay x | head`: the reader left; not an error of ours.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
