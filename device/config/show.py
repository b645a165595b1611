"""``deskpulse config show``: the effective configuration written back as TOML, secrets masked."""
from __future__ import annotations

from device.config.record import fields
from device.config.schema import ENV_SECRETS, SECTIONS, Config


def to_toml(cfg: Config, hide_secrets: bool = True) -> str:
    """The effective configuration as TOML, defaults included, secrets masked."""
    out = [f"# effective configuration (from {cfg.source})"]
    for name in SECTIONS:
        section = getattr(cfg, name)
        out.append(f"\n[{name}]")
        for f in fields(section):
            v = getattr(section, f.name)
            if hide_secrets and (name, f.name) in ENV_SECRETS and v:
                v = "********"
            out.append(f"{f.name} = {_toml_value(v)}")
    return "\n".join(out) + "\n"


def _toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, tuple):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'

