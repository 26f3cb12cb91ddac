#!/usr/bin/env bash
# Make sure the system packages the test suite and the demo need are installed (Debian 12).
#
#   PostgreSQL 15 + PostGIS 3   the integration tests start their own throwaway cluster
#   Mosquitto                   the integration tests start their own broker
#   Chromium                    browser tests of the web console (Playwright, system browser)
#   python3-venv                `make` creates .venv with `python3 -m venv`
#
# Idempotent and silent when everything is present. As root it runs `apt-get update` once and installs
# what is missing; otherwise it prints the exact command to run and exits 1.
set -euo pipefail

PG_MAJOR="${PG_MAJOR:-15}"
PYTHON="${PYTHON:-python3}"

missing=()
[[ -f "/usr/share/postgresql/${PG_MAJOR}/extension/postgis.control" \
   && -x "/usr/lib/postgresql/${PG_MAJOR}/bin/postgres" ]] || missing+=("postgresql-${PG_MAJOR}-postgis-3")
command -v mosquitto >/dev/null 2>&1 || [[ -x /usr/sbin/mosquitto ]] || missing+=("mosquitto")
[[ -x /usr/bin/chromium ]] || missing+=("chromium")
command -v systemd-analyze >/dev/null 2>&1 || missing+=("systemd")   # verifies deploy/systemd units
command -v npm >/dev/null 2>&1 || missing+=("npm")   # fetches Leaflet for the console (make web-assets)
if [[ "$(command -v "$PYTHON" || true)" == /usr/bin/* ]] && ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
    missing+=("python3-venv")   # Debian splits venv/ensurepip out of the system python3
fi

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them with:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi

echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-o DPkg::Lock::Timeout=600 -q)
apt-get "${apt_opts[@]}" update
apt-get "${apt_opts[@]}" install -y "${missing[@]}"
echo "System packages installed."
