#!/usr/bin/env bash
# `make bench`: the benchmarks of issue 6 and the records benchmark of issue 7 (see bench/README.md).
#
#   1. routes  — wrk against (a) m3m's C++ /api/ping, (js) an m3m JS route at log level warn
#                and at the default info, (b) node http, (c) gin+goja, (d) nginx; every server
#                pinned to SERVER_CPU, wrk pinned to CLIENT_CPU; rounds interleaved; medians.
#   2. cold    — bench/cold_start.mjs: stop → POST start → first answered GET, COLD_STARTS times.
#   3. memory  — bench/idle_memory.mjs: RSS growth per running project over PROJECTS projects.
#   4. records — bench/records.mjs: record creates/s through the REST API and through JS vs a raw
#                SQLite insert loop (bench/sqlite_ceiling.cpp), filtered+sorted list p50/p99.
#   5. waiting — bench/waiting.mjs (issue 15): WAIT_CONNS connections on a route that waits in
#                utils.sleep(WAIT_SLEEP_MS), req/s and p50/p99 per runtime.worker_pool_size in
#                WAIT_POOLS, against 0.9 × pool ÷ sleep; fairness of a waiter under a flood.
#   6. image   — bench/image_resize.mjs (issue 19): 4000 × 3000 JPEG → 800 × 600 JPEG, m3m's
#                image.resize in a project route vs Node + sharp, one core each; ratio ≥ 0.9.
#
# Knobs (environment): DURATION=10s ROUNDS=3 WARMUP=2s CONNS=64 SERVER_CPU=0 CLIENT_CPU=1
#   M3M_BIN=build/m3m M3M_THREADS=1 (server.threads of m3m in parts 1 and 4) COLD_STARTS=100
#   PROJECTS=200 PARTS="routes cold memory records waiting" KEEP=0 (1 keeps the work folder with raw outputs)
#   RECORDS_DURATION=10 (seconds per measured run of part 4) RECORDS_CONNS=32 RECORDS_SEED=100000
#   RECORDS_DIR= (folder of part 4's databases; default the temp folder) RECORDS_COMPOSITE=1 (0: no index (category, score))
#   RECORDS_CEILING=<M3M_BIN dir>/bench/m3m_bench_sqlite_ceiling
#   WAIT_POOLS="1 8 32" WAIT_CONNS=200 WAIT_SLEEP_MS=100 WAIT_DURATION=$DURATION (part 5, per run)
#   IMAGE_SECONDS=10 IMAGE_ROUNDS=3 (part 6: seconds per side per round, interleaved rounds)
#   MEMORY_BURST=0 (part 3: K>0 adds K concurrent utils.sleep requests per project, then the threads left)
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-2s}
CONNS=${CONNS:-64}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
M3M_THREADS=${M3M_THREADS:-1}
COLD_STARTS=${COLD_STARTS:-100}
PROJECTS=${PROJECTS:-200}
PARTS=${PARTS:-routes cold memory records waiting image}
IMAGE_SECONDS=${IMAGE_SECONDS:-10}
IMAGE_ROUNDS=${IMAGE_ROUNDS:-3}
RECORDS_DURATION=${RECORDS_DURATION:-10}
RECORDS_CONNS=${RECORDS_CONNS:-32}
RECORDS_SEED=${RECORDS_SEED:-100000}
RECORDS_DIR=${RECORDS_DIR:-}
RECORDS_COMPOSITE=${RECORDS_COMPOSITE:-1}
WAIT_POOLS=${WAIT_POOLS:-1 8 32}
WAIT_CONNS=${WAIT_CONNS:-200}
WAIT_SLEEP_MS=${WAIT_SLEEP_MS:-100}
WAIT_DURATION=${WAIT_DURATION:-$DURATION}
MEMORY_BURST=${MEMORY_BURST:-0}
KEEP=${KEEP:-0}
M3M_BIN=${M3M_BIN:-$ROOT/build/m3m}
export M3M_BIN=$(realpath -m "$M3M_BIN")
RECORDS_CEILING=$(realpath -m "${RECORDS_CEILING:-$(dirname "$M3M_BIN")/bench/m3m_bench_sqlite_ceiling}")
export GOCACHE=${GOCACHE:-/tmp/m3m-bench-gocache}

WORK=$(mktemp -d /tmp/m3m-bench-run-XXXXXX)
PIDS=()
DIRS=()

cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
  done
  PIDS=()
  for d in "${DIRS[@]}"; do rm -rf "$d"; done
  DIRS=()
}
finish() {
  cleanup
  if [ "$KEEP" = 1 ]; then echo "raw outputs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap finish EXIT
trap 'exit 130' INT TERM

log() { echo "[bench] $*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# wait_http URL [SECONDS] — until the URL answers 200.
wait_http() {
  local url=$1 n=$(( ${2:-20} * 10 ))
  for _ in $(seq 1 "$n"); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$url" 2>/dev/null)" = 200 ] && return 0
    sleep 0.1
  done
  return 1
}

for t in node curl taskset; do have "$t" || { echo "bench: $t is required" >&2; exit 1; }; done
[ -x "$M3M_BIN" ] || { echo "bench: no m3m binary at $M3M_BIN (make build)" >&2; exit 1; }
if [ "$(nproc)" -lt 2 ] && [ "$SERVER_CPU" != "$CLIENT_CPU" ]; then
  log "only $(nproc) CPU: server and wrk share CPU 0"; SERVER_CPU=0; CLIENT_CPU=0
fi

echo "m3m benchmark — $(date -u '+%Y-%m-%d %H:%M:%S UTC') on $(hostname), $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "m3m: $M3M_BIN ($("$M3M_BIN" version 2>/dev/null | head -1))"

##############################################################################
# Part 1: routes
##############################################################################
part_routes() {
  have wrk || { echo "bench: wrk is missing (bash bench/install-bench-deps.sh)" >&2; return 1; }
  echo
  echo "== 1. Route throughput: wrk -t1 -c$CONNS -d$DURATION --latency on CPU $CLIENT_CPU; servers pinned to CPU $SERVER_CPU; $ROUNDS interleaved rounds =="

  declare -gA URL=()
  local out pid port dir

  # (a) + (js): m3m at log level warn; (a_info) + (js_info): a second m3m at the default level info.
  for lvl in warn info; do
    if out=$(node "$HERE/m3m_up.mjs" --pin "$SERVER_CPU" --level "$lvl" --threads "$M3M_THREADS" --slug bench); then
      read -r pid port dir <<<"$out"
      PIDS+=("$pid"); DIRS+=("$dir")
      if [ "$lvl" = warn ]; then
        URL[js]="http://127.0.0.1:$port/r/bench/hello"
        if wait_http "http://127.0.0.1:$port/api/ping" 2; then URL[a]="http://127.0.0.1:$port/api/ping"; else log "(a): m3m has no GET /api/ping → n/a"; fi
      else
        URL[js_info]="http://127.0.0.1:$port/r/bench/hello"
        if wait_http "http://127.0.0.1:$port/api/ping" 2; then URL[a_info]="http://127.0.0.1:$port/api/ping"; fi
      fi
      log "m3m (log $lvl, server.threads=$M3M_THREADS) pid $pid on port $port"
    else
      log "m3m (log $lvl) failed to start → n/a"
    fi
  done

  # (b) node http
  port=$(free_port)
  taskset -c "$SERVER_CPU" node "$HERE/node_http.mjs" "$port" >"$WORK/node.out" 2>&1 &
  PIDS+=("$!")
  if wait_http "http://127.0.0.1:$port/hello"; then URL[b]="http://127.0.0.1:$port/hello"; log "node $(node --version) pid $! on port $port"; else log "(b) node did not start → n/a"; cat "$WORK/node.out" >&2; fi

  # (c) gin + goja, built offline in GOPATH mode against Debian's /usr/share/gocode
  if have go && [ -d /usr/share/gocode/src/github.com/gin-gonic/gin ] && [ -d /usr/share/gocode/src/github.com/dop251/goja ]; then
    mkdir -p "$WORK/gopath"
    if (cd "$HERE/gin_goja" && GO111MODULE=off GOPATH="/usr/share/gocode:$WORK/gopath" GOFLAGS= go build -o "$WORK/gin_goja" main.go) >"$WORK/go-build.out" 2>&1; then
      port=$(free_port)
      taskset -c "$SERVER_CPU" "$WORK/gin_goja" "$port" >"$WORK/gin.out" 2>&1 &
      PIDS+=("$!")
      if wait_http "http://127.0.0.1:$port/hello"; then URL[c]="http://127.0.0.1:$port/hello"; log "gin+goja ($(go version | cut -d' ' -f3)) pid $! on port $port"; else log "(c) gin+goja did not start → n/a"; cat "$WORK/gin.out" >&2; fi
    else
      log "(c) gin+goja failed to build → n/a"; cat "$WORK/go-build.out" >&2
    fi
  else
    log "(c) golang-go / gin / goja Debian packages missing → n/a"
  fi

  # (c, current) the same program built in module mode with the versions pinned in
  # gin_goja/go.mod (current gin and goja, fetched through the Go module proxy), by a Go
  # new enough for its `go` line: /usr/local/go first, then whatever `go` is on PATH.
  local gobin="" g
  for g in /usr/local/go/bin/go "$(command -v go 2>/dev/null)"; do
    [ -x "$g" ] || continue
    if (cd "$HERE/gin_goja" && GOTOOLCHAIN=local "$g" list -m >/dev/null 2>&1); then gobin=$g; break; fi
  done
  if [ -n "$gobin" ]; then
    if (cd "$HERE/gin_goja" && GOTOOLCHAIN=local GOFLAGS=-mod=readonly "$gobin" build -o "$WORK/gin_goja_mod" .) >"$WORK/go-mod-build.out" 2>&1; then
      port=$(free_port)
      taskset -c "$SERVER_CPU" "$WORK/gin_goja_mod" "$port" >"$WORK/gin-mod.out" 2>&1 &
      PIDS+=("$!")
      if wait_http "http://127.0.0.1:$port/hello"; then URL[c_mod]="http://127.0.0.1:$port/hello"; log "gin+goja current ($("$gobin" version | cut -d' ' -f3); $(cd "$HERE/gin_goja" && GOTOOLCHAIN=local "$gobin" list -m github.com/gin-gonic/gin github.com/dop251/goja | tr '\n' ' ')) pid $! on port $port"; else log "(c, current) did not start → n/a"; cat "$WORK/gin-mod.out" >&2; fi
    else
      log "(c, current) gin+goja module build failed (Go module proxy unreachable?) → n/a"; cat "$WORK/go-mod-build.out" >&2
    fi
  else
    log "(c, current) no Go new enough for bench/gin_goja/go.mod → n/a"
  fi

  # (d) nginx return 200, 1 worker, as the current user, in a temp prefix
  local ngx
  ngx=$(command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true)
  if [ -n "$ngx" ]; then
    port=$(free_port)
    mkdir -p "$WORK/nginx"
    local user_line=""
    [ "$(id -u)" -eq 0 ] && user_line="user $(id -un) $(id -gn);"
    sed -e "s|@PORT@|$port|g" -e "s|@PREFIX@|$WORK/nginx|g" -e "s|^# @USER@$|$user_line|" "$HERE/nginx.conf" >"$WORK/nginx/nginx.conf"
    taskset -c "$SERVER_CPU" "$ngx" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" >"$WORK/nginx.out" 2>&1 &
    PIDS+=("$!")
    if wait_http "http://127.0.0.1:$port/hello"; then URL[d]="http://127.0.0.1:$port/hello"; log "nginx pid $! on port $port"; else log "(d) nginx did not start → n/a"; cat "$WORK/nginx.out" "$WORK/nginx/error.log" >&2; fi
  else
    log "(d) nginx missing → n/a"
  fi

  local keys=(a js a_info js_info b c c_mod d) k r
  : >"$WORK/results.tsv"

  if [ "$WARMUP" != 0 ] && [ "$WARMUP" != 0s ]; then
    for k in "${keys[@]}"; do
      [ -n "${URL[$k]:-}" ] || continue
      log "warm-up $k ($WARMUP)"
      taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNS" -d"$WARMUP" "${URL[$k]}" >/dev/null 2>&1
    done
  fi

  for r in $(seq 1 "$ROUNDS"); do
    for k in "${keys[@]}"; do
      [ -n "${URL[$k]:-}" ] || continue
      log "round $r/$ROUNDS: $k ${URL[$k]}"
      local f="$WORK/wrk-$r-$k.txt"
      taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNS" -d"$DURATION" --latency "${URL[$k]}" >"$f" 2>&1
      awk -v key="$k" -v round="$r" '
        function ms(s,   v) {
          v = s + 0
          if (s ~ /us$/) return v / 1000
          if (s ~ /ms$/) return v
          if (s ~ /m$/)  return v * 60000
          if (s ~ /s$/)  return v * 1000
          return v
        }
        /^ +99%/ { p99 = ms($2) }
        /Requests\/sec:/ { rps = $2 }
        /Non-2xx or 3xx responses:/ { non2xx = $NF }
        /Socket errors:/ { gsub(/,/, ""); errs = $4 + $6 + $8 + $10 }
        END { printf "%s\t%s\t%s\t%s\t%d\t%d\n", key, round, (rps == "" ? 0 : rps), (p99 == "" ? "nan" : p99), non2xx, errs }
      ' "$f" >>"$WORK/results.tsv"
      tail -n1 "$WORK/results.tsv" | awk -F'\t' '{ printf "[bench]   %s: %s req/s, p99 %s ms, non-2xx %s, socket errors %s\n", $1, $3, $4, $5, $6 }' >&2
    done
  done

  echo
  node "$HERE/report.mjs" "$WORK/results.tsv"
  cleanup
}

##############################################################################
# Part 2: cold start, part 3: idle memory
##############################################################################
part_cold() {
  echo
  echo "== 2. Project cold start: POST /start → first answered route, $COLD_STARTS times (m3m on CPU $SERVER_CPU, client on CPU $CLIENT_CPU) =="
  taskset -c "$CLIENT_CPU" node "$HERE/cold_start.mjs" --count "$COLD_STARTS" --pin "$SERVER_CPU"
}

##############################################################################
# Part 4: records (issue 7) — bench/records.mjs does the whole part and prints its table
##############################################################################
part_records() {
  echo
  echo "== 4. Records: creates/s through the API and JS vs a raw SQLite insert loop (ceiling), list latency on $RECORDS_SEED records (m3m on CPU $SERVER_CPU, clients on CPU $CLIENT_CPU, ${RECORDS_DURATION}s per run, $RECORDS_CONNS connections) =="
  local args=(--pin "$SERVER_CPU" --threads "$M3M_THREADS" --duration "$RECORDS_DURATION" --conns "$RECORDS_CONNS"
              --seed "$RECORDS_SEED" --composite "$RECORDS_COMPOSITE" --ceiling "$RECORDS_CEILING" --work "$WORK/records")
  [ -n "$RECORDS_DIR" ] && args+=(--dir "$RECORDS_DIR")
  [ "$KEEP" = 1 ] && args+=(--keep)
  have wrk || log "records: wrk is missing → node keep-alive clients generate the load (slower client)"
  [ -x "$RECORDS_CEILING" ] || log "records: no ceiling program at $RECORDS_CEILING (make bench builds it) → ceiling n/a"
  taskset -c "$CLIENT_CPU" node "$HERE/records.mjs" "${args[@]}"
}

part_memory() {
  echo
  echo "== 3. Idle memory: RSS and threads of m3m with $PROJECTS small running projects =="
  local args=(--count "$PROJECTS" --pin "$SERVER_CPU")
  [ "$MEMORY_BURST" != 0 ] && args+=(--burst "$MEMORY_BURST")
  taskset -c "$CLIENT_CPU" node "$HERE/idle_memory.mjs" "${args[@]}"
}

##############################################################################
# Part 5: waiting throughput (issue 15) — bench/waiting.mjs starts one m3m per pool size
##############################################################################
part_waiting() {
  echo
  echo "== 5. Waiting throughput: $WAIT_CONNS connections on a route that sleeps ${WAIT_SLEEP_MS} ms, runtime.worker_pool_size ${WAIT_POOLS// /, } (m3m on CPU $SERVER_CPU, client on CPU $CLIENT_CPU, $WAIT_DURATION per run) =="
  have wrk || log "waiting: wrk is missing → node keep-alive clients generate the load"
  local args=(--pools "${WAIT_POOLS// /,}" --conns "$WAIT_CONNS" --sleep-ms "$WAIT_SLEEP_MS" --duration "$WAIT_DURATION"
              --pin "$SERVER_CPU" --threads "$M3M_THREADS" --fast-conns "$CONNS")
  [ "$KEEP" = 1 ] && args+=(--work "$WORK/waiting")
  taskset -c "$CLIENT_CPU" node "$HERE/waiting.mjs" "${args[@]}"
}

##############################################################################
# Part 6: image resize (issue 19) — bench/image_resize.mjs: m3m and sharp pinned to SERVER_CPU
##############################################################################
part_image() {
  echo
  echo "== 6. Image resize: 4000 × 3000 JPEG → 800 × 600 JPEG, m3m image.resize vs sharp, one core (CPU $SERVER_CPU), $IMAGE_ROUNDS rounds × ${IMAGE_SECONDS}s =="
  taskset -c "$CLIENT_CPU" node "$HERE/image_resize.mjs" --pin "$SERVER_CPU" --seconds "$IMAGE_SECONDS" --rounds "$IMAGE_ROUNDS"
}

status=0
for part in $PARTS; do
  case $part in
    routes) part_routes || status=1 ;;
    cold) part_cold || status=1 ;;
    memory) part_memory || status=1 ;;
    records) part_records || status=1 ;;
    waiting) part_waiting || status=1 ;;
    image) part_image || status=1 ;;
    *) echo "bench: unknown part '$part' (routes cold memory records waiting image)" >&2; status=2 ;;
  esac
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
