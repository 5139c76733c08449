#!/usr/bin/env bash
# The embedded default of tools/demo, run inside a user-mode Linux guest.
# A VF and its backup are plugged and hnvd bonds them. Then a live
# migration as the management console drives it: prepare-migration releases
# the VF while the switch and the guest ping each other every 5 ms, the VF is
# unplugged, the destination's VF appears under another name and takes over,
# complete-migration confirms. Last, the VF is pulled without warning.
# Prints what happened and the figures.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"

say() { printf '\n== %s\n' "$*"; }
show() { "$@" 2>&1 | sed 's/^/   /'; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# hnvd's log timestamp of the last line matching PATTERN.
log_ts() { grep -- "$1" "$HNVD_LOG" | tail -n 1 | sed -E 's/^\[ *([0-9.]+)\].*/\1/'; }
ms_between() { awk -v a="$(log_ts "$1")" -v b="$(log_ts "$2")" \
        'BEGIN { if (a == "" || b == "") print "n/a"; else printf "%.1f ms", (b - a) * 1000 }'; }
# both_ways COUNT: the switch pings the guest and the guest pings the switch.
both_ways_start() {
        traffic_start 192.0.2.2 "$1" 0.005
        ping -n -i 0.005 -c "$1" -W 1 192.0.2.1 > /tmp/outbound.ping 2>&1 &
        OUTBOUND=$!
}
both_ways_wait() {
        traffic_wait
        wait "$OUTBOUND" || true
        local got
        got=$(sed -nE 's/.* ([0-9]+) received.*/\1/p' /tmp/outbound.ping)
        OUT_LOST=$(($1 - got))
}

say "A switch, a VF (vf0, behind the adapter's embedded bridge) and a backup NIC (bk0)"
write_config "[group web]
primary = mac:02:00:00:00:01:01
backup = mac:02:00:00:00:01:02"
show cat /etc/hnv/hnv.conf
switch_setup
start_hnvd
add_backup bk0 02:00:00:00:01:02
add_vf vf0 02:00:00:00:01:01
assert_active bondweb vf0
wait_state web healthy
ip addr add 192.0.2.2/24 dev bondweb
wait_until 10 "ping across bondweb" ping_ok 192.0.2.1
say "hnvd built bondweb with the VF primary and active"
show hnvctl status web

say "Live migration: the console asks, then releases the VF under traffic (both ways, every 5 ms)"
show hnvctl query-migration web
both_ways_start 1000
wait_until 10 "traffic flowing" sw_ping_ok 192.0.2.2
show hnvctl prepare-migration web
del_dev vf0
say "The VF is released and unplugged; the guest moves; the destination's VF appears as enP2p1s0"
t0=$(now_ms)
add_vf enP2p1s0 02:00:00:00:01:01
assert_active bondweb enP2p1s0
t1=$(now_ms)
show hnvctl complete-migration web --timeout 10
both_ways_wait 1000
mig_in=$TRAFFIC_LOST mig_out=$OUT_LOST mig_sent=$TRAFFIC_SENT
release_ms=$(ms_between "bk0: made active for migration" "released for migration")
hnvd_ms=$(ms_between "enP2p1s0: belongs to group web" "> healthy")
primary=$(bond_primary bondweb)
show hnvctl status web

say "Without warning: enP2p1s0 is pulled (surprise removal) under traffic"
both_ways_start 600
wait_until 10 "traffic flowing" sw_ping_ok 192.0.2.2
del_dev enP2p1s0
assert_active bondweb bk0
both_ways_wait 600
carrier_ms=$(ms_between "enP2p1s0: link event: carrier 0" "bk0: made active")

say "Figures"
printf '   %-52s %s\n' \
        "planned release: pings lost switch->guest / guest->switch" "$mig_in / $mig_out of $mig_sent" \
        "  backup active -> VF released (peers told)" "$release_ms" \
        "  new VF plugged -> active in the bond (incl. udev)" "$((t1 - t0)) ms" \
        "    of which hnvd (udev done -> VF active)" "$hnvd_ms" \
        "surprise removal: pings lost switch->guest / guest->switch" "$TRAFFIC_LOST / $OUT_LOST of $TRAFFIC_SENT" \
        "  VF carrier lost -> backup made active (hnvd)" "$carrier_ms" \
        "primary after the re-enslave" "$primary"
say "hnvd's log of the group"
show grep "info: group web" "$HNVD_LOG"
pass
