"""A writer for the kill -9 test: flushes numbered batches forever, announcing each on stdout."""
import sys
from datetime import datetime, timezone

sys.path.insert(0, sys.argv[2])
from device.adapters.clock import FakeClock  # noqa: E402
from device.core.events import EventFactory, IdFactory  # noqa: E402
from device.adapters.store import Store  # noqa: E402

BATCH = 50
store = Store(sys.argv[1])
n = int(store.get("next_batch", "0"))
clock = FakeClock(datetime(2024, 5, 6, 8, 0, tzinfo=timezone.utc))
f = EventFactory(clock.wall_at, IdFactory(n + 1))
while True:
    t0 = n * BATCH * 10.0
    events = []
    for i in range(0, BATCH, 2):
        t = t0 + i * 10.0
        events.append(f.make("sit_start", t, sensor="seat", new_bout=i == 0))
        events.append(f.make("sit_end", t + 5, seated_s=5.0))
    store.add(events)
    store.set("next_batch", str(n + 1))
    if not store.flush():
        raise SystemExit(f"flush failed: {store.last_error}")
    print(n, events[0].id, events[-1].id, flush=True)
    n += 1
