"""Surviving a restart: the resume state in the history and in a RAM copy, and reading it back at start.

The engine's exported state is kept in the history's kv table with the wall
time it was saved (``daemon_state``), and the monotonic time and boot id; at
start a state saved less than ``coaching.break_s`` ago resumes the bout ("ago"
on the monotonic clock within one boot, so an NTP step while the daemon was
down changes nothing; on the wall clock after a reboot). An older one is
closed at the last moment it was known: a back-dated ``daemon_stop`` (reason
``unclean``) gives the rollup that moment before ``daemon_start``
(``resumed_bout`` false) closes the bout.

The RAM copy (a file in the runtime directory, ``runtime_dir``) also carries
the live status and the events not yet flushed: a crash or a restart loses no
event (``Resume.recover_buffered``), and the dashboard sees the desk as it is now.
"""
from __future__ import annotations

import json
import logging
import os
from datetime import datetime
from pathlib import Path

from device.core.events import Event, EventFactory

log = logging.getLogger("deskpulse.daemon")

STATE_KEY = "daemon_state"
#: At most this many buffered events go into the RAM copy (the newest): a card that has failed
#: for hours must not make every status change serialise tens of thousands of events.
RAM_PENDING_MAX = 2000


class Resume:
    """The resume state of one history: its two copies (kv ``daemon_state``, the RAM file), the boot id."""

    def __init__(self, cfg, clock, store, ids, runtime_file: Path | None):
        self.cfg, self.clock, self.store, self.ids = cfg, clock, store, ids
        self.runtime_file = runtime_file
        self.boot = boot_id(clock)  # with "mono" in the saved state: a restart in this boot times its gap

    # ------------------------------------------------------------------ at start
    def continue_ids(self) -> None:
        """This run's ids sort after every id of earlier runs, even with the wall clock behind them
        (a Pi without an RTC boots in the past): the last stored id, and any left in the RAM copy."""
        from device.adapters.store import max_event_id
        last = []
        if self.store.conn is not None:
            try:
                last.append(max_event_id(self.store.conn))
            except Exception as e:  # a damaged file: the store reports it; ids then follow the clock
                log.warning("cannot read the last event id (%s)", e)
        doc = self.read_runtime()
        pending = doc.get("pending") if isinstance(doc, dict) else None
        if isinstance(pending, list):
            last += [item[1].get("id") for item in pending
                     if isinstance(item, list) and len(item) == 2 and isinstance(item[1], dict)]
        for event_id in last:
            self.ids.floor(event_id)

    def load(self, now: float) -> tuple[dict | None, float, list[Event]]:
        """(resume state, seconds since it was saved, events closing a lost bout)."""
        boot = self.boot
        saved = _newest(self.store.get_json(STATE_KEY), self.read_runtime(), boot=boot)
        if saved is None:
            return None, 0.0, []
        try:
            saved_wall = datetime.fromisoformat(saved["ts"])
            wall_now = self.clock.wall_at(now)
            gap = wall_now.timestamp() - saved_wall.timestamp()
        except (KeyError, TypeError, ValueError):
            log.warning("saved daemon state unreadable; starting fresh")
            return None, 0.0, []
        mono = saved.get("mono")
        if boot is not None and saved.get("boot") == boot and isinstance(mono, (int, float)) and mono <= now:
            # the same boot: the downtime on the monotonic clock, whatever NTP did to the wall clock
            gap = now - mono
        elif gap < -1.0:
            # another boot with the wall clock behind the saved state (no RTC, NTP not synced yet):
            # how long we were down cannot be known, so the bout is not resumed
            log.info("the wall clock reads %s, before the last saved state (%s): the time since is unknown",
                     wall_now.isoformat(timespec="seconds"), saved["ts"])
            gap = float("inf")
        if -1.0 <= gap <= self.cfg.coaching.break_s:
            if saved["engine"].get("bout_start_ago") is not None:
                log.info("resuming the bout saved %.0f s ago", max(gap, 0.0))
                return saved["engine"], max(gap, 0.0), []
            return None, 0.0, []
        if saved.get("clean") or saved["engine"].get("bout_start_ago") is None:
            return None, 0.0, []
        # Unclean end (power cut, kill -9) longer ago than a break: the bout ends where we last saw it,
        # with its length as the engine measured it then (monotonic), not as wall clocks differ.
        if gap != float("inf"):
            log.info("last state is %.0f s old (> break_s): closing that bout at %s", gap, saved["ts"])
        else:
            log.info("closing the bout of the last run at %s", saved["ts"])
        lost = EventFactory(lambda _t: saved_wall, self.ids).make("daemon_stop", now, reason="unclean",
                                                                  **_lost_bout_figures(saved["engine"]))
        return None, 0.0, [lost]

    def recover_buffered(self) -> None:
        """Events the last run emitted but had not flushed (it crashed or was killed): from the RAM copy.

        They go to the history (and so to the outbox) before this run's first event; any the
        last run did flush are recognised by id and ignored.
        """
        doc = self.read_runtime()
        pending = doc.get("pending") if isinstance(doc, dict) else None
        if not isinstance(pending, list) or not pending:
            return
        events = []
        for item in pending:
            try:
                events.append(Event.from_dict(item[1]))
            except (TypeError, KeyError, ValueError, IndexError):
                continue
        if events:
            log.info("recovering %d events buffered by the last run (from %s)", len(events), self.runtime_file)
            self.store.add(events)

    def read_runtime(self) -> dict | None:
        if self.runtime_file is None:
            return None
        try:
            return json.loads(self.runtime_file.read_text())
        except (OSError, ValueError):
            return None

    # ------------------------------------------------------------------ saving
    def doc(self, now: float, engine, clean: bool) -> dict:
        """The resume state as saved: the engine's export, when (wall and monotonic) and in which boot."""
        return {"ts": self.clock.wall_at(now).isoformat(), "clean": clean,
                "engine": engine.export_state(now), "mono": round(now, 3), "boot": self.boot}

    def write_ram(self, doc: dict, status: dict) -> bool:
        """The RAM copy: ``doc`` with the live status and the newest events not yet flushed. False: not written."""
        ram = dict(doc, status=status,
                   pending=[[day, e.to_dict()] for day, e in self.store.pending_events(RAM_PENDING_MAX)])
        try:
            tmp = self.runtime_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(ram, separators=(",", ":")))
            os.replace(tmp, self.runtime_file)
            return True
        except OSError as e:
            log.debug("cannot write %s: %s", self.runtime_file, e)
            return False

    def write_durable(self, doc: dict) -> None:
        self.store.set_json(STATE_KEY, doc)


def boot_id(clock) -> str | None:
    boot_id = getattr(clock, "boot_id", None)
    return boot_id() if callable(boot_id) else None


def _newest(*docs, boot: str | None = None) -> dict | None:
    """The most recently saved of several resume states (history, RAM), ignoring malformed ones.

    Within one boot by the monotonic clock (a wall clock stepped back would make the newer
    copy look older), else by the wall clock."""
    best, best_key = None, None
    for d in docs:
        if not isinstance(d, dict) or not isinstance(d.get("engine"), dict):
            continue
        try:
            t = datetime.fromisoformat(d["ts"]).timestamp()
        except (KeyError, TypeError, ValueError):
            continue
        same = boot is not None and d.get("boot") == boot and isinstance(d.get("mono"), (int, float))
        key = (1, d["mono"]) if same else (0, t)
        if best_key is None or key > best_key:
            best, best_key = d, key
    return best


def _lost_bout_figures(engine: dict) -> dict[str, float]:
    """``Coach.open_figures`` of a saved engine state: the bout (and sit) at the moment it was saved."""
    out: dict[str, float] = {}
    try:
        bout = float(engine["bout_start_ago"])
        if engine.get("seated"):
            out = {"bout_s": bout, "sit_s": float(engine.get("seated_since_ago") or 0.0)}
        elif engine.get("away_since_ago") is not None:
            out = {"bout_s": max(0.0, bout - float(engine["away_since_ago"]))}
    except (KeyError, TypeError, ValueError):
        return {}
    return {k: round(v, 3) for k, v in out.items() if v == v and abs(v) != float("inf")}


def runtime_dir(env=None) -> Path | None:
    """RAM that outlives the process: systemd's RuntimeDirectory, else $XDG_RUNTIME_DIR/deskpulse."""
    env = os.environ if env is None else env
    if env.get("RUNTIME_DIRECTORY"):
        return Path(env["RUNTIME_DIRECTORY"].split(":")[0])
    if env.get("XDG_RUNTIME_DIR"):
        return Path(env["XDG_RUNTIME_DIR"]) / "deskpulse"
    return None
