"""``deskpulse doctor``: why GPIO, the config, the history or MQTT would not work here.

Each check is a pure-ish function of a :class:`System` (the filesystem root to
look at, who we are, how to import a module, how to open a TCP connection), so
tests run every branch against a fake ``/dev`` and ``/proc`` tree, a fake
identity and fake modules instead of a Raspberry Pi. A check never raises: it
returns a :class:`Check` with ``ok``, ``warn`` or ``FAIL``, one line of what it
saw, optional detail lines and, unless ok, one line saying how to fix it.

Severity follows what ``deskpulse run`` needs: with ``gpio.pin_factory = "mock"``
missing GPIO hardware is only a warning; with a real backend it is a failure.
``check_mqtt`` is deliberately a separate, replaceable function: it only tries a
TCP connect, and the MQTT adapter may grow it into a login/TLS check.
"""
from __future__ import annotations

import grp
import importlib
import importlib.metadata
import os
import pwd
import re
import socket
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from device import config as config_mod

OK, WARN, FAIL = "ok", "warn", "FAIL"

SERVICE_USER = "deskpulse"
SERVICE_STATE_DIR = "/var/lib/deskpulse"
VENV_PIP = "/opt/deskpulse/.venv/bin/pip"
MODEL_FILES = ("proc/device-tree/model", "sys/firmware/devicetree/base/model")
# gpiozero releases that broke lgpio on the Pi 5 (DESIGN.md section 4).
BAD_GPIOZERO = {"2.0.1.post1", "2.0.1.post2"}


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    summary: str
    notes: tuple[str, ...] = ()
    fix: str = ""


def _default_import(name: str) -> Any:
    """Import in a throw-away cwd: ``import lgpio`` creates a notification pipe in
    the current directory, so an unwritable cwd (``sudo -u deskpulse`` from /root)
    would fail here although the service, in /var/lib/deskpulse, is fine."""
    old = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="deskpulse-doctor-") as tmp:
        os.chdir(tmp)
        try:
            return importlib.import_module(name)
        finally:
            os.chdir(old)


@dataclass
class System:
    """What the checks look at. ``System.current()`` is this process on this machine."""
    root: Path = Path("/")
    uid: int = 0
    gids: frozenset[int] = frozenset()
    user: str = "root"
    env: Mapping[str, str] = field(default_factory=dict)
    import_module: Callable[[str], Any] = _default_import
    connect: Callable[..., Any] = socket.create_connection
    # Also ask the kernel (read-only mounts, ACLs); only meaningful for our own identity.
    kernel_access: bool = False

    @classmethod
    def current(cls, root: str | os.PathLike = "/") -> "System":
        uid = os.geteuid()
        try:
            user = pwd.getpwuid(uid).pw_name
        except KeyError:
            user = str(uid)
        return cls(root=Path(root), uid=uid, gids=frozenset(os.getgroups()) | {os.getegid()}, user=user,
                   env=dict(os.environ), kernel_access=True)

    def path(self, p: str) -> Path:
        return self.root / p.lstrip("/")

    def show(self, p: Path) -> str:
        """A path under ``root`` as the person on that machine would type it."""
        try:
            return "/" + str(p.relative_to(self.root)).lstrip("./")
        except ValueError:
            return str(p)

    def can(self, p: Path, want: str) -> bool:
        """Whether we may ``want`` ('r', 'w', 'x' letters) on ``p``, from its mode bits."""
        try:
            st = p.stat()
        except OSError:
            return False
        if self.uid != 0:
            shift = 6 if st.st_uid == self.uid else 3 if st.st_gid in self.gids else 0
            bits = {"r": 4, "w": 2, "x": 1}
            if not all((st.st_mode >> shift) & bits[c] for c in want):
                return False
        if self.kernel_access:
            flags = {"r": os.R_OK, "w": os.W_OK, "x": os.X_OK}
            mode = 0
            for c in want:
                mode |= flags[c]
            return os.access(p, mode)
        return True


# --- the board ------------------------------------------------------------

def read_model(system: System) -> str | None:
    for rel in MODEL_FILES:
        try:
            text = system.path(rel).read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        text = text.replace("\0", "").strip()
        if text:
            return text
    return None


def is_pi5(model: str | None) -> bool:
    return bool(model and re.match(r"Raspberry Pi (5|Compute Module 5)", model))


def check_board(system: System, needs_gpio: bool) -> Check:
    model = read_model(system)
    if model and model.startswith("Raspberry Pi"):
        notes = ("Pi 5: only the lgpio backend works",) if is_pi5(model) else ()
        return Check("board", OK, model, notes)
    what = f"not a Raspberry Pi: {model}" if model else "not a Raspberry Pi (no /proc/device-tree/model)"
    notes = () if model else (OFF_PI_NOTE,)
    if needs_gpio:
        return Check("board", WARN, what, notes,
                     fix='GPIO needs the Pi; to try deskpulse here: deskpulse demo, or gpio.pin_factory = "mock"')
    return Check("board", OK, what + '; fine with gpio.pin_factory = "mock"', notes)


#: Off any board (a laptop, a server) these checks could only repeat "no GPIO here".
OFF_PI_NOTE = "GPIO devices, the gpio group and the service user are checked on the Pi only"


# --- the GPIO backend -------------------------------------------------------

def probe_backend(name: str, system: System) -> tuple[bool, str]:
    """(loads, why) for a gpiozero backend name."""
    module = {"lgpio": "lgpio", "rpigpio": "RPi.GPIO"}[name]
    try:
        system.import_module(module)
    except ModuleNotFoundError:
        return False, f"not installed (no module {module})"
    except Exception as e:  # RPi.GPIO raises RuntimeError on import off a Pi or on a Pi 5
        msg = str(e).strip() or type(e).__name__
        if "SOC peripheral base address" in msg:
            return False, f"import raised {type(e).__name__}: {msg} (a Pi 5: RPi.GPIO cannot drive it)"
        if "only be run on a Raspberry Pi" in msg:
            return False, f"import raised {type(e).__name__}: {msg} (not a Pi)"
        return False, f"import raised {type(e).__name__}: {msg}"
    return True, f"{module} imports"


def _install_hint(name: str) -> str:
    if name == "lgpio":
        return f"sudo apt install python3-lgpio (the venv sees it), or {VENV_PIP} install lgpio"
    return f"{VENV_PIP} install RPi.GPIO (Pi 4 and older only)"


def _gpiozero_version() -> str | None:
    try:
        return importlib.metadata.version("gpiozero")
    except importlib.metadata.PackageNotFoundError:
        return None


def check_backend(cfg: config_mod.Config, system: System, model: str | None,
                  gpiozero_version: Callable[[], str | None] = _gpiozero_version) -> Check:
    want = cfg.gpio.pin_factory
    env_factory = system.env.get("GPIOZERO_PIN_FACTORY", "")
    notes: list[str] = []
    version = gpiozero_version()
    if version is None:
        return Check("gpio backend", FAIL, "gpiozero is not installed",
                     fix=f"{VENV_PIP} install 'gpiozero>=2.0.1.post3' (or reinstall deskpulse)")
    if version in BAD_GPIOZERO:
        return Check("gpio backend", FAIL, f"gpiozero {version} breaks lgpio on the Pi 5",
                     fix=f"{VENV_PIP} install 'gpiozero>=2.0.1.post3'")
    results = {name: probe_backend(name, system) for name in ("lgpio", "rpigpio")}
    for name, (loads, why) in results.items():
        if name != want:
            notes.append(f"{name}: {'loads' if loads else why}")
    mismatch = env_factory and env_factory != want
    if mismatch:
        notes.append(f"GPIOZERO_PIN_FACTORY={env_factory} in the environment differs from gpio.pin_factory")
    if want == "mock":
        return Check("gpio backend", WARN, 'gpio.pin_factory = "mock": no real sensors, LED or buzzer', tuple(notes),
                     fix='for the real desk set gpio.pin_factory = "lgpio" (any Pi on Bookworm)')
    if want == "rpigpio" and is_pi5(model):
        return Check("gpio backend", FAIL, "rpigpio (gpio.pin_factory) cannot drive a Pi 5", tuple(notes),
                     fix='set gpio.pin_factory = "lgpio" and GPIOZERO_PIN_FACTORY=lgpio')
    loads, why = results[want]
    if not loads:
        other = next((n for n, (ok, _) in results.items() if ok and n != want), None)
        fix = _install_hint(want)
        if not model:
            fix = 'no GPIO off a Pi (see board): set gpio.pin_factory = "mock" here, or run this on the Pi'
        elif "SOC peripheral" in why:
            fix = 'set gpio.pin_factory = "lgpio" (RPi.GPIO does not support the Pi 5)'
        elif other:
            fix += f'; or set gpio.pin_factory = "{other}", which loads'
        return Check("gpio backend", FAIL, f"{want} (gpio.pin_factory) does not load: {why}", tuple(notes), fix=fix)
    summary = f"{want} loads (gpio.pin_factory), gpiozero {version}"
    if mismatch:
        return Check("gpio backend", WARN, summary, tuple(notes),
                     fix=f"make GPIOZERO_PIN_FACTORY and gpio.pin_factory the same ({want})")
    return Check("gpio backend", OK, summary, tuple(notes))


def _group(system: System, name: str) -> tuple[int, list[str]] | None:
    """(gid, members) of group ``name`` from ``<root>/etc/group``."""
    try:
        lines = system.path("etc/group").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        parts = line.split(":")
        if len(parts) >= 4 and parts[0] == name:
            try:
                return int(parts[2]), [m for m in parts[3].split(",") if m]
            except ValueError:
                return None
    return None


def _owner(st: os.stat_result) -> str:
    try:
        user = pwd.getpwuid(st.st_uid).pw_name
    except KeyError:
        user = str(st.st_uid)
    try:
        group = grp.getgrgid(st.st_gid).gr_name
    except KeyError:
        group = str(st.st_gid)
    return f"{user}:{group} {stat.filemode(st.st_mode)}"


def check_gpio_devices(cfg: config_mod.Config, system: System, model: str | None) -> Check:
    needs = cfg.gpio.pin_factory != "mock"
    bad = FAIL if needs else WARN
    pattern = "gpiomem*" if cfg.gpio.pin_factory == "rpigpio" else "gpiochip*"
    devs = sorted(system.path("dev").glob(pattern))
    shown = ", ".join(system.show(d) for d in devs)
    if not devs:
        fix = ("GPIO only exists on the Pi; off the Pi use gpio.pin_factory = \"mock\"" if not model
               else "update the OS (sudo apt full-upgrade) and reboot; the kernel should create it")
        return Check("gpio devices", bad, f"no /dev/{pattern}", fix=fix)
    usable = [d for d in devs if system.can(d, "rw")]
    notes: list[str] = []
    if is_pi5(model) and pattern == "gpiochip*":
        notes.append("Pi 5: the header is gpiochip4 before kernel 6.6.45, gpiochip0 after; gpiozero finds it")
    if not usable:
        try:
            owner = _owner(devs[0].stat())
        except OSError:
            owner = "?"
        return Check("gpio devices", bad, f"{shown}: no read/write permission for {system.user} ({owner})",
                     tuple(notes), fix=f"sudo usermod -aG gpio {system.user}, then log in again "
                                        "(the service gets it from SupplementaryGroups=gpio)")
    return Check("gpio devices", OK, f"{shown}: read/write ok", tuple(notes))


def check_gpio_group(cfg: config_mod.Config, system: System) -> Check:
    needs = cfg.gpio.pin_factory != "mock"
    group = _group(system, "gpio")
    if group is None:
        return Check("gpio group", WARN, "no 'gpio' group in /etc/group (not Raspberry Pi OS?)",
                     fix="sudo groupadd --system gpio, plus a udev rule giving it /dev/gpiochip*")
    gid, members = group
    if system.uid == 0:
        return Check("gpio group", OK, f"running as root; the service runs as {SERVICE_USER} with the gpio group")
    if gid in system.gids:
        return Check("gpio group", OK, f"{system.user} is in the gpio group")
    if system.user in members:
        return Check("gpio group", WARN, f"{system.user} was added to gpio but this login predates it",
                     fix="log out and back in (or reboot)")
    return Check("gpio group", FAIL if needs else WARN, f"{system.user} is not in the gpio group",
                 fix=f"sudo usermod -aG gpio {system.user}, then log in again")


def check_service_user(system: System) -> Check:
    try:
        users = [line.split(":")[0] for line in system.path("etc/passwd").read_text().splitlines()]
    except OSError:
        users = []
    group = _group(system, "gpio")
    if SERVICE_USER not in users:
        return Check("service user", WARN, f"no '{SERVICE_USER}' user: the systemd service cannot start",
                     fix="sudo scripts/install-pi.sh (creates it from systemd/sysusers.d/deskpulse.conf)")
    if group is not None and SERVICE_USER not in group[1]:
        return Check("service user", WARN, f"'{SERVICE_USER}' exists but is not listed in the gpio group",
                     fix=f"sudo usermod -aG gpio {SERVICE_USER} (the unit's SupplementaryGroups=gpio also covers it)")
    return Check("service user", OK, f"'{SERVICE_USER}' exists")


# --- config, history, MQTT -------------------------------------------------------

def check_config(path: str | os.PathLike | None, env: Mapping[str, str]) -> tuple[Check, config_mod.Config]:
    try:
        cfg = config_mod.load(path, env=dict(env))
    except config_mod.ConfigError as e:
        return (Check("config", FAIL, str(e), ("the checks below use the built-in defaults",),
                      fix="edit the file; `deskpulse config check FILE` re-checks it"), config_mod.Config())
    if cfg.source == "defaults":
        return Check("config", OK, "no config file; built-in defaults"), cfg
    return Check("config", OK, f"{cfg.source} is valid"), cfg


def check_sensors(cfg: config_mod.Config) -> Check | None:
    """What the configured sensors cannot tell, said where a PIR-only user will see it (None otherwise).

    The wording follows the physics (shared/traces/README.md): to a PIR alone a still
    reader and an empty chair look alike, so the figures and the prompts are guesses.
    """
    if cfg.sensing.sensors != "pir":
        return None
    absence = cfg.sensing.pir_absence_s / 60
    brk = cfg.coaching.break_s
    return Check("sensors", WARN, "PIR only: a still reader and an empty chair look alike", (
        f"sitting time may be over- or under-counted: a break under {absence:g} min can count as",
        f"sitting, and sitting still for over {absence:g} min (5 after a single movement) as away",
        "prompts are cautious: they may come late or not at all, and no 5-minute reminder beeps",
        f"a PIR hold over {brk:g} s hides breaks: no prompts then (turn an HC-SR501's time down)",
    ), fix='wire a seat switch as well and set sensing.sensors = "both"')


def check_database(cfg: config_mod.Config, system: System) -> Check:
    db = config_mod.default_db_path(cfg, dict(system.env))
    notes: list[str] = []
    if not cfg.history.db_path and not system.env.get("STATE_DIRECTORY") \
            and system.path(SERVICE_STATE_DIR).is_dir():
        notes.append(f"the service uses {SERVICE_STATE_DIR}/history.db; see it as the service does with: "
                     f"sudo -u {SERVICE_USER} env STATE_DIRECTORY={SERVICE_STATE_DIR} deskpulse doctor")
    if db.exists():
        if not db.is_file():
            return Check("history", FAIL, f"{db} is not a file", tuple(notes),
                         fix="set history.db_path to a file path")
        if not (system.can(db, "rw") and system.can(db.parent, "wx")):
            return Check("history", FAIL, f"{db}: not writable by {system.user}", tuple(notes),
                         fix=f"sudo chown -R {SERVICE_USER}: {db.parent} (or set history.db_path)")
        return Check("history", OK, f"{db} is writable", tuple(notes))
    ancestor = db.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir() or not system.can(ancestor, "wx"):
        return Check("history", FAIL, f"{db}: cannot create it ({ancestor} is not a writable directory)",
                     tuple(notes), fix="set history.db_path to a writable place, or fix the directory's owner")
    return Check("history", OK, f"{db} will be created", tuple(notes))


def check_mqtt(cfg: config_mod.Config, connect: Callable[..., Any] = socket.create_connection,
               timeout: float = 2.0) -> Check:
    """A TCP connect to the broker, then (on the real network) an MQTT CONNECT: login and TLS."""
    m = cfg.mqtt
    if not m.host:
        return Check("mqtt", OK, "off (mqtt.host is empty)")
    where = f"{m.host}:{m.port}"
    try:
        sock = connect((m.host, m.port), timeout=timeout)
    except socket.gaierror as e:
        return Check("mqtt", FAIL, f"{where}: unknown host ({e.strerror or e})",
                     fix="check mqtt.host (a name this Pi can resolve, or an IP address)")
    except TimeoutError:
        return Check("mqtt", FAIL, f"{where}: no answer within {timeout:g} s",
                     fix="is the broker up and reachable from here? check mqtt.host/mqtt.port and firewalls")
    except OSError as e:
        return Check("mqtt", FAIL, f"{where}: {e.strerror or e}",
                     fix="is the broker running? check mqtt.host/mqtt.port and the broker's listener")
    sock.close()
    if connect is not socket.create_connection:  # a test's fake network: no real MQTT login to try
        return Check("mqtt", OK, f"{where} accepts TCP connections", ("login and TLS are checked when the daemon connects",))
    from device.adapters.mqtt.probe import probe  # a real MQTT CONNECT: login accepted (CONNACK), TLS verified
    ok, summary, fix = probe(cfg, timeout=max(1.0, 2 * timeout))
    return Check("mqtt", OK if ok else FAIL, summary, fix=fix)


# --- all together ----------------------------------------------------------------

def run_checks(config_path: str | os.PathLike | None, system: System,
               mqtt: Callable[[config_mod.Config], Check] | None = None) -> list[Check]:
    config_check, cfg = check_config(config_path, system.env)
    needs_gpio = cfg.gpio.pin_factory != "mock"
    model = read_model(system)
    mqtt = mqtt or (lambda c: check_mqtt(c, connect=system.connect))
    sensors = check_sensors(cfg)
    checks = [config_check] + ([sensors] if sensors else []) + [check_board(system, needs_gpio),
                                                                  check_backend(cfg, system, model)]
    if model is not None:  # a board: its GPIO devices, group and service user are worth a look
        checks += [check_gpio_devices(cfg, system, model), check_gpio_group(cfg, system), check_service_user(system)]
    return checks + [check_database(cfg, system), mqtt(cfg)]


def render(checks: Iterable[Check]) -> str:
    checks = list(checks)
    width = max(len(c.name) for c in checks) + 2
    out = []
    for c in checks:
        out.append(f"  {c.status:<5} {c.name:<{width}}{c.summary}")
        out.extend(f"  {'':<5} {'':<{width}}{note}" for note in c.notes)
        if c.fix and c.status != OK:
            out.append(f"  {'':<5} {'fix:':<{width}}{c.fix}")
    fails = sum(c.status == FAIL for c in checks)
    warns = sum(c.status == WARN for c in checks)
    if fails:
        out.append(f"{fails} FAIL, {warns} warn: deskpulse run would not work here; fix the FAIL lines first.")
    else:
        out.append(f"no failures ({warns} warn)." if warns else "all checks ok.")
    return "\n".join(out) + "\n"


def exit_code(checks: Iterable[Check]) -> int:
    return 1 if any(c.status == FAIL for c in checks) else 0


__all__ = ["Check", "System", "OK", "WARN", "FAIL", "run_checks", "render", "exit_code", "check_mqtt",
           "check_config", "check_board", "check_backend", "check_gpio_devices", "check_gpio_group",
           "check_service_user", "check_database", "check_sensors", "read_model", "probe_backend"]
