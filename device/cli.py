"""The ``deskpulse`` command: a thin dispatcher over ``device/app/commands/*``.

``COMMANDS`` below is the one list of commands and their one-line helps, so
that ``deskpulse --help`` imports no command at all. Only the chosen command's
module is imported; it exposes ``add_arguments(parser)`` and ``run(args) -> int``
and keeps heavy imports (Flask, paho, gpiozero) inside ``run``, so that
``deskpulse replay`` does not pay for the dashboard (tests/system/test_fast_commands.py,
benchmarks/cli_startup.py). For the same reason the parsers find the terminal width
without ``shutil`` (``_HelpFormatter``), and ``deskpulse COMMAND ...`` builds only
that command's parser (``build_parser(alone=True)``).

A person's mistake (bad config, malformed trace, wrong argument) is one line
on stderr and exit code 2, never a traceback.
"""
from __future__ import annotations

import argparse
import os
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


def _columns() -> int:
    """``shutil.get_terminal_size().columns``, the width argparse wraps help to, without importing
    ``shutil`` (with zlib, bz2, lzma: ~2 ms of every command's start-up, benchmarks/cli_startup.py)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):  # no stdout, closed, not a terminal
        return 80


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, wrapping to the width it would find itself (``HelpFormatter`` imports
    ``shutil`` for it, and every parser makes a formatter as arguments are added)."""

    def __init__(self, prog, indent_increment=2, max_help_position=24, width=None):
        super().__init__(prog, indent_increment, max_help_position, _columns() - 2 if width is None else width)


class _ArgumentParser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` with ``_HelpFormatter`` by default; the subparsers (the commands
    and their own subcommands) are of this class too."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)


def build_parser(command: str | None = None, alone: bool = False) -> argparse.ArgumentParser:
    """Every command with its help; only ``command``'s module is imported, for its arguments and ``run``.

    ``alone``: the other commands are left out (each is a parser to build, ~0.2 ms). Only the
    top-level help and the "invalid choice" error show them, so ``main`` asks for it when
    ``argv`` begins with the command: everything after it is the command's parser's to read.
    """
    parser = _ArgumentParser(prog="deskpulse", description="A desk-sitting coach for the Raspberry Pi.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help in COMMANDS.items():
        if alone and name != command:
            continue
        p = sub.add_parser(name, help=help, description=help)
        if name == command:
            __import__(f"device.app.commands.{name}")  # (not importlib: its package is one more import)
            mod = sys.modules[f"device.app.commands.{name}"]
            mod.add_arguments(p)
            p.set_defaults(_run=mod.run)
    return parser


def _user_errors() -> tuple[type[BaseException], ...]:
    # evaluated only when a command raised: a command that succeeds does not pay for importing them all
    from device.errors import USER_ERRORS
    return USER_ERRORS


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = chosen(argv)
    parser = build_parser(command, alone=command is not None and argv[0] == command)
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
