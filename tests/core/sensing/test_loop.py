"""The edge loop: Sensing.run against the per-edge methods it inlines."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st


def _reference_feed(s, t, sig, v):
    """An edge the way sensing took it before Sensing.run: the debounce inline, the PIR via _pir_edge."""
    from device.core.sensing import INF
    if t >= s.next_deadline():
        s.advance(t)
    if sig == "pir":
        s._pir_edge(t, v)
    elif v != s._seat_raw:
        if s._seat_commit_due != INF:
            s._seat_commit_due = INF if v == s._seat_stable else t + s._spike
        else:
            s._seat_commit_due = t + s._spike
        s._seat_raw, s._seat_raw_t = v, t


def _state(s):
    return {k: (list(v) if isinstance(v, list) else v) for k, v in vars(s).items() if k != "cfg"}


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), warmup=st.sampled_from([0, 20]), pir_first=st.booleans())
def test_fused_edge_loop_matches_the_per_edge_methods(seed, warmup, pir_first):
    """Sensing.run keeps the PIR bookkeeping of _pir_on/_pir_off (hold learning, pulses, movement)
    in locals; on random edges (repeats, spikes, bounce, long and short pulses) both give the
    same state after every edge. A change to one must be made to the other."""
    import random

    from device import config
    from device.core.sensing import Sensing
    rnd = random.Random(seed)
    cfg = config.load(None, env={}).replace(sensing={"sensors": "both", "pir_warmup_s": warmup}).sensing
    a, b = Sensing(cfg, pir=int(pir_first)), Sensing(cfg, pir=int(pir_first))
    t = 0.0
    for _ in range(rnd.randint(1, 400)):
        t += rnd.choice([0.0, 0.001, 0.03, 0.3, 1.0, 2.0, 3.2, 8.0, 40.0, 200.0]) * rnd.random() * 2
        sig, v = rnd.choice(["seat", "pir", "pir"]), rnd.randint(0, 1)
        (a.feed_seat if sig == "seat" else a.feed_pir)(t, v)
        _reference_feed(b, t, sig, v)
        assert _state(a) == _state(b)
        assert a.moving_total(t + 1.0) == b.moving_total(t + 1.0)
