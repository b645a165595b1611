"""``deskpulse watch``: a desk's live state and events from the broker, in a terminal.

For people who live in a shell (and for checking a desk from another
machine): one status line whenever the retained state changes, one line per
event. ``--device '+'`` watches every desk under the prefix. Ctrl-C exits 0.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="default: /etc/deskpulse/config.toml, then ~/.config/deskpulse/config.toml")
    p.add_argument("--device", metavar="ID", help="the desk's device id (default: this config's); '+' for all desks")
    p.add_argument("--host", metavar="H", help="broker host (default: mqtt.host)")
    p.add_argument("--port", metavar="P", help="broker port (default: mqtt.port)")


def _clock(ts: Any) -> str:
    return ts[11:19] if isinstance(ts, str) and len(ts) >= 19 else "--:--:--"


def format_state(desk: str, s: dict[str, Any], status: str | None) -> str:
    """One compact line: presence, bout, today's totals, prompt level, pause/snooze."""
    parts = [f"{desk} [{status or '?'}]",
             f"{'SEATED' if s.get('seated') else 'away'}"]
    if s.get("seated"):
        parts.append(f"bout {int(s.get('bout_s') or 0) // 60} min")
    parts.append(f"today {s.get('today_seated_min', 0):g} min seated")
    parts.append(f"breaks {s.get('breaks', 0)} prompts {s.get('prompts', 0)} done {s.get('exercises_done', 0)}")
    if s.get("compliance") is not None:
        parts.append(f"compliance {s['compliance']:g}%")
    if s.get("level"):
        parts.append(f"level {s['level']} ({s.get('alert', '')})")
    if s.get("paused_until"):
        parts.append(f"paused until {_clock(s['paused_until'])}")
    if s.get("snoozed_until"):
        parts.append(f"snoozed until {_clock(s['snoozed_until'])}")
    return " · ".join(parts)


def format_event(desk: str, e: dict[str, Any]) -> str:
    """One line per event: time, desk, type and the fields that matter for it."""
    typ = e.get("type", "?")
    detail = {k: v for k, v in e.items() if k not in ("v", "id", "type", "t", "ts")}
    if typ == "prompt" and isinstance(detail.get("exercise"), dict):
        detail["exercise"] = detail["exercise"].get("name") or detail["exercise"].get("key")
    text = " ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in detail.items())
    return f"{_clock(e.get('ts'))} {desk} {typ:<15} {text}".rstrip()


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    import queue
    import signal
    import socket
    import threading

    from device import config
    from device.errors import UserError
    from device.adapters.mqtt.client import make_client
    from device.adapters.mqtt.topics import Topics, sanitize_id

    out = out or sys.stdout
    cfg = config.load(args.config)
    host = args.host or cfg.mqtt.host
    if not host:
        raise UserError("no broker: give --host, or set mqtt.host in the config")
    try:
        port = int(args.port) if args.port else cfg.mqtt.port
        if not 1 <= port <= 65535:
            raise ValueError
    except ValueError:
        raise UserError(f"--port {args.port!r} is not a TCP port") from None
    cfg = cfg.replace(mqtt={"host": host, "port": port})
    device = args.device if args.device == "+" else (sanitize_id(args.device) if args.device else None)
    topics = Topics.from_config(cfg) if device is None else Topics(cfg.mqtt.topic_prefix.strip("/") or "deskpulse",
                                                                   device)
    import os
    client = make_client(cfg, cid=f"deskpulse-watch-{socket.gethostname()}-{os.getpid()}")
    inbox: queue.Queue = queue.Queue()
    subs = [(topics.state, 0), (topics.status, 0), (topics.event, 1)]
    client.on_connect = lambda c, u, f, rc, p: (c.subscribe(subs) if not rc.is_failure else None, inbox.put(("rc", rc)))
    client.on_message = lambda c, u, m: inbox.put(("msg", m))
    try:
        client.connect(host, port, keepalive=cfg.mqtt.keepalive_s)
    except OSError as e:
        raise UserError(f"cannot reach the broker at {host}:{port}: {getattr(e, 'strerror', None) or e}") from None
    client.loop_start()
    statuses: dict[str, str] = {}
    states: dict[str, dict] = {}
    print(f"watching {topics.base}/… on {host}:{port} (Ctrl-C to stop)", file=out, flush=True)
    # Ctrl-C sets a flag instead of raising: a KeyboardInterrupt landing inside ``inbox.get()`` can
    # leave the queue's lock held, and then paho's thread blocks on ``put`` and ``loop_stop`` waits
    # for it for ever (seen once in the suite). The loop looks at the flag twice a second.
    interrupted: list[int] = []
    old_handler = None
    if threading.current_thread() is threading.main_thread():
        old_handler = signal.signal(signal.SIGINT, lambda signum, frame: interrupted.append(signum))
    try:
        while not interrupted:
            try:
                kind, item = inbox.get(timeout=0.5)
            except queue.Empty:
                continue
            if kind == "rc":
                if item.is_failure:
                    raise UserError(f"the broker at {host}:{port} refused the login: {item}")
                continue
            parts = item.topic.split("/")
            desk, leaf = parts[-2], parts[-1]
            try:
                if leaf == "status":
                    statuses[desk] = item.payload.decode(errors="replace")[:20]
                    if desk in states:
                        print(format_state(desk, states[desk], statuses[desk]), file=out, flush=True)
                    else:
                        print(f"{desk} [{statuses[desk]}]", file=out, flush=True)
                elif leaf == "state":
                    states[desk] = json.loads(item.payload)
                    print(format_state(desk, states[desk], statuses.get(desk)), file=out, flush=True)
                elif leaf == "event":
                    print(format_event(desk, json.loads(item.payload)), file=out, flush=True)
            except (ValueError, TypeError, AttributeError):
                print(f"{desk} {leaf}: unreadable payload ({len(item.payload)} bytes)", file=out, flush=True)
        return 0
    except KeyboardInterrupt:  # before the handler was installed, or not on the main thread
        return 0
    finally:
        if old_handler is not None:
            signal.signal(signal.SIGINT, old_handler)
        client.disconnect()
        client.loop_stop()
