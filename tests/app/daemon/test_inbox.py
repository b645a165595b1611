"""The dashboard's inbox (device/app/daemon/inbox.py): command files read, bad ones rejected, inotify wakes the loop."""
from __future__ import annotations


def test_dashboard_inbox_commands_and_bad_files(desk, tmp_path):
    from dashboard.commands import write_command
    inbox = tmp_path / "commands"
    d = desk(inbox=inbox).start()
    write_command(inbox, "pause", minutes=30)
    (inbox / "00000000000000000001-bad.json").write_text("{not json")
    d.at(d.t + 2)
    pause = d.events("pause")
    assert pause and pause[0].data["minutes"] == 30 and pause[0].data["source"] == "dashboard"
    assert d.daemon.status["paused_until_ts"] is not None
    assert any("not JSON" in e.data["reason"] for e in d.events("command_rejected"))
    assert list(inbox.glob("*.json")) == []
    # a command flushes the history within a second, for the person watching the dashboard
    assert d.store.pending == 0


def test_served_loop_is_woken_by_a_dashboard_command_not_a_timer(desk, tmp_path, recording_sink):
    import queue
    import threading
    from dashboard.commands import write_command

    class Waiter(recording_sink):
        def __init__(self):
            super().__init__()
            self.q = queue.Queue()

        def publish(self, event):
            self.q.put(event)

    inbox = tmp_path / "commands"
    sink = Waiter()
    d = desk(inbox=inbox, sinks=[sink])
    d.daemon.start(watch_inbox=True)
    assert d.daemon.inbox.watch is not None  # inotify: no polling while idle
    loop = threading.Thread(target=d.daemon.serve)
    loop.start()
    try:
        write_command(inbox, "snooze")
        while True:
            e = sink.q.get(timeout=5)
            if e.type in ("snooze", "snooze_refused", "command_rejected"):
                break
        assert e.data.get("source", "dashboard") == "dashboard"
    finally:
        d.daemon.request_stop("test")
        loop.join(5)
    assert not loop.is_alive() and d.daemon.stop_reason == "test"
