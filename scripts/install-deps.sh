#!/usr/bin/env bash
# Installs every Debian package m3m needs to build, test and run (and the PyPI
# test tools, pinned, into .deps/venv; the npm test tools, pinned by
# tests/package-lock.json, into tests/node_modules). Idempotent:
# a second run with everything present does no apt work at all.
#
# V8 comes from Debian's libnode (Node 18, V8 10.2). Installing libnode-dev with
# apt would replace a machine's Node.js 20 (DESIGN.md pitfall), so the two
# packages are downloaded and unpacked into a private prefix (.deps/libnode)
# and only their runtime dependencies are installed with apt.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="$ROOT/.deps/libnode"

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  libboost-dev
  nlohmann-json3-dev libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev
  libsqlite3-dev libsqlitecpp-dev libssl-dev libsodium-dev libargon2-dev libjwt-dev
  libcurl4-openssl-dev libpcre2-dev libvips-dev prometheus-cpp-dev
  # the allocator of release builds (CMakeLists.txt, M3M_ALLOCATOR)
  libgoogle-perftools-dev
  # the MongoDB driver (database.driver: mongodb)
  libmongoc-dev libbson-dev
  # the draw module: cairo + pango (pangocairo, fontconfig) and the fonts it finds by default
  libcairo2-dev libpango1.0-dev libfontconfig-dev
  fonts-dejavu-core fonts-liberation fonts-noto-core fonts-noto-color-emoji
  # runtime modules: slugify transliteration (ICU), mail templates (Mustache), the SMTP sink of the tests
  libicu-dev libmstch-dev python3-aiosmtpd
  # schedule time zones: Abseil's absl::TimeZone (cctz) over tzdata's /usr/share/zoneinfo
  libabsl-dev tzdata
  # plugins/qrcode (QR encoder, PNG writer) and its test's decoder (zbarimg)
  libqrencode-dev libpng-dev zbar-tools
  libgtest-dev libgmock-dev libbenchmark-dev
  wrk curl jq
  # fuzzing: clang-14 and its libFuzzer/sanitizer runtimes; a venv for schemathesis
  clang libclang-rt-14-dev python3-venv
  # the admin UI's end-to-end tests: playwright-core drives Debian's browser (never a downloaded one)
  chromium
  # runtime libraries of libnode108 that do not conflict with NodeSource's nodejs
  zlib1g libuv1 libbrotli1 libc-ares2 libnghttp2-14 libssl3 libicu72
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

updated=0
apt_update_once() {
  if [ "$updated" -eq 0 ]; then
    $SUDO apt-get update -qq
    updated=1
  fi
}

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  apt_update_once
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-upgrade "${missing[@]}"
fi

# --- Node.js + npm ----------------------------------------------------------
# The build runs npm: src/runtime/js (`npm ci`, then esbuild bundles WHATWG URL
# into the binary) and ui/ (npm ci + vite build); the API tests run on Node.
# A machine with a Node.js of its own (NodeSource's `nodejs` also provides npm)
# keeps it: Debian's `npm` package would conflict with it, so the check is on
# the commands. Vite 7 needs Node >= 20.19: an older Node is reported (build
# with -DM3M_BUILD_UI=OFF, or install Node 20.19+).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install-deps: installing Debian's nodejs and npm"
  apt_update_once
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-upgrade nodejs npm
fi
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "install-deps: Node $(node --version) is too old for the UI build (needs 20.19+); use -DM3M_BUILD_UI=OFF or a newer Node" >&2
  exit 1
fi

# --- libnode (V8) into a private prefix ------------------------------------
want_version() {
  apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}'
}
stamp="$PREFIX/.version"
candidate="$(want_version libnode-dev)"
if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
  apt_update_once
  candidate="$(want_version libnode-dev)"
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$candidate" ] \
   || [ ! -e "$PREFIX/usr/include/node/v8.h" ]; then
  echo "install-deps: unpacking libnode $candidate into $PREFIX"
  tmp="$(mktemp -d)"; chmod 755 "$tmp"
  (cd "$tmp" && apt-get download -qq libnode108 libnode-dev) || {
    apt_update_once
    (cd "$tmp" && apt-get download -qq libnode108 libnode-dev)
  }
  rm -rf "$PREFIX"
  mkdir -p "$PREFIX"
  for deb in "$tmp"/*.deb; do dpkg -x "$deb" "$PREFIX"; done
  # libnode-dev ships libnode.so as a symlink to the versioned library
  echo "$candidate" > "$stamp"
  rm -rf "$tmp"
fi

# --- test tools from PyPI (schemathesis) into a venv -------------------------
VENV="$ROOT/.deps/venv"
REQUIREMENTS="$ROOT/tests/schemathesis/requirements.txt"
if [ ! -x "$VENV/bin/schemathesis" ] || ! cmp -s "$REQUIREMENTS" "$VENV/.requirements"; then
  echo "install-deps: installing tests/schemathesis/requirements.txt into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REQUIREMENTS"
  cp "$REQUIREMENTS" "$VENV/.requirements"
fi
# --- the tests' MongoDB server: FerretDB (Go module proxy) ------------------
# No MongoDB server is packaged for Debian; tests/ferretdb embeds FerretDB
# (SQLite backend) in a small command, built again only when its go.sum changes.
FERRET="$ROOT/.deps/bin/m3m-ferretdb"
FERRET_SRC="$ROOT/tests/ferretdb"
if [ ! -x "$FERRET" ] || ! cmp -s "$FERRET_SRC/go.sum" "$ROOT/.deps/bin/.ferretdb.sum"; then
  if ! command -v go >/dev/null 2>&1; then
    echo "install-deps: Go (1.22+) is needed to build the tests' FerretDB (tests/ferretdb)" >&2
    exit 1
  fi
  echo "install-deps: building tests/ferretdb (FerretDB v1.24) into $FERRET"
  mkdir -p "$ROOT/.deps/bin"
  (cd "$FERRET_SRC" && GOFLAGS=-mod=mod go build -trimpath -o "$FERRET" .)
  cp "$FERRET_SRC/go.sum" "$ROOT/.deps/bin/.ferretdb.sum"
fi
# --- test tools from npm (typescript: the docs examples' type check) ---------
# tests/package-lock.json pins them; `npm ci` again only when the lock changed.
TESTS="$ROOT/tests"
if [ ! -d "$TESTS/node_modules/typescript" ] || ! cmp -s "$TESTS/package-lock.json" "$TESTS/node_modules/.package-lock.copy"; then
  echo "install-deps: installing tests/package-lock.json into tests/node_modules"
  (cd "$TESTS" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$TESTS/package-lock.json" "$TESTS/node_modules/.package-lock.copy"
fi
echo "install-deps: ok"
