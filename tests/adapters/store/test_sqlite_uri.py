"""Every URI connection opens exactly the configured file: '#', '?' and '%' in a path are escaped."""
import sqlite3

import pytest

from device.adapters.store.sqlite_uri import sqlite_uri


@pytest.mark.parametrize("name", ["a#b", "a?mode=rwc", "a%20b", "a b"])
def test_the_uri_opens_exactly_that_file_in_that_mode(tmp_path, name):
    path = tmp_path / name / "history.db"
    path.parent.mkdir()
    made = sqlite3.connect(path)
    made.execute("CREATE TABLE t (x)")
    made.commit()
    made.close()

    rw = sqlite3.connect(sqlite_uri(path, "rw"), uri=True)
    assert rw.execute("PRAGMA database_list").fetchone()[2] == str(path)
    rw.execute("INSERT INTO t VALUES (1)")
    rw.commit()
    rw.close()

    ro = sqlite3.connect(sqlite_uri(path, "ro"), uri=True)
    assert ro.execute("SELECT x FROM t").fetchall() == [(1,)]
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        ro.execute("INSERT INTO t VALUES (2)")
    ro.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [name], "no stray file beside it"


def test_rw_never_creates_a_missing_history(tmp_path):
    with pytest.raises(sqlite3.OperationalError):
        sqlite3.connect(sqlite_uri(tmp_path / "x#y.db", "rw"), uri=True)
    assert list(tmp_path.iterdir()) == []
