"""deskpulse doctor, device/app/doctor/settings.py: the config file, the sensors, the history database."""
from __future__ import annotations

import sys
from pathlib import Path

from device import config
from device.app import doctor
from device.app.doctor import FAIL, OK, WARN

sys.path.insert(0, str(Path(__file__).resolve().parent))
from doctor_fakes import cfg, system  # noqa: E402


# --- config, history ------------------------------------------------------

def test_bad_config_file_is_one_fail_line_naming_file_and_key(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[gpio]\nseat_pin = 40\n")
    c, fallback = doctor.check_config(bad, {})
    assert c.status == FAIL
    assert c.summary == f"{bad}: gpio.seat_pin = 40: must be a BCM GPIO number from 0 to 27, or -1 for none"
    assert fallback == config.Config()


def test_good_config_and_defaults(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text('[mqtt]\nhost = "broker.lan"\n')
    c, loaded = doctor.check_config(good, {})
    assert (c.status, c.summary, loaded.mqtt.host) == (OK, f"{good} is valid", "broker.lan")


def test_history_directory_writable_or_not(tmp_path, fake_root):
    d = tmp_path / "hist"
    d.mkdir(mode=0o755)
    c = cfg().replace(history={"db_path": str(d / "sub" / "history.db")})
    me = system(fake_root, uid=fake_root.owner_uid, user="me")
    ok = doctor.check_database(c, me)
    assert ok.status == OK and "will be created" in ok.summary
    other = doctor.check_database(c, system(fake_root))  # alice: not owner, not in group; 0755
    assert other.status == FAIL and f"({d} is not a writable directory)" in other.summary


def test_history_uses_state_directory_and_rejects_a_directory_as_db(tmp_path, fake_root):
    state = tmp_path / "state"
    (state / "history.db").mkdir(parents=True)
    c = doctor.check_database(cfg(), system(fake_root, env={"STATE_DIRECTORY": str(state)}))
    assert c.status == FAIL and c.summary == f"{state / 'history.db'} is not a file"


def test_history_mentions_the_service_database(tmp_path, fake_root):
    (fake_root.path / "var/lib/deskpulse").mkdir(parents=True)
    c = doctor.check_database(cfg(), system(fake_root, uid=0, env={"HOME": str(tmp_path)}))
    assert any("STATE_DIRECTORY=/var/lib/deskpulse" in n for n in c.notes)


def test_sensors_check_only_for_pir_only():
    assert doctor.check_sensors(config.Config()) is None
    assert doctor.check_sensors(config.Config().replace(sensing={"sensors": "seat"})) is None
    c = doctor.check_sensors(config.Config().replace(sensing={"sensors": "pir", "pir_absence_s": 600}))
    assert c.status == WARN and "break under 10 min" in c.notes[0] and "over 120 s" in c.notes[3]
