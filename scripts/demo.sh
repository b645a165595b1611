#!/usr/bin/env bash
# Quick start 1: set everything up and run a simulated desk with its dashboard. No Pi, no broker.
source "$(dirname "$0")/bootstrap.sh" ""
exec "$VENV/bin/deskpulse" demo "$@"
