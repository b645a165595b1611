"""Start-up time of ``deskpulse`` commands against a bare ``python -c pass`` (#12.3).

    python benchmarks/cli_startup.py [--runs 30]

Each case runs in a child process as the installed ``deskpulse`` script does
(``from device.cli import main``), with bytecode caching on (an installed wheel
has its .pyc files; one warm-up run writes them here). The runs go round-robin
over the cases, so that a noisy machine slows them all alike, and each case
prints its median wall time, the ratio to the median of ``python -c pass``
timed in the same run, the same for the child's CPU time (user + sys, from
``os.wait4``; steadier than wall time while other work shares the machine),
how many modules it imported, and which heavy ones (Flask, paho, gpiozero,
waitress). Target: under 3x for ``--help`` and ``config check``, no heavy
module in any of them. The "stdlib floor" row imports only the standard
modules ``config check`` cannot do without (argparse, tomllib; tomllib brings
typing and datetime): the best ``config check`` could do without dropping one
of them. (Until #12.3's cfgfast it was "argparse, dataclasses, tomllib,
pathlib": the settings were dataclasses and load.py made Paths.)
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
HEAVY = ("flask", "paho", "gpiozero", "waitress")
TARGET = 3.0

# what the `deskpulse` console script does
DESKPULSE = "import sys; from device.cli import main; sys.argv[0] = 'deskpulse'; sys.exit(main())"
# the same, writing sys.modules to the file named first when the process exits
PROBE = ("import atexit, json, sys; out = sys.argv.pop(1); "
         "atexit.register(lambda: open(out, 'w').write(json.dumps(sorted(sys.modules)))); " + DESKPULSE)


def cases(config_file: str) -> dict[str, list[str]]:
    return {
        "--help": ["--help"],
        "config check": ["config", "check", config_file],
        "replay --help": ["replay", "--help"],
        "export --help": ["export", "--help"],
    }


def env() -> dict[str, str]:
    e = dict(os.environ, PYTHONPATH=ROOT)
    e.pop("PYTHONDONTWRITEBYTECODE", None)
    return e


def timed(argv: list[str], environ: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of ``argv``."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    dt = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"cli_startup: {argv[3:]} exited {p.returncode}")
    return dt, usage.ru_utime + usage.ru_stime


def modules(args: list[str], environ: dict[str, str], tmp: str) -> list[str]:
    out = os.path.join(tmp, "modules.json")
    subprocess.run([sys.executable, "-c", PROBE, out, *args], env=environ,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    with open(out) as f:
        return json.load(f)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=30, help="runs per case (default 30); the median counts")
    a = ap.parse_args()
    environ = env()
    with tempfile.TemporaryDirectory() as tmp:
        config_file = os.path.join(tmp, "config.toml")
        with open(config_file, "w") as f:
            f.write('[device]\nname = "Desk"\n\n[gpio]\npin_factory = "mock"\n')
        environ["XDG_DATA_HOME"] = os.path.join(tmp, "data")
        argvs = {"python -c pass": [sys.executable, "-c", "pass"],
                 "stdlib floor": [sys.executable, "-c", "import argparse, tomllib"]}
        argvs.update({name: [sys.executable, "-c", DESKPULSE, *args] for name, args in cases(config_file).items()})
        for argv in argvs.values():  # warm-up: .pyc files written, page cache warm
            timed(argv, environ)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in argvs}
        for _ in range(a.runs):
            for name, argv in argvs.items():
                times[name].append(timed(argv, environ))
        imported = {name: modules(args, environ, tmp) for name, args in cases(config_file).items()}
    def medians(name: str) -> tuple[float, float]:
        return statistics.median(w for w, _ in times[name]), statistics.median(c for _, c in times[name])

    base_wall, base_cpu = medians("python -c pass")
    print(f"python {sys.version.split()[0]}, {a.runs} runs per case, medians; ratio = against python -c pass")
    print(f"{'case':<16} {'wall ms':>8} {'ratio':>6} {'cpu ms':>7} {'ratio':>6}  {'modules':>7}  heavy")
    worst = 0.0
    for name in argvs:
        wall, cpu = medians(name)
        row = f"{name:<16} {wall * 1000:8.1f} {wall / base_wall:6.2f} {cpu * 1000:7.1f} {cpu / base_cpu:6.2f}"
        if name in imported:
            heavy = sorted({x.split(".")[0] for x in imported[name] if x.split(".")[0] in HEAVY})
            row += f"  {len(imported[name]):7d}  {', '.join(heavy) or 'none'}"
        print(row)
        if name in ("--help", "config check"):
            worst = max(worst, wall / base_wall)
    print(f"target: --help and config check under {TARGET:g}x wall: {'met' if worst < TARGET else 'NOT met'} "
          f"(worst {worst:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
