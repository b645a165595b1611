"""The random draws the simulator's layers share: clipped log-normal and log-uniform."""
from __future__ import annotations

import math
import random


def lognorm(rng: random.Random, median: float, sigma: float, lo: float, hi: float) -> float:
    return min(hi, max(lo, median * math.exp(rng.gauss(0.0, sigma))))


def loguniform(rng: random.Random, lo: float, hi: float) -> float:
    return lo * math.exp(rng.random() * math.log(hi / lo))
