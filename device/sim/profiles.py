"""Who sits at the simulated desk: the people (profiles) and the PIR modules, as data.

A ``Profile`` is how one kind of person uses the desk (arrival, bouts, breaks,
leg activity, bags, how they answer prompts); a ``PirModel`` is one module's
hold and blocked times. The generator (``device/sim/days.py``) draws a day from
them; adding a profile or a model leaves every other day as it was.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

DAY = 86400.0
HOUR = 3600.0


@dataclass(frozen=True)
class Profile:
    """How one kind of person uses the desk. Times of day are in hours."""

    work: bool = True
    arrive: tuple[float, float] = (8.5, 0.5)      # mean, sd
    leave: tuple[float, float] = (17.4, 0.6)      # may pass 24 (night owl)
    meal: tuple[float, float] = (12.3, 0.3)       # lunch (or dinner) start
    meal_min: tuple[float, float] = (30, 60)      # its length, minutes
    bout_med_s: float = 20 * 60                   # continuous sitting between real breaks
    bout_sigma: float = 0.85
    bout_max_s: float = 2.5 * HOUR
    short_away_per_h: float = 2.0                 # 20-110 s away spells inside a bout
    break_med_s: float = 5 * 60
    break_sigma: float = 0.7
    active_gap_s: float = 17.0                    # mean gap between *seen* leg movements
    active_med_s: float = 150.0
    still_med_s: float = 140.0
    still_max_s: float = 16 * 60
    perch_per_h: float = 0.25
    dropouts_per_h: float = 5.0
    bag_p: float = 0.04                           # chance per day of a bag on the chair during a long break
    meeting_p: float = 0.05                       # chance that a break is a meeting ...
    meeting_min: tuple[float, float] = (30, 90)   # ... of this many minutes (uniform)
    # chance per break of a bag put on the chair soon (20-60 s) after the stand-up and lifted
    # tens of seconds before the person sits back down (its own seeded stream: 0 leaves the day as it was)
    soon_bag_p: float = 0.0
    # How they answer a seated-routine prompt (device/sim/person.py, the daemon's simulated desk only):
    respond_p: float = 0.65                       # does the routine (the PIR sees it) or presses the button
    button_p: float = 0.2                         # ... of which by pressing the button
    snooze_p: float = 0.08                        # holds the button to snooze instead
    walk_p: float = 0.5                           # a walk prompt: stands up a little earlier than planned


PROFILE_PARAMS: dict[str, Profile] = {
    "typical": Profile(),
    "fidgety": Profile(bout_med_s=12 * 60, short_away_per_h=3.5, break_med_s=4 * 60, break_sigma=1.0, active_gap_s=10.0,
                       active_med_s=240.0, still_med_s=40.0, still_max_s=3 * 60, dropouts_per_h=8.0, respond_p=0.75),
    "long_sitter": Profile(arrive=(8.2, 0.4), leave=(17.8, 0.5), bout_med_s=45 * 60, bout_sigma=0.6,
                           bout_max_s=3 * HOUR, short_away_per_h=1.2, break_med_s=6 * 60,
                           active_gap_s=19.0, still_med_s=150.0, still_max_s=15 * 60, respond_p=0.55,
                           snooze_p=0.12),
    "still_reader": Profile(arrive=(9.0, 0.6), bout_med_s=50 * 60, bout_sigma=0.7, bout_max_s=3 * HOUR,
                            short_away_per_h=0.8, active_gap_s=16.0, active_med_s=100.0,
                            still_med_s=9 * 60, still_max_s=40 * 60, perch_per_h=0.6, dropouts_per_h=4.0,
                            respond_p=0.5, button_p=0.35),
    "day_off": Profile(work=False, bag_p=0.15),
    "night_owl": Profile(arrive=(13.5, 0.8), leave=(25.5, 0.6), meal=(19.0, 0.4), meal_min=(35, 70),
                         bout_med_s=22 * 60),
    # The wider physics (issue #10.5); new profiles, so the days above stay as they were.
    "noisy_mat": Profile(dropouts_per_h=30.0, perch_per_h=0.5, soon_bag_p=0.04),
    "deep_reader": Profile(arrive=(9.0, 0.6), bout_med_s=55 * 60, bout_sigma=0.6, bout_max_s=3 * HOUR,
                           short_away_per_h=0.6, active_gap_s=18.0, active_med_s=80.0,
                           still_med_s=14 * 60, still_max_s=60 * 60, perch_per_h=0.3, dropouts_per_h=2.5,
                           soon_bag_p=0.05, respond_p=0.5, button_p=0.35),
    "bag_carrier": Profile(bag_p=0.0, soon_bag_p=0.3, meeting_p=0.15, meeting_min=(30, 180)),
    "late_night": Profile(arrive=(16.0, 0.8), leave=(27.0, 0.7), meal=(20.0, 0.4), meal_min=(30, 60),
                          bout_med_s=30 * 60, soon_bag_p=0.05),
}
PROFILES: tuple[str, ...] = tuple(PROFILE_PARAMS)


@dataclass(frozen=True)
class PirModel:
    hold_s: tuple[float, float]     # one value drawn per run: a module's RC is fixed
    block_s: tuple[float, float]


PIR_MODELS: dict[str, PirModel] = {
    "am312": PirModel((2.0, 2.0), (2.0, 2.2)),
    "hc_sr501_min": PirModel((3.0, 5.0), (2.3, 2.5)),
    "hc_sr501_long": PirModel((30.0, 60.0), (2.3, 2.5)),
    # The potentiometer between and beyond (issue #10.5): new models, the ones above unchanged.
    "hc_sr501_mid": PirModel((8.0, 25.0), (2.3, 2.5)),
    "hc_sr501_max": PirModel((120.0, 300.0), (2.3, 2.5)),
}
DEFAULT_PIR = "hc_sr501_min"
DEFAULT_START = datetime.fromisoformat("2026-03-02T00:00:00+01:00")  # a Monday
