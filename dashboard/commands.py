"""The dashboard's inbox to the daemon: one JSON file per command.

The dashboard opens the history read-only, so it cannot queue commands in
SQLite. Instead each action (snooze, done, pause, resume) becomes a file
``<state dir>/commands/<ns>-<uuid>.json``, written to a temporary name and
renamed into place, so the daemon never sees half a file. The daemon polls
the directory with ``read_pending_commands(dir)``, which returns the commands
oldest first and deletes what it returns. Files are made 0600 in a 0700
directory: only the service user can queue a command.

Both sides import this module, so the format lives in one place.
"""
from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

#: name -> the arguments it takes (name -> type).
COMMANDS: dict[str, dict[str, type]] = {
    "done": {},
    "snooze": {},
    "pause": {"minutes": float},
    "resume": {},
}

#: A command older than this when the daemon reads it is refused: a "done" pressed while the
#: daemon was down must not tick off a prompt an hour later.
MAX_AGE_S = 300.0


def commands_dir(db_path: str | os.PathLike) -> Path:
    """Where the inbox lives: ``commands/`` beside the history database."""
    return Path(db_path).expanduser().resolve().parent / "commands"


def validate(name: str, args: dict[str, Any]) -> str | None:
    """The reason a command is malformed, or None."""
    if name not in COMMANDS:
        return f"unknown command {name!r}"
    spec = COMMANDS[name]
    for k in args:
        if k not in spec:
            return f"{name}: unexpected argument {k!r}"
    if name == "pause":
        m = args.get("minutes")
        if isinstance(m, bool) or not isinstance(m, (int, float)) or not 1 <= m <= 24 * 60:
            return "pause: minutes must be a number from 1 to 1440"
    return None


def write_command(directory: str | os.PathLike, name: str, source: str = "dashboard",
                  now: float | None = None, **args: Any) -> Path:
    """Queue one command atomically; returns the file written. Raises ValueError if malformed."""
    problem = validate(name, args)
    if problem:
        raise ValueError(problem)
    d = Path(directory)
    d.mkdir(mode=0o700, parents=True, exist_ok=True)
    now = time.time() if now is None else now
    cid = uuid.uuid4().hex
    body = {"id": cid, "name": name, "args": args, "source": source, "created_utc": now}
    final = d / f"{int(now * 1e9):020d}-{cid}.json"
    tmp = d / f".{cid}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(body, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return final


def read_pending_commands(directory: str | os.PathLike, now: float | None = None,
                          max_age_s: float = MAX_AGE_S) -> list[dict[str, Any]]:
    """Every queued command, oldest first, each deleted as it is returned.

    A well-formed command is ``{"id", "name", "args", "source", "created_utc"}``.
    A file that cannot be used (not JSON, unknown name, bad arguments, older than
    ``max_age_s``) comes back as ``{"id", "error", "source"}`` so the daemon can
    record a ``command_rejected`` event; it never raises for a bad file.
    A missing directory means no commands.
    """
    d = Path(directory)
    try:
        names = sorted(n for n in os.listdir(d) if n.endswith(".json") and not n.startswith("."))
    except FileNotFoundError:
        return []
    now = time.time() if now is None else now
    out: list[dict[str, Any]] = []
    for n in names:
        path = d / n
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            continue  # another reader took it
        except OSError as e:
            out.append({"id": n, "error": f"unreadable: {e.strerror}", "source": "dashboard"})
            _unlink(path)
            continue
        _unlink(path)
        out.append(_parse(n, raw, now, max_age_s))
    return out


def _parse(filename: str, raw: bytes, now: float, max_age_s: float) -> dict[str, Any]:
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return {"id": filename, "error": "not JSON", "source": "dashboard"}
    if not isinstance(body, dict):
        return {"id": filename, "error": "not a JSON object", "source": "dashboard"}
    cid = str(body.get("id") or filename)
    source = str(body.get("source") or "dashboard")
    name, args, created = body.get("name"), body.get("args", {}), body.get("created_utc")
    if not isinstance(args, dict):
        return {"id": cid, "error": "args must be an object", "source": source}
    problem = validate(name if isinstance(name, str) else repr(name), args)
    if problem:
        return {"id": cid, "error": problem, "source": source}
    if not isinstance(created, (int, float)) or isinstance(created, bool):
        return {"id": cid, "error": "created_utc missing", "source": source}
    if now - created > max_age_s:
        return {"id": cid, "error": f"expired: queued {now - created:.0f} s ago", "source": source}
    return {"id": cid, "name": name, "args": args, "source": source, "created_utc": float(created)}


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
