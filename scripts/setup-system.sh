#!/usr/bin/env bash
# System pieces the browser and VS Code (code-server) tests need, then the code-server cache.
# Idempotent: installs only the Debian packages that are missing (apt-get update once, first),
# as root. Without root and with packages missing it says which and exits 1, unless called with
# --allow-skip (what `npm test` does on a developer machine): then the tests that need them are
# reported as skipped with the reason. Under CI=true nothing may be skipped, so --allow-skip is
# ignored there.
#   bash scripts/setup-system.sh [--allow-skip]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
allow_skip=false
for arg in "$@"; do
  case $arg in
    --allow-skip) allow_skip=true ;;
    *) echo "setup-system: unknown argument $arg" >&2; exit 2 ;;
  esac
done
[ "${CI:-}" = true ] && allow_skip=false

# chromium: the browser the tests drive; ripgrep: VS Code's search binary (its npm package would
# download it); libkrb5-dev, make, g++, python3: building code-server's native modules.
packages=(chromium ripgrep libkrb5-dev make g++ python3 ca-certificates)

give_up() { # message
  if $allow_skip; then
    echo "setup-system: $1 — the browser/VS Code tests will be skipped" >&2
    exit 0
  fi
  echo "setup-system: $1" >&2
  exit 1
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
if command -v dpkg-query >/dev/null; then
  for p in "${packages[@]}"; do installed "$p" || missing+=("$p"); done
else
  # Not Debian: accept the tools if they are on PATH, whatever installed them.
  for tool in chromium rg make g++ python3; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  [ ${#missing[@]} -eq 0 ] || give_up "missing ${missing[*]} and this is not a Debian system; install them yourself"
fi

if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" != 0 ]; then
  msg="missing Debian packages: ${missing[*]} (run as root: bash scripts/setup-system.sh, or sudo apt-get install ${missing[*]})"
  $allow_skip || give_up "$msg"
  # Still try code-server below: it may already be cached, and needs chromium only to be driven.
  echo "setup-system: $msg — the tests that need them will be skipped" >&2
elif [ ${#missing[@]} -gt 0 ]; then
  log=${TMPDIR:-/tmp}/neumann-setup-system.log
  echo "setup-system: installing ${missing[*]} (log: $log)"
  export DEBIAN_FRONTEND=noninteractive
  # Another apt run may hold the dpkg lock: wait for it rather than fail.
  apt_opts=(-q -o DPkg::Lock::Timeout=900)
  if ! { apt-get "${apt_opts[@]}" update && apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    give_up "apt-get failed to install ${missing[*]}"
  fi
fi

if ! bash "$root/scripts/setup-code-server.sh"; then
  give_up "code-server could not be set up"
fi
