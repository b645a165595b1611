"""``deskpulse config check FILE`` and ``deskpulse config show``."""
from __future__ import annotations

import argparse

from device import config


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = sub.add_parser("check", help="validate FILE; exit 2 with one line naming the problem")
    check.add_argument("file")
    show = sub.add_parser("show", help="print the effective configuration, defaults included")
    show.add_argument("--config", metavar="FILE", help="default: /etc/deskpulse/config.toml, then ~/.config/deskpulse/config.toml")


def run(args: argparse.Namespace) -> int:
    if args.action == "check":
        cfg = config.load(args.file)
        config.check_files(cfg)
        print(f"{cfg.source}: ok")
        return 0
    print(config.to_toml(config.load(args.config)), end="")
    return 0
