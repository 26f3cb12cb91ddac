#!/usr/bin/env bash
# Fetch the console's browser assets (Leaflet) from the npm registry into web_vendor/ (git-ignored),
# so the console works with no internet at run time and no CDN. Idempotent; quiet when present.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

LEAFLET_VERSION="1.9.4"
target="web_vendor/leaflet-${LEAFLET_VERSION}"
if [[ -f "${target}/leaflet.js" && -f "${target}/leaflet.css" ]]; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "npm is needed once to fetch Leaflet (apt-get install -y npm)" >&2
    exit 1
fi
tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT
echo "Fetching leaflet@${LEAFLET_VERSION} from the npm registry"
(cd "${tmp}" && npm pack --silent "leaflet@${LEAFLET_VERSION}" >/dev/null)
mkdir -p "${target}"
tar -xzf "${tmp}/leaflet-${LEAFLET_VERSION}.tgz" -C "${tmp}"
cp -r "${tmp}/package/dist/leaflet.js" "${tmp}/package/dist/leaflet.css" "${tmp}/package/dist/images" "${target}/"
cp "${tmp}/package/LICENSE" "${target}/LICENSE"
