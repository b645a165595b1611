# Sourced by demo.sh and test.sh: a venv in .venv with deskpulse installed (editable).
# Raspberry Pi OS refuses system-wide pip (PEP 668), so everything lives in the venv.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${DESKPULSE_VENV:-$ROOT/.venv}"
EXTRAS="${1:-}"

die() { echo "deskpulse: $*" >&2; exit 1; }

if ! command -v python3 >/dev/null; then die "python3 is missing: install Python 3.11 or newer"; fi
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || die "Python 3.11 or newer is needed, found $(python3 --version 2>&1)"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" 2>/dev/null \
    || die "could not create a virtualenv in $VENV: on Debian/Raspberry Pi OS run 'sudo apt-get install python3-venv'"
fi
stamp="$VENV/.deskpulse-installed$EXTRAS"
if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
  echo "deskpulse: installing into $VENV (log: $VENV/pip.log)" >&2
  # pip's and setuptools' chatter goes to the log; it is shown only if the install fails.
  # compat: the checkout on sys.path, so new modules need no reinstall
  if ! { "$VENV/bin/python" -m pip install --upgrade pip \
         && "$VENV/bin/python" -m pip install -e "$ROOT$EXTRAS" --config-settings editable_mode=compat; \
       } >"$VENV/pip.log" 2>&1; then
    tail -n 30 "$VENV/pip.log" >&2
    die "pip install failed (the lines above; the whole log is $VENV/pip.log)"
  fi
  touch "$stamp"
fi
