"""Doctor checks of the settings and the history: the config file, what the configured
sensors cannot tell, and whether the history database can be written where it will live.
"""
from __future__ import annotations

import os
from typing import Mapping

from device import config as config_mod
from device.app.doctor.report import FAIL, OK, WARN, Check
from device.app.doctor.system import SERVICE_STATE_DIR, SERVICE_USER, System


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
