"""The readers (device/adapters/store/reads.py) on the smallest histories."""
from __future__ import annotations

import pytest
from store_helpers import workdays

from device.adapters.store import Store, iter_event_rows, open_readonly


@pytest.mark.parametrize("n", [0, 1])
def test_iter_event_rows_on_empty_and_tiny_histories(tmp_path, n):
    db = tmp_path / "h.db"
    d = workdays(1)
    with Store(db) as s:
        s.add(d.events[:n])
    with open_readonly(db) as ro:
        assert [r[0] for r in iter_event_rows(ro)] == [e.id for e in d.events[:n]]
