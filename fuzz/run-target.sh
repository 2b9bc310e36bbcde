#!/usr/bin/env bash
# Runs one libFuzzer target for $FUZZ_SECONDS (default 60):
#   run-target.sh <binary> <name> <build-dir>
# The committed corpus fuzz/corpus/<name> (seeds + every crash ever found) is
# replayed first and only read; new inputs go to <build-dir>/corpus/<name>, a
# crash to <build-dir>/artifacts/<name>/ (copy it into fuzz/corpus/<name> with
# the fix). Extra libFuzzer flags: $FUZZ_FLAGS.
set -euo pipefail
bin="$1"; name="$2"; build="$3"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
seconds="${FUZZ_SECONDS:-60}"
work="$build/corpus/$name"
artifacts="$build/artifacts/$name"
mkdir -p "$work" "$artifacts"
args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
      -artifact_prefix="$artifacts/")
if [ -f "$here/dict/$name.dict" ]; then args+=(-dict="$here/dict/$name.dict"); fi
# shellcheck disable=SC2086
exec "$bin" "${args[@]}" ${FUZZ_FLAGS:-} "$work" "$here/corpus/$name"
