"""A simulated day replayed with the person answering: the demo's past weeks, the dashboard tests' histories.

One loop (``replay_answering``) drives an engine with a ``DeskStream`` and
lets the ``Person`` see every event it emits, into a history store, so the
seeded figures are the demo's wherever they are written.
"""
from __future__ import annotations

from device.sim.desk_stream import DeskStream
from device.sim.person import Person


def replay_answering(engine, stream: DeskStream, person: Person, store, now: list[float], end: float,
                     flush_every_s: float, signals: tuple[str, ...] = ("seat", "pir", "button"),
                     finish: bool = True) -> None:
    """Drive ``engine`` with ``stream`` up to ``end``, ``person`` seeing each event, into ``store``.

    The demo's past weeks and the dashboard tests' answering histories both write this
    way (one loop, so the seeded figures are the demo's). ``now[0]`` is the desk's own clock
    (the store's outbox ages by it); edges of other ``signals`` (not wired) are dropped.
    """
    def add(events):
        store.add(events)
        for e in events:
            person.notice(now[0], e.type, e.data)
    next_flush, last = flush_every_s, None
    while True:
        t = stream.next_time()
        t = end if t is None else min(t, end)
        deadline = engine.next_deadline()
        if deadline is not None and deadline <= t and deadline != last:  # an answer may be planned before t
            now[0] = last = max(now[0], deadline)
            add(engine.advance(deadline))
            continue
        if t >= end:
            break
        now[0] = t
        edge = stream.pop()
        if edge is not None and edge[1] in signals:
            add(engine.feed(*edge))
        if t >= next_flush:
            store.flush()
            next_flush = t + flush_every_s
    now[0] = end
    add(engine.finish(end) if finish else engine.advance(end))
