#!/bin/sh
# Install (or update) deskpulse on Raspberry Pi OS Bookworm.
#
#   sudo scripts/install-pi.sh [--backend lgpio|rpigpio] [--no-dashboard] [--no-start]
#
# Idempotent: running it again upgrades the code in the venv, refreshes the units
# and restarts the services; it never overwrites /etc/deskpulse/config.toml or
# /etc/deskpulse/environment. Layout (the units rely on it):
#   /opt/deskpulse/.venv             the virtualenv; /opt/deskpulse/.venv/bin/deskpulse
#   /etc/deskpulse/config.toml       configuration (from systemd/config.example.toml)
#   /etc/deskpulse/environment       secrets for the services, mode 0640 root:deskpulse
#   /var/lib/deskpulse               history.db (systemd StateDirectory)
#   /etc/systemd/system/deskpulse{,-dashboard}.service
#   /usr/local/lib/sysusers.d/deskpulse.conf   the static 'deskpulse' user
#   /usr/local/bin/deskpulse         a link to the venv's command
set -eu

PREFIX=/opt/deskpulse
VENV=$PREFIX/.venv
ETC=/etc/deskpulse
UNITDIR=/etc/systemd/system
SYSUSERS=/usr/local/lib/sysusers.d
BACKEND=lgpio
DASHBOARD=1
START=1

usage() {
    echo "usage: sudo $0 [--backend lgpio|rpigpio] [--no-dashboard] [--no-start]"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --backend) BACKEND=${2:-}; shift 2 ;;
        --backend=*) BACKEND=${1#--backend=}; shift ;;
        --no-dashboard) DASHBOARD=0; shift ;;
        --no-start) START=0; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "install-pi.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    esac
done

if [ "$(id -u)" -ne 0 ]; then
    echo "install-pi.sh: must run as root (try: sudo $0)" >&2
    exit 1
fi

case "$BACKEND" in
    lgpio|rpigpio) ;;
    *) echo "install-pi.sh: --backend must be lgpio or rpigpio, not '$BACKEND'" >&2; exit 2 ;;
esac

SRC=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -f "$SRC/pyproject.toml" ] || [ ! -f "$SRC/systemd/deskpulse.service" ]; then
    echo "install-pi.sh: run it from a deskpulse checkout ($SRC has no pyproject.toml)" >&2
    exit 1
fi

MODEL=$(tr -d '\0' </proc/device-tree/model 2>/dev/null || true)
case "$MODEL" in
    "Raspberry Pi 5"*|"Raspberry Pi Compute Module 5"*)
        if [ "$BACKEND" = rpigpio ]; then
            echo "install-pi.sh: RPi.GPIO does not work on the $MODEL; use --backend lgpio" >&2
            exit 2
        fi ;;
    "") echo "install-pi.sh: warning: no /proc/device-tree/model: this does not look like a Raspberry Pi" >&2 ;;
esac

step() { echo "==> $*"; }

step "system packages"
export DEBIAN_FRONTEND=noninteractive
PKGS="python3 python3-venv python3-pip"
# Raspberry Pi OS ships lgpio as a Debian package; the venv can see it (see below),
# so nothing has to be compiled on a Pi Zero.
if [ "$BACKEND" = lgpio ]; then PKGS="$PKGS python3-lgpio"; fi
MISSING=
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || MISSING="$MISSING $p"
done
if [ -n "$MISSING" ]; then
    apt-get update -q
    # shellcheck disable=SC2086
    apt-get install -y -q $MISSING
else
    echo "    already installed: $PKGS"
fi

step "user 'deskpulse' (groups: gpio)"
getent group gpio >/dev/null || groupadd --system gpio
install -D -m 0644 "$SRC/systemd/sysusers.d/deskpulse.conf" "$SYSUSERS/deskpulse.conf"
systemd-sysusers "$SYSUSERS/deskpulse.conf"
# systemd-sysusers does not add an already existing user to a group; make sure.
id -nG deskpulse | tr ' ' '\n' | grep -qx gpio || usermod -aG gpio deskpulse

step "virtualenv $VENV ($BACKEND backend)"
install -d -m 0755 "$PREFIX"
# --system-site-packages: use Raspberry Pi OS's python3-lgpio instead of building it.
[ -x "$VENV/bin/python" ] || python3 -m venv --system-site-packages "$VENV"
"$VENV/bin/pip" install --quiet --upgrade pip
# setuptools reuses $SRC/build: a module deleted upstream would live on in the wheel
rm -rf "$SRC/build"
"$VENV/bin/pip" install --quiet --upgrade "$SRC[$BACKEND]"
# so that `deskpulse doctor`, `deskpulse watch`... work from any shell (sudo's PATH has it too)
ln -sfn "$VENV/bin/deskpulse" /usr/local/bin/deskpulse

step "configuration $ETC"
install -d -m 0755 "$ETC"
if [ ! -e "$ETC/config.toml" ]; then
    install -m 0644 "$SRC/systemd/config.example.toml" "$ETC/config.toml"
    if [ "$BACKEND" = rpigpio ]; then sed -i 's/^pin_factory = "lgpio"/pin_factory = "rpigpio"/' "$ETC/config.toml"; fi
    echo "    created $ETC/config.toml from the example: edit it, then 'systemctl restart deskpulse'"
else
    echo "    kept existing $ETC/config.toml"
fi
if [ ! -e "$ETC/environment" ]; then
    install -m 0640 -g deskpulse /dev/null "$ETC/environment"
    echo "# secrets for the deskpulse services, e.g. DESKPULSE_MQTT_PASSWORD=..." >"$ETC/environment"
fi
"$VENV/bin/deskpulse" config check "$ETC/config.toml"

step "systemd units"
install -m 0644 "$SRC/systemd/deskpulse.service" "$UNITDIR/deskpulse.service"
install -m 0644 "$SRC/systemd/deskpulse-dashboard.service" "$UNITDIR/deskpulse-dashboard.service"
DROPIN=$UNITDIR/deskpulse.service.d/backend.conf
if [ "$BACKEND" = rpigpio ]; then
    install -d -m 0755 "$UNITDIR/deskpulse.service.d"
    printf '[Service]\nEnvironment=GPIOZERO_PIN_FACTORY=rpigpio\nDeviceAllow=/dev/gpiomem rw\n' >"$DROPIN"
else
    rm -f "$DROPIN"
fi
systemctl daemon-reload

UNITS=deskpulse.service
if [ "$DASHBOARD" = 1 ]; then UNITS="$UNITS deskpulse-dashboard.service"; fi
if [ "$START" = 1 ]; then
    step "enable and (re)start: $UNITS"
    # shellcheck disable=SC2086
    systemctl enable $UNITS
    # shellcheck disable=SC2086
    systemctl restart $UNITS
    systemctl --no-pager --lines=0 status $UNITS || true
else
    # shellcheck disable=SC2086
    systemctl enable $UNITS
fi

echo
echo "done. Check the wiring and permissions as the service sees them with:"
echo "  sudo -u deskpulse env -C /var/lib/deskpulse STATE_DIRECTORY=/var/lib/deskpulse deskpulse doctor --config $ETC/config.toml"
echo "Logs: journalctl -u deskpulse -f"
