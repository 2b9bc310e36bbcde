#!/usr/bin/env bash
# Installs the tools `make bench` needs: npm packages of bench/package.json (sharp, for
# bench/image_resize.mjs), then Debian packages (apt-get, --no-upgrade):
#   wrk                                  the load generator
#   nginx                                (d) the machine's HTTP ceiling (nginx-light in Debian 12
#                                        is only a transitional package that pulls in nginx)
#   golang-go, golang-github-gin-gonic-gin-dev, golang-github-dop251-goja-dev
#                                        (c) gin + goja, built offline in GOPATH mode
# Node.js is NOT installed or touched: (b) uses whatever `node` the machine has.
# npm (bench only): bench/package.json's @napi-rs/canvas, `npm ci` from its lock (draw_card.mjs).
#
# Idempotent: packages already present are skipped; nothing already installed is upgraded.
# A Go package missing from the archive is reported and skipped: run.sh then shows the
# gin+goja row as "n/a" instead of failing.
set -euo pipefail

# npm (bench/package.json + package-lock.json): sharp for bench/image_resize.mjs, with its
# prebuilt libvips (the @img/sharp-* npm packages), and @napi-rs/canvas for bench/draw_card.mjs.
# Benchmark-only: the product never loads them.
# A failure (no npm, no registry) is reported and skipped: that part then prints "n/a".
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
if command -v npm >/dev/null 2>&1; then
  if [ ! -e "$BENCH_DIR/node_modules/sharp/package.json" ] || [ ! -e "$BENCH_DIR/node_modules/@napi-rs/canvas/package.json" ] ||
     [ "$BENCH_DIR/package-lock.json" -nt "$BENCH_DIR/node_modules/.package-lock.json" ]; then
    echo "install-bench-deps: npm ci in bench/ (sharp, @napi-rs/canvas)"
    (cd "$BENCH_DIR" && npm ci --no-audit --no-fund --loglevel=error) ||
      echo "install-bench-deps: WARNING: npm ci failed in bench/; the image and draw benchmarks' Node rows will be n/a" >&2
  fi
else
  echo "install-bench-deps: WARNING: npm is missing; the image and draw benchmarks' Node rows will be n/a" >&2
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-bench-deps: not root and no sudo; install these Debian packages by hand:" >&2
    echo "  wrk nginx golang-go golang-github-gin-gonic-gin-dev golang-github-dop251-goja-dev" >&2
    exit 1
  fi
fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'; }
available() { [ -n "$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}' | grep -v '(none)')" ]; }

required=(wrk nginx)
optional=(golang-go golang-github-gin-gonic-gin-dev golang-github-dop251-goja-dev)

missing=()
for p in "${required[@]}" "${optional[@]}"; do installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-bench-deps: everything is installed"
  exit 0
fi

# Refresh the lists only when a missing package is unknown to them.
need_update=0
for p in "${missing[@]}"; do available "$p" || need_update=1; done
if [ $need_update -eq 1 ]; then $SUDO apt-get update -qq || true; fi

to_install=()
for p in "${missing[@]}"; do
  if available "$p"; then
    to_install+=("$p")
  else
    case " ${required[*]} " in
      *" $p "*) echo "install-bench-deps: required package $p is not in the Debian archive" >&2; exit 1 ;;
      *) echo "install-bench-deps: WARNING: $p is not in the Debian archive; the gin+goja column will be n/a" >&2 ;;
    esac
  fi
done
[ ${#to_install[@]} -eq 0 ] && exit 0

# Installing nginx would start the system nginx on port 80; the benchmark runs its own
# instance, so keep the package's service from starting (the usual policy-rc.d switch),
# but only when no policy is in place already, and remove ours afterwards.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod 755 "$policy"
  made_policy=1
fi
cleanup() { if [ $made_policy -eq 1 ]; then $SUDO rm -f "$policy"; fi; }
trap cleanup EXIT

echo "install-bench-deps: apt-get install ${to_install[*]}"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-upgrade --no-install-recommends "${to_install[@]}"

# The packages must not have brought or changed a Node.js: say which node the bench uses.
if command -v node >/dev/null 2>&1; then echo "install-bench-deps: node for (b): $(command -v node) $(node --version)"; fi
