"""The simulated desk of ``deskpulse run --simulate`` and ``demo``: mock pins driven by a simulated person.

The day's edges come from the desk simulator (``device/sim/simulate.py``) and
are merged with the person's answers to the daemon's prompts
(``device/sim/sim_person.py``): the person sees what the daemon emits through
a sink (``PersonSink``) and answers through the pins. At a scaled speed a
feeder thread drives the pins at the clock's pace (``feed_scaled``); at
``max`` one thread jumps a fake clock from edge to edge (``run_max``).
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime

from device.errors import UserError

log = logging.getLogger("deskpulse.run")


class SimSpec:
    def __init__(self, profile: str, days: int, seed: int, speed: float | None, start: datetime,
                 until_s: float | None = None):
        self.profile, self.days, self.seed, self.speed, self.start = profile, days, seed, speed, start
        self.until_s = until_s  # a scaled clock stops there (the demo's end of day)


def simulated_identity(cfg):
    """The configuration a simulated desk publishes with: ``<device_id>-sim``, "<name> (simulated)".

    It publishes like the real desk (events, retained state, discovery, commands), but
    never as it: the same device id would overwrite the real desk's retained state and
    Home Assistant history, and the same MQTT client id would make the broker throw the
    real daemon off at every reconnect.
    """
    from device.adapters.mqtt.topics import device_id
    return cfg.replace(device={"device_id": f"{device_id(cfg)}-sim", "name": f"{cfg.device.name or 'Desk'} (simulated)"},
                       mqtt={"client_id": f"{cfg.mqtt.client_id}-sim" if cfg.mqtt.client_id else ""})


class PersonSink:
    """The simulated person's eyes: a sink that shows them every event the daemon emits.

    ``publish`` runs on the loop thread; the feeder reads the same ``Person``
    and ``DeskStream`` from its own thread (scaled time), hence ``lock``, and
    ``wake`` tells a feeder waiting for a later edge that an answer was planned.
    """

    def __init__(self, clock):
        self.clock = clock
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.person = None

    def publish(self, event) -> None:
        if self.person is None:
            return
        with self.lock:
            planned = self.person.notice(max(event.t, self.clock.monotonic()), event.type, event.data)
        if planned is not None:
            self.wake.set()

    def set_state(self, status) -> None:
        pass

    def close(self) -> None:
        pass


def _sim_edges(daemon, sim: SimSpec):
    from device.sim.simulate import simulate
    sensors = tuple(s for s in ("seat", "pir") if s in daemon.inputs.devices)
    if not sensors:
        raise UserError("--simulate: the configuration wires neither a seat nor a PIR input")
    result = simulate(sim.profile, sim.days, sim.seed, start=sim.start, signals=sensors)
    log.info("simulated %s: %d edges over %.0f h (seed %d)", sim.profile, len(result.times),
             result.duration_s / 3600, sim.seed)
    return result


def _sim_desk(daemon, sim: SimSpec, eyes: PersonSink):
    """The simulated day's edges, merged with the person's answers to prompts (device/sim/sim_person.py)."""
    from device.sim.sim_person import DeskStream, Person
    result = _sim_edges(daemon, sim)
    wired = daemon.inputs.devices
    person = Person(sim.profile, sim.seed, result.truth, pir="pir" in wired, button="button" in wired,
                    done_motion_s=daemon.cfg.coaching.done_motion_s, button_hold_s=daemon.cfg.gpio.button_hold_s)
    with eyes.lock:
        eyes.person = person
    return result, DeskStream(result, person)


def log_answers(desk) -> None:
    from device.sim.sim_person import answers_summary
    log.info("the simulated person %s", answers_summary([a.kind for a in desk.actions], len(desk.person.log)))


def feed_scaled(daemon, sim: SimSpec, stopping: threading.Event, stop, eyes: PersonSink) -> None:
    """Drive the mock pins at the scaled clock's pace, then stop at the simulation's end.

    The next edge may come from the person answering a prompt the loop has just
    emitted: ``eyes.wake`` interrupts the wait for a later one.
    """
    try:
        result, desk = _sim_desk(daemon, sim, eyes)
        clock, end = daemon.clock, result.duration_s
        while not stopping.is_set():
            with eyes.lock:
                t = desk.next_time()
                eyes.wake.clear()
            due = end if t is None else min(t, end)
            wait = (due - clock.monotonic()) / sim.speed
            if wait > 0:
                eyes.wake.wait(min(wait, 0.5))
                continue
            if t is None or t >= end:
                break
            with eyes.lock:
                edge = desk.pop()
            if edge is not None and not stopping.is_set():
                daemon.inputs.drive(edge[1], edge[2])
        log_answers(desk)
        if not stopping.is_set():
            stop("simulation end")
    except Exception as e:  # a simulator problem ends the run, it must not hang it
        log.error("simulation failed: %s", e)
        stop("error")


def run_max(daemon, sim: SimSpec, stopper, eyes: PersonSink) -> str:
    """One thread: jump the fake clock to each edge, running every deadline on the way.

    The daemon is stepped one wake-up at a time, never past the next edge: a
    prompt at a deadline is then seen by the person before the clock passes
    the moment they answer it. ``stopper``: the runner's ``Stopper`` (its ``reason``, once signalled).
    """
    result, desk = _sim_desk(daemon, sim, eyes)
    end = result.duration_s
    while not (stopper.reason or daemon.stopped):
        t = desk.next_time()
        t = end if t is None else min(t, end)
        wake = daemon.next_wake()  # after a tick always later than now: each step moves the clock
        step = t if wake is None else min(t, max(wake, daemon.clock.monotonic()))
        daemon.run_until(step)
        if step < t:
            continue
        if t >= end:
            break
        edge = desk.pop()
        if edge is not None:
            daemon.inputs.drive(edge[1], edge[2])
    if not stopper.reason and not daemon.stopped:
        daemon.pump()
    log_answers(desk)
    daemon.stop(stopper.reason or "simulation end")
    return daemon.stop_reason
