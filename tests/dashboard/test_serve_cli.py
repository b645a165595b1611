"""``deskpulse dashboard``: loopback-only without a password, hashing a password."""
from __future__ import annotations

import io

import pytest
from werkzeug.security import check_password_hash

from device.cli import main
from device.app.commands import dashboard as cmd
from device.errors import UserError


@pytest.mark.parametrize("host,ok", [("127.0.0.1", True), ("::1", True), ("localhost", True), ("127.8.0.1", True),
                                     ("0.0.0.0", False), ("192.168.1.20", False), ("::", False), ("desk.lan", False)])
def test_is_loopback(host, ok):
    assert cmd.is_loopback(host) is ok


def test_a_lan_address_without_a_password_refuses_to_start(tmp_path, capsys):
    conf = tmp_path / "c.toml"
    conf.write_text('[dashboard]\nhost = "0.0.0.0"\n')
    assert main(["dashboard", "--config", str(conf), "--db", str(tmp_path / "h.db")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "refusing to listen on 0.0.0.0 without a password" in err[0]


def test_the_host_flag_is_checked_too(tmp_path, capsys):
    conf = tmp_path / "c.toml"
    conf.write_text("")
    assert main(["dashboard", "--config", str(conf), "--host", "192.168.1.5"]) == 2
    assert "refusing" in capsys.readouterr().err


def test_a_lan_address_with_a_password_passes_the_check():
    cmd.check_exposure("0.0.0.0", "scrypt:32768:8:1$abc$def")


def test_hash_password_from_stdin(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough secret\n"))
    assert main(["dashboard", "--hash-password"]) == 0
    out = capsys.readouterr().out.strip()
    assert check_password_hash(out, "a long enough secret")


def test_hash_password_twice_from_a_tty(monkeypatch):
    answers = iter(["first password", "other password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(UserError, match="differ"):
        cmd.read_password(io.StringIO(), tty=True)


def test_a_short_password_is_refused():
    with pytest.raises(UserError, match="8 characters"):
        cmd.read_password(io.StringIO("short\n"), tty=False)
