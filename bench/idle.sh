#!/usr/bin/env bash
# hnvd at rest: resident memory and wakeups per minute with N healthy groups
# (bonds built, VF active). Wakeups are voluntary context switches: hnvd has
# no timers, so at rest it should wake only when something happens.
# It needs a kernel with bonding and the udevd that sees the devices, so it
# runs in the UML guest:
#   tests/vm/uml-run bench/idle.sh "$PWD/build/release" [SECONDS] [GROUPS]
set -euo pipefail
build=$(realpath "${1:-build/release}")
secs=${2:-60}
ngroups=${3:-16}
[ -x "$build/src/daemon/hnvd" ] || { echo "no hnvd in $build (meson setup $build --buildtype=release)" >&2; exit 2; }
[ "${HNV_RUNNER:-}" = uml ] || { echo "run me in the UML guest: tests/vm/uml-run $0 BUILD_DIR" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
ip link set lo up
for i in $(seq 1 "$ngroups"); do
        printf '[group g%d]\nprimary = name:vf%d\nbackup = name:bk%d\n' "$i" "$i" "$i"
done > "$tmp/hnv.conf"
for i in $(seq 1 "$ngroups"); do
        ip link add "vf$i" type veth peer name "p-vf$i"
        ip link add "bk$i" type veth peer name "p-bk$i"
        ip link set "p-vf$i" up
        ip link set "p-bk$i" up
done
"$build/src/daemon/hnvd" --rundir "$tmp/run" --config "$tmp/hnv.conf" --config-dir "$tmp/none" \
        --log-level=warning >"$tmp/log" 2>&1 &
pid=$!
export HNV_SOCKET=$tmp/run/io.hnv
until "$build/src/ctl/hnvctl" status >/dev/null 2>&1; do sleep 0.05; done
# At rest means every group settled: healthy where the kernel has bonding
# (run this in UML here), or given up with a retry pending where it has not.
for _ in $(seq 1 200); do
        healthy=$("$build/src/ctl/hnvctl" --json status | jq '[.groups[] | select(.state == "healthy")] | length')
        [ "$healthy" -eq "$ngroups" ] && break
        sleep 0.05
done
if [ "$healthy" -ne "$ngroups" ]; then
        echo "only $healthy of $ngroups groups became healthy: not an idle hnvd with working bonds" >&2
        "$build/src/ctl/hnvctl" status >&2 || true
        exit 1
fi
sleep 2

field() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"; }
c0=$(field voluntary_ctxt_switches); n0=$(field nonvoluntary_ctxt_switches)
t0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
sleep "$secs"
c1=$(field voluntary_ctxt_switches); n1=$(field nonvoluntary_ctxt_switches)
t1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")

printf '%-34s %s\n' "groups / devices" "$ngroups / $((ngroups * 2))" \
        "groups healthy" "$healthy" \
        "RSS (VmRSS)" "$(field VmRSS) kB" \
        "peak RSS (VmHWM)" "$(field VmHWM) kB" \
        "wakeups per minute at rest" "$(awk -v c=$((c1 - c0 + n1 - n0)) -v s="$secs" 'BEGIN { printf "%.1f", c * 60 / s }')" \
        "CPU time at rest" "$((t1 - t0)) ticks in ${secs} s"
