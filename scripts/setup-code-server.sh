#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3, the last release that runs on Node 20) for the
# end-to-end tests, without the network fetches its npm postinstall would make (those hosts are
# unreachable here): we run by hand what its postinstall.sh does and build the native modules
# against the system Node's headers.
#
# Where: a cache shared by every clone of this repo on the machine,
#   ${NEUMANN_CODE_SERVER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/neumann-lens/code-server-<version>-node<ABI>}
# keyed by version and Node ABI (the native modules only load in the Node they were built for),
# because CI runs on a fresh clone and a per-clone cache would cost a rebuild every run.
# `.cache/code-server` in the repo is a symlink to it; the test harness only looks there.
#
# Idempotent: a complete install has a marker file and is reused; an incomplete one is removed
# and rebuilt. Concurrent runs serialise on a lock. Quiet: details go to a log; on failure the
# log's tail is printed.
set -euo pipefail

VERSION=4.100.3
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
abi=$(node -p 'process.versions.modules')
node_major=$(node -p 'process.versions.node.split(".")[0]')
cache=${NEUMANN_CODE_SERVER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/neumann-lens/code-server-$VERSION-node$abi}
marker=$cache/.neumann-setup-complete
marker_text="code-server $VERSION node-abi $abi"
link=$root/.cache/code-server
log=$cache.log

link_into_repo() {
  mkdir -p "$root/.cache"
  if [ "$(readlink "$link" 2>/dev/null)" != "$cache" ]; then
    rm -rf "$link"
    ln -s "$cache" "$link"
  fi
}

complete() { [ -f "$marker" ] && [ "$(cat "$marker")" = "$marker_text" ]; }

if complete; then
  link_into_repo
  echo "code-server $VERSION: ready ($cache)"
  exit 0
fi

if [ "$node_major" != 20 ]; then
  echo "setup-code-server: code-server $VERSION needs Node 20, this is Node $(node --version)" >&2
  exit 1
fi
for tool in rg make g++ python3; do
  command -v "$tool" >/dev/null || {
    echo "setup-code-server: '$tool' is missing (run scripts/setup-system.sh as root)" >&2
    exit 1
  }
done
# The kerberos module compiles against these headers (Debian: libkrb5-dev).
if [ ! -e /usr/include/gssapi/gssapi.h ] && ! command -v krb5-config >/dev/null; then
  echo "setup-code-server: Kerberos headers are missing (Debian package libkrb5-dev)" >&2
  exit 1
fi

node_prefix=$(node -p 'require("path").resolve(process.execPath, "../..")')
if [ ! -f "$node_prefix/include/node/node.h" ]; then
  echo "setup-code-server: no Node headers under $node_prefix/include/node" >&2
  exit 1
fi
node_gyp=$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js
[ -f "$node_gyp" ] || { echo "setup-code-server: npm's bundled node-gyp not found at $node_gyp" >&2; exit 1; }

mkdir -p "$(dirname "$cache")"
exec 9>"$cache.lock"
flock 9
if complete; then # another run finished it while we waited
  link_into_repo
  echo "code-server $VERSION: ready ($cache)"
  exit 0
fi

: >"$log"
step() { echo "== $*" >>"$log"; }
# On any failure (set -e, also inside the subshells below) say which step failed and show the log's tail.
current="start"
on_exit() {
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "setup-code-server: failed during: $current (exit $rc; log: $log)" >&2
    tail -n 40 "$log" >&2
  fi
}
trap on_exit EXIT
quiet() { "$@" >>"$log" 2>&1; }
npm_quiet() { quiet npm "$@" --no-audit --no-fund --loglevel=error --ignore-scripts; }

echo "code-server $VERSION: installing into $cache (a few minutes; log: $log)"
start=$SECONDS
rm -rf "$cache"
mkdir -p "$cache"
cd "$cache"
echo '{ "private": true }' >package.json

current="npm install code-server@$VERSION"; step "$current"
npm_quiet install "code-server@$VERSION"
cs=$cache/node_modules/code-server
vs=$cs/lib/vscode

current="npm install in lib/vscode"; step "$current"
(cd "$vs" && npm_quiet install --omit=dev)

gyp_rebuild() { # dir
  current="node-gyp rebuild $1"; step "$current"
  (cd "$1" && quiet node "$node_gyp" rebuild --nodedir="$node_prefix" --jobs=2)
}
for m in kerberos node-pty @parcel/watcher @vscode/spdlog native-watchdog; do
  gyp_rebuild "$vs/node_modules/$m"
done

current="ripgrep and links"; step "$current"
mkdir -p "$vs/node_modules/@vscode/ripgrep/bin"
cp "$(command -v rg)" "$vs/node_modules/@vscode/ripgrep/bin/rg"
(cd "$vs" && rm -rf node_modules.asar && ln -s node_modules node_modules.asar)
(cd "$vs/bin/remote-cli" && rm -f code-server && ln -s code-linux.sh code-server)
(cd "$vs/bin/helpers" && rm -f browser.sh && ln -s browser-linux.sh browser.sh)

current="npm install in lib/vscode/extensions"; step "$current"
(cd "$vs/extensions" && npm_quiet install --omit=dev && quiet node ./postinstall.mjs)

current="argon2 build"; step "$current"
# argon2 (password hashing for --auth password) is top-level, built by node-pre-gyp.
argon2=$cache/node_modules/argon2
pre_gyp=$cache/node_modules/@mapbox/node-pre-gyp/bin/node-pre-gyp
(cd "$argon2" && npm_config_node_gyp=$node_gyp quiet node "$pre_gyp" rebuild --build-from-source --nodedir="$node_prefix")

current="smoke check"; step "$current"
quiet node "$cs/out/node/entry.js" --config "$cache/config.yaml" --version

echo "$marker_text" >"$marker"
link_into_repo
echo "code-server $VERSION: installed in $((SECONDS - start)) s"
