"""The replay corpus: moves are moves.

Every simulated person (all profiles) with every PIR module, replayed under every sensor mode
and a few configurations, through the ``deskpulse`` command itself; the SHA-256 of each
replay's output is held to ``replay_corpus.json``. A refactor (files moved, modules split)
must leave every hash as it was. Only a deliberate behaviour change may rewrite the file, in a
commit of its own that says why::

    python tests/app/replay/test_replay_corpus.py --update

The traces are simulated here from fixed seeds, so a change in the simulator shows up too.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import sys
from pathlib import Path

import pytest

GOLDEN = Path(__file__).with_name("replay_corpus.json")

#: replay settings beyond the defaults: a short coaching ladder inside working hours, and
#: a twitchy seat with a short PIR absence (every threshold moved, so none can hide)
CONFIGS = {
    "default": "",
    "short_ladder": (
        "[coaching]\nfirst_prompt_min = 20\nreminder_after_min = 4\ndone_window_min = 8\nwalk_prompt_min = 40\n"
        "working_hours = \"07:00-19:00\"\n"
    ),
    "twitchy": (
        "[sensing]\nseat_sit_confirm_s = 1\nseat_leave_confirm_s = 30\npir_absence_s = 300\n"
        "object_timeout_s = 300\n"
    ),
}


def _deskpulse(argv: list[str]) -> tuple[int, str, str]:
    from device.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def corpus(workdir: Path) -> dict[str, str]:
    """Case name -> SHA-256 of (exit code, stdout, stderr) of its replay."""
    from device.sim.simulate import PIR_MODELS, PROFILES

    configs = {}
    for name, text in CONFIGS.items():
        path = workdir / f"{name}.toml"
        path.write_text(text)
        configs[name] = path
    hashes: dict[str, str] = {}
    for i, profile in enumerate(PROFILES):
        for j, pir in enumerate(PIR_MODELS):
            trace = workdir / f"{profile}-{pir}.csv"
            code, _, err = _deskpulse(["simulate", "--days", "2", "--seed", str(1000 + 10 * i + j),
                                       "--profile", profile, "--pir", pir, "--out", str(trace)])
            assert code == 0, err
            hashes[f"{profile}/{pir}/trace"] = hashlib.sha256(trace.read_bytes()).hexdigest()
            for sensor in ("both", "seat", "pir"):
                for cname, cpath in configs.items():
                    # every configuration on the default module, the default everywhere else
                    if cname != "default" and pir != "hc_sr501_min":
                        continue
                    argv = ["replay", str(trace), "--sensor", sensor, "--config", str(cpath)]
                    cases = {f"{profile}/{pir}/{sensor}/{cname}": argv}
                    if cname == "default":
                        cases[f"{profile}/{pir}/{sensor}/{cname}/summary"] = argv + ["--summary"]
                    for case, args in cases.items():
                        code, out, err = _deskpulse(args)
                        blob = f"{code}\n{out}\n{err}".replace(str(workdir), "<dir>")
                        hashes[case] = hashlib.sha256(blob.encode()).hexdigest()
    return hashes


def test_replay_corpus_is_byte_identical(tmp_path, monkeypatch):
    monkeypatch.delenv("DESKPULSE_CONFIG", raising=False)
    golden = json.loads(GOLDEN.read_text())
    now = corpus(tmp_path)
    assert now.keys() == golden.keys(), "the corpus's cases changed: regenerate it in a commit of its own"
    changed = sorted(case for case in golden if golden[case] != now[case])
    assert not changed, f"{len(changed)} of {len(golden)} replays changed, first: {changed[:5]}"


def test_corpus_covers_every_profile_module_and_sensor_mode():
    from device.sim.simulate import PIR_MODELS, PROFILES

    cases = json.loads(GOLDEN.read_text())
    assert {c.split("/")[0] for c in cases} == set(PROFILES)
    assert {c.split("/")[1] for c in cases} == set(PIR_MODELS)
    assert {c.split("/")[2] for c in cases if not c.endswith("/trace")} == {"both", "seat", "pir"}
    assert {c.split("/")[3] for c in cases if c.count("/") >= 3} == set(CONFIGS)


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python tests/app/replay/test_replay_corpus.py --update   (a behaviour change only)")
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
    with tempfile.TemporaryDirectory() as d:
        GOLDEN.write_text(json.dumps(corpus(Path(d)), indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN}")
