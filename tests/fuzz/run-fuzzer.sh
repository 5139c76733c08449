#!/usr/bin/env bash
# Runs one libFuzzer target from its seed corpus for a while and prints one
# line: execs, rate, coverage. New inputs go to WORK (a temporary folder by
# default), never into the tree; a crash leaves its input there and fails.
# Usage: run-fuzzer.sh TARGET SEED_DIR SECONDS [WORK_DIR]
set -uo pipefail
target=$1 seeds=$2 seconds=$3 work=${4:-}
name=$(basename "$target")
if [ -z "$work" ]; then
        work=$(mktemp -d "/tmp/hnv-$name.XXXXXX")
        trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work/corpus" "$work/artifacts"
log="$work/fuzz.log"

# -timeout: one input taking 10 s is a hang; -rss_limit_mb: a reply queue
# or a table without bound shows as memory; leaks are LeakSanitizer's.
"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/artifacts/" "$work/corpus" "$seeds" >"$log" 2>&1
rc=$?

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
rate=$(( ${execs:-0} / (seconds > 0 ? seconds : 1) ))
echo "$name: ${execs:-0} execs in ${seconds} s (${rate}/s), cov ${cov:-?} edges, ft ${ft:-?}, corpus ${corp:-?}"
if [ "$rc" -ne 0 ] || [ -z "$execs" ]; then
        echo "$name: libFuzzer exit $rc; the last lines of its log:"
        tail -n 40 "$log"
        for a in "$work"/artifacts/*; do
                [ -f "$a" ] && { echo "input $a:"; od -c "$a" | head -n 20; }
        done
        exit 1
fi
