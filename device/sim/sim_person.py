"""The simulated person answers prompts: the daemon's simulated desk (``run --simulate``, ``demo``), in one import.

The work is done in:

- ``device/sim/person.py``: ``Person`` decides what they do about each prompt
  (``Action``), from their profile; ``answers_summary``;
- ``device/sim/desk_stream.py``: ``DeskStream`` merges the generated day and the
  person's answers into one time-ordered stream of edges;
- ``device/sim/live_pir.py``: the PIR one-shot, run incrementally for it;
- ``device/sim/answering.py``: ``replay_answering``, an engine driven by that
  stream with the person watching its events.
"""
from __future__ import annotations

from device.sim.answering import replay_answering
from device.sim.desk_stream import DeskStream
from device.sim.person import Action, Person, answers_summary

__all__ = ["Action", "DeskStream", "Person", "answers_summary", "replay_answering"]
