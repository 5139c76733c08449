#!/usr/bin/env bash
# The embedded default of tools/demo, run inside a user-mode Linux guest:
# a VF and its backup are plugged, hnvd bonds them, the VF is unplugged with
# traffic flowing, and a new VF with the same identity under another name
# takes over again. Prints what happened and the figures.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"

say() { printf '\n== %s\n' "$*"; }
show() { "$@" 2>&1 | sed 's/^/   /'; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

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

say "Traffic: the switch pings the guest every 10 ms; the VF is unplugged 1 s in"
traffic_start 192.0.2.2 600 0.01
wait_until 10 "traffic flowing" sw_ping_ok 192.0.2.2
del_dev vf0
assert_active bondweb bk0
wait_state web degraded
say "vf0 is gone: the backup carries the traffic"
show hnvctl status web

say "A new VF with the same MAC appears as enP2p1s0 (a new PCI address after a move)"
t2=$(now_ms)
add_vf enP2p1s0 02:00:00:00:01:01
assert_active bondweb enP2p1s0
t3=$(now_ms)
wait_state web healthy
show hnvctl status web
traffic_wait

# hnvd's own share of the re-enslave: from udev reporting the device
# finished to the group being healthy, from hnvd's log timestamps.
log_ts() { grep -- "$1" "$HNVD_LOG" | tail -n 1 | sed -E 's/^\[ *([0-9.]+)\].*/\1/'; }
hnvd_ms=$(awk -v a="$(log_ts 'enP2p1s0: belongs to group web')" -v b="$(log_ts 'degraded -> healthy')" \
        'BEGIN { printf "%.1f", (b - a) * 1000 }')

# The unplug: the VF's carrier drops as its far end goes, and hnvd switches
# on that event; the kernel would otherwise wait for its next miimon poll.
lost_ms=$(awk -v a="$(log_ts 'vf0: link event: carrier 0')" -v b="$(log_ts 'bk0: made active')" \
        'BEGIN { if (a == "" || b == "") print "n/a"; else printf "%.1f ms", (b - a) * 1000 }')

say "Figures"
printf '   %-46s %s\n' \
        "packets sent / lost (VF unplug + re-enslave)" "$TRAFFIC_SENT / $TRAFFIC_LOST" \
        "VF carrier lost -> backup made active (hnvd)" "$lost_ms" \
        "VF plugged -> active in the bond (incl. udev)" "$((t3 - t2)) ms" \
        "  of which hnvd (udev done -> VF active)" "$hnvd_ms ms" \
        "primary after re-enslave" "$(bond_primary bondweb)" \
        "re-enslaves / failovers counted by hnvd" "$(group_field web reenslaves) / $(group_field web failovers)"
say "hnvd's log of the group"
show grep "info: group web" "$HNVD_LOG"
pass
