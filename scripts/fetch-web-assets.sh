#!/usr/bin/env bash
# Fetch the browser assets (Leaflet for the console, swagger-ui-dist for /docs) from the npm registry
# into web_vendor/ (git-ignored), so the pages work with no internet at run time and no CDN.
# Idempotent; quiet when present.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

LEAFLET_VERSION="1.9.4"
SWAGGER_UI_VERSION="5.35.0"  # keep in step with SWAGGER_UI_VERSION in siaga/api/routes_docs.py

tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT

# npm_fetch <package> <version>: unpack the registry tarball of package@version into ${tmp}/<package>/
npm_fetch() {
    if ! command -v npm >/dev/null 2>&1; then
        echo "npm is needed once to fetch $1 (apt-get install -y npm)" >&2
        exit 1
    fi
    echo "Fetching $1@$2 from the npm registry"
    mkdir -p "${tmp}/$1"
    (cd "${tmp}/$1" && npm pack --silent "$1@$2" >/dev/null)
    tar -xzf "${tmp}/$1/$1-$2.tgz" -C "${tmp}/$1"
}

target="web_vendor/leaflet-${LEAFLET_VERSION}"
if [[ ! -f "${target}/leaflet.js" || ! -f "${target}/leaflet.css" ]]; then
    npm_fetch leaflet "${LEAFLET_VERSION}"
    mkdir -p "${target}"
    cp -r "${tmp}/leaflet/package/dist/leaflet.js" "${tmp}/leaflet/package/dist/leaflet.css" \
        "${tmp}/leaflet/package/dist/images" "${target}/"
    cp "${tmp}/leaflet/package/LICENSE" "${target}/LICENSE"
fi

target="web_vendor/swagger-ui-dist-${SWAGGER_UI_VERSION}"
if [[ ! -f "${target}/swagger-ui-bundle.js" || ! -f "${target}/swagger-ui.css" ]]; then
    npm_fetch swagger-ui-dist "${SWAGGER_UI_VERSION}"
    mkdir -p "${target}"
    cp "${tmp}/swagger-ui-dist/package/swagger-ui-bundle.js" "${tmp}/swagger-ui-dist/package/swagger-ui.css" \
        "${tmp}/swagger-ui-dist/package/LICENSE" "${target}/"
fi
