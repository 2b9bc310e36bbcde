#!/usr/bin/env bash
# schemathesis against the real server: every operation of /api/openapi.json,
# as a logged-in root, checking that no response is a 5xx and that every
# status code and body is the one the document promises. It keeps the
# hand-kept src/http/openapi/openapi.json honest. docs/development.md, "schemathesis".
#
#   tests/schemathesis/run.sh            # SCHEMATHESIS_SECONDS (default 120) of generation
#   M3M_BINARY=build-test/m3m SCHEMATHESIS_SECONDS=900 tests/schemathesis/run.sh
#   M3M_OPENAPI=src/http/openapi/openapi.json ...  # an edited document, without rebuilding
#
# The server runs in a temp folder on a free port (M3M_SERVER_PORT=0, the port
# read from its "listening on" line), like tests/api/harness.mjs. The sanitizer
# report of the server, if any, fails the run too.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${M3M_BINARY:-$ROOT/build-test/m3m}"
VENV="${M3M_VENV:-$ROOT/.deps/venv}"
BUDGET="${SCHEMATHESIS_SECONDS:-120}"
ST="$VENV/bin/schemathesis"
[ -x "$ST" ] || { echo "schemathesis not found in $VENV: run scripts/install-deps.sh" >&2; exit 1; }
[ -x "$BIN" ] || { echo "m3m binary not found: $BIN" >&2; exit 1; }
BIN="$(realpath "$BIN")"
if [ -n "${M3M_OPENAPI:-}" ]; then M3M_OPENAPI="$(realpath "$M3M_OPENAPI")"; fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/m3m-schemathesis-XXXXXX")"
export M3M_CONFIG="" M3M_SERVER_HOST=127.0.0.1 M3M_SERVER_PORT=0
export M3M_DATABASE_PATH="$dir/data/m3m.db" M3M_STORAGE_PATH="$dir/storage"
export M3M_LOGGING_PATH="$dir/logs" M3M_PLUGINS_PATH="$dir/plugins"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" || true
  fi
  if [ "${KEEP_DIR:-0}" = 1 ]; then echo "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT

cd "$dir"
"$BIN" new-admin root@example.com rootpass123 > "$dir/new-admin.log" 2>&1 \
  || { cat "$dir/new-admin.log"; exit 1; }
"$BIN" serve > "$dir/server.log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 200); do
  port="$(grep -oE 'listening on http://[^ :]+:[0-9]+' "$dir/server.log" | head -1 | sed 's/.*://')" || true
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$dir/server.log"; echo "m3m exited before listening" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { cat "$dir/server.log"; echo "m3m did not start within 20 s" >&2; exit 1; }
url="http://127.0.0.1:$port"
# The document the server serves, or a file given in M3M_OPENAPI (then --url says where the API is).
if [ -n "${M3M_OPENAPI:-}" ]; then
  schema=("$M3M_OPENAPI" --url "$url")
else
  schema=("$url/api/openapi.json")
fi

call() {  # call METHOD PATH TOKEN [JSON] → body on stdout; fails unless 2xx
  local out code
  out="$(curl -sS -X "$1" "$url$2" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' \
         ${4:+--data "$4"} -w '\n%{http_code}')"
  code="${out##*$'\n'}"
  [[ "$code" == 2* ]] || { echo "setup: $1 $2 → $code: ${out%$'\n'*}" >&2; return 1; }
  printf '%s' "${out%$'\n'*}"
}
login() {
  curl -sS -X POST "$url/api/auth/login" -H 'Content-Type: application/json' \
    --data '{"email":"root@example.com","password":"rootpass123"}' | jq -er .access_token
}
# Two sessions: the second one is for the operations that end a session.
token="$(login)"
token2="$(login)"

# Something for the path parameters to hit: a project with a model, a record,
# a variable, a file and a public link. Sub-resources of /api/projects/{id}/
# get this project's id; the other ids stay generated (mostly 404s).
pid="$(call POST /api/projects "$token" '{"name":"Schemathesis","slug":"st"}' | jq -er .id)"
call POST "/api/projects/$pid/models" "$token" \
  '{"name":"items","fields":[{"key":"title","type":"string"},{"key":"n","type":"integer"},{"key":"meta","type":"document"}]}' > /dev/null
call POST "/api/projects/$pid/models/items/data" "$token" '{"title":"first","n":1,"meta":{"a":1}}' > /dev/null
call POST "/api/projects/$pid/env" "$token" '{"key":"GREETING","type":"string","value":"hi"}' > /dev/null
call POST "/api/projects/$pid/storage/file" "$token" '{"path":"docs/a.txt","content":"hello"}' > /dev/null
link="$(call POST "/api/projects/$pid/storage/links" "$token" '{"path":"docs/a.txt"}' | jq -er .token)"
# Operations on a project or user as a whole get ones of their own: through the
# API's links schemathesis would otherwise delete the project above, or set
# root's password (which ends the run's session, as it should).
pid2="$(call POST /api/projects "$token" '{"name":"Scratch","slug":"scratch"}' | jq -er .id)"
uid="$(call POST /api/users "$token" '{"email":"someone@example.com","name":"Someone","password":"someonepass1"}' | jq -er .id)"

cat > "$dir/schemathesis.toml" <<TOML
# The log stream (SSE) never ends by itself: read a few events, then judge.
max-stream-events = 3

# A project's public routes answer 503 UNAVAILABLE while it is not running —
# documented (ProjectUnavailable), and every project of this run is stopped
# (the generated POST /api/projects create more). Only that 5xx is expected
# there; a 500 still fails, and the status must still be a documented one.
[[operations]]
include-path-regex = '^/(api/)?r/'
checks.not_a_server_error.expected-statuses = ["2xx", "3xx", "4xx", 503]

[[operations]]
include-path-regex = '^/api/storage/public/'
parameters = { "path.token" = "$link", "path.filename" = "a.txt" }

[[operations]]
include-path-regex = '^/api/projects/\{id\}$'
parameters = { "path.id" = "$pid2" }

[[operations]]
include-path-regex = '^/api/users/\{id\}'
parameters = { "path.id" = "$uid" }

[[operations]]
include-path-regex = '^/api/projects/\{id\}/models/\{model\}/'
parameters = { "path.id" = "$pid", "path.model" = "items" }

[[operations]]
include-path-regex = '^/api/projects/\{id\}/'
parameters = { "path.id" = "$pid" }
TOML

# status_code_conformance through tests/schemathesis/hooks.py: the same check,
# but the transport's 431 (documented once, in info.description) is allowed anywhere.
export SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$ROOT/tests/schemathesis${PYTHONPATH:+:$PYTHONPATH}"
checks=not_a_server_error,status_code_conformance_but_transport,content_type_conformance,response_schema_conformance
common=(--checks "$checks" --request-timeout 10 --workers 1
        --suppress-health-check all --continue-on-failure)
status=0
# Everything but the two operations that end the run's own session (they would
# turn every later request into a 401); those run last, on the second session.
"$ST" --no-color --config-file "$dir/schemathesis.toml" run "${schema[@]}" "${common[@]}" \
  -H "Authorization: Bearer $token" --max-time "$BUDGET" \
  --exclude-path /api/auth/logout --exclude-path /api/users/me/password || status=1
"$ST" --no-color --config-file "$dir/schemathesis.toml" run "${schema[@]}" "${common[@]}" \
  -H "Authorization: Bearer $token2" --max-time 20 \
  --include-path /api/auth/logout --include-path /api/users/me/password || status=1

if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "the server died during the run:" >&2; tail -50 "$dir/server.log" >&2; status=1
else
  # A clean stop, so LeakSanitizer's exit report lands in the log too.
  kill -TERM "$server_pid"
  server_rc=0; wait "$server_pid" || server_rc=$?
  server_pid=""
  if [ "$server_rc" -ne 0 ]; then
    echo "the server exited with $server_rc after SIGTERM:" >&2; tail -50 "$dir/server.log" >&2; status=1
  fi
fi
if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$dir/server.log"; then
  echo "sanitizer report from the server:" >&2
  grep -A30 -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$dir/server.log" | head -80 >&2
  status=1
fi
exit "$status"
