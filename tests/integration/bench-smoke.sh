#!/usr/bin/env bash
# The failover benchmark (bench/failover.sh) still works: one quick run (8
# groups for the start-up measurement instead of 64) of
# every measurement, then its JSON must be well-formed and every figure in
# it a number (or a boolean where it says yes/no) or the documented
# "n/a (reason)". Nothing here judges a figure: no timing threshold, no
# expected loss. The benchmark itself is bench/run; docs/performance.md.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"

require_udev   # the benchmark measures udev's part of a hotplug
_hnv_need_build
bindir=${HNV_BENCH_BIN:-$HNV_BUILD/bench}
for b in udpflow linkwatch; do
        [ -x "$bindir/$b" ] || fail "no $bindir/$b: is subdir('bench') in meson.build, and the build done?"
done

rm -f "$HNV_RESULTS/bench.json"
# Its own process: failover.sh sources lib.sh itself (its traps, its hnvd).
rc=0
bash "$HNV_SRC/bench/failover.sh" --quick --scale-groups 8 > "$HNV_RESULTS/bench-quick.log" 2>&1 || rc=$?
if [ "$rc" -eq 77 ]; then
        skip "bench/failover.sh skipped: $(grep -m1 '^SKIP' "$HNV_RESULTS/bench-quick.log" || true)"
elif [ "$rc" -ne 0 ]; then
        tail -n 60 "$HNV_RESULTS/bench-quick.log"
        fail "bench/failover.sh --quick exited with status $rc"
fi
grep -q '^measurement ' "$HNV_RESULTS/bench-quick.log" || fail "no table in the benchmark's output"

json=$HNV_RESULTS/bench.json
[ -s "$json" ] || fail "no $json"
jq -e . "$json" >/dev/null || fail "$json is not JSON"

# Shape: the sections the table and docs/performance.md refer to.
for k in meta results runs; do
        jq -e --arg k "$k" 'has($k)' "$json" >/dev/null || fail "bench.json has no .$k"
done
for k in baseline release carrier removal hotplug return scale hnvd; do
        jq -e --arg k "$k" '.results | has($k)' "$json" >/dev/null || fail "bench.json has no .results.$k"
done
jq -e '.meta.runs == 1 and .meta.quick == true' "$json" >/dev/null || fail "meta does not say 1 quick run"

# Every figure: a number, a boolean, or "n/a (...)". Lists the offenders.
bad=$(jq -r '.results | paths(scalars) as $p | getpath($p) as $v |
        select(($v | type) != "number" and ($v | type) != "boolean" and
               (($v | type) != "string" or ($v | test("^n/a \\(.+\\)$") | not))) |
        "\($p | map(tostring) | join(".")) = \($v | tojson)"' "$json")
[ -z "$bad" ] || fail "figures that are neither a number nor n/a: $bad"
# No figure silently missing (null) or a container where a figure belongs.
nulls=$(jq -r '.results | paths(. == null) | map(tostring) | join(".")' "$json")
[ -z "$nulls" ] || fail "null figures in results: $nulls"

# The raw records are consistent with themselves (counts, not times).
inconsistent=$(jq -r '.runs[] | select(.flows != null) | . as $r | .flows | to_entries[] |
        select(.value.recv != null and .value.send != null) |
        select(.value.recv.received > .value.send.sent or .value.recv.lost < 0 or
               (.value.recv.end == "marker" and .value.recv.sent != .value.send.sent)) |
        "\($r.case) \(.key): sent \(.value.send.sent), receiver says \(.value.recv.sent), received \(.value.recv.received)"' \
        "$json")
[ -z "$inconsistent" ] || fail "flow counts do not add up: $inconsistent"

# Each measurement of the quick run is there once.
for c in baseline release_hnv release_nomaster carrier_hnv carrier_plain remove_hnv remove_plain hotplug return_hnv return_plain scale; do
        n=$(jq --arg c "$c" '[.runs[] | select(.case == $c)] | length' "$json")
        [ "$n" = 1 ] || fail "bench.json has $n records of $c, want 1"
done
log "bench.json well-formed; every figure a number or n/a"
pass
