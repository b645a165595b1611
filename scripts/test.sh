#!/usr/bin/env bash
# Quick start 2: install what the tests need (Python packages in .venv; Debian's mosquitto,
# chromium and systemd when missing) and run the whole suite. Arguments go to pytest.
set -euo pipefail
here="$(dirname "$0")"

need=()
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v systemd-analyze >/dev/null || need+=(systemd)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "deskpulse: installing Debian packages the tests need: ${need[*]}"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "deskpulse: the tests need these Debian packages: ${need[*]}" >&2
    echo "deskpulse: run 'sudo apt-get install ${need[*]}' and try again" >&2
    exit 1
  fi
fi

source "$here/bootstrap.sh" "[test]"
cd "$ROOT"
exec "$VENV/bin/python" -m pytest "$@"
