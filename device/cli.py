"""The ``deskpulse`` command: a thin dispatcher over ``device/app/commands/*``.

``COMMANDS`` below is the one list of commands and their one-line helps, so
that ``deskpulse --help`` imports no command at all. Only the chosen command's
module is imported; it exposes ``add_arguments(parser)`` and ``run(args) -> int``
and keeps heavy imports (Flask, paho, gpiozero) inside ``run``, so that
``deskpulse replay`` does not pay for the dashboard (tests/system/test_fast_commands.py,
benchmarks/cli_startup.py).

A person's mistake (bad config, malformed trace, wrong argument) is one line
on stderr and exit code 2, never a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import sys

# name (also the module under device.app.commands) -> one-line help, in `deskpulse --help` order
COMMANDS = {
    "run": "run the desk daemon (GPIO), or a simulated desk with --simulate",
    "demo": "a simulated desk with the dashboard, no Pi needed (try this first)",
    "replay": "replay a deskpulse-trace v1 file through the sitting engine and print its events",
    "simulate": "simulate days at a desk: write a trace of seat/PIR edges and its truth file",
    "export": "export the history (days, bouts or events) as CSV or JSON",
    "config": "check a configuration file, or show the effective configuration",
    "dashboard": "serve the web dashboard (127.0.0.1:8080 by default); --hash-password makes a password hash",
    "doctor": "check GPIO backend, devices, permissions, config, history and MQTT; exit 1 if anything FAILs",
    "selftest": "light each LED pattern, beep once, then show input edges live (check the wiring)",
    "watch": "show a desk's live state and events from the MQTT broker",
}


def chosen(argv: list[str]) -> str | None:
    """The command ``argv`` names: its first word that is not an option (``deskpulse`` has no valued options)."""
    for a in argv:
        if not a.startswith("-"):
            return a if a in COMMANDS else None
    return None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Every command with its help; only ``command``'s module is imported, for its arguments and ``run``."""
    parser = argparse.ArgumentParser(prog="deskpulse", description="A desk-sitting coach for the Raspberry Pi.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help in COMMANDS.items():
        p = sub.add_parser(name, help=help, description=help)
        if name == command:
            mod = importlib.import_module(f"device.app.commands.{name}")
            mod.add_arguments(p)
            p.set_defaults(_run=mod.run)
    return parser


def _user_errors() -> tuple[type[BaseException], ...]:
    # evaluated only when a command raised: a command that succeeds does not pay for importing them all
    from device.errors import USER_ERRORS
    return USER_ERRORS


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(chosen(argv))
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except _user_errors() as e:
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
