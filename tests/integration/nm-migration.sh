#!/usr/bin/env bash
# A live migration through NetworkManager: prepare-migration moves the
# traffic to the backup and releases the VF by deactivating its port
# profile, with traffic flowing both ways and nothing lost; NetworkManager
# does not put the VF back. NetworkManager then restarts mid-migration: the
# destination's VF appears while it is down, hnvd waits for it, and once it
# is back the new VF gets its port profile and becomes the persisted primary.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"
. "$HNV_SRC/tests/integration/nm-lib.sh"

require_nm
nm_healthy_group web vf0 02:00:00:00:01:01 bk0 02:00:00:00:01:02

traffic_start 192.0.2.2 600 0.005
ping -n -i 0.005 -c 600 -W 1 192.0.2.1 > /tmp/out.ping 2>&1 &
outbound=$!
wait_until 10 "traffic flowing" sw_ping_ok 192.0.2.2
expect_exit 0 hnvctl prepare-migration web
test "$(bond_active bondweb)" = bk0 || fail "active is $(bond_active bondweb)"
wait_until 30 "vf0 out of the bond" sh -c 'test -z "$(ip -j link show dev vf0 | jq -r ".[0].master // empty")"'
wait_state web migrating
grep -q "group web: vf0: released for migration through networkmanager" "$HNVD_LOG" ||
        fail "no log of the release through NetworkManager"
traffic_wait
wait "$outbound" || true
out_ok=$(sed -nE 's/.* ([0-9]+) received.*/\1/p' /tmp/out.ping)
log "prepare through NetworkManager: switch -> guest lost $TRAFFIC_LOST, guest -> switch lost $((600 - out_ok))"
test "$TRAFFIC_LOST" -eq 0 || fail "switch -> guest lost $TRAFFIC_LOST packets during prepare"
test "$out_ok" -eq 600 || fail "guest -> switch lost $((600 - out_ok)) packets during prepare"

# NetworkManager keeps the profiles and the bond, and leaves the VF out:
# it re-enslaves a port released behind its back within about 2 s; give it
# three times that.
nm_profiles | contains "^bondweb-vf0:" || fail "the VF's port profile is gone"
for _ in $(seq 30); do
        test -z "$(link_master vf0)" || fail "NetworkManager put vf0 back"
        sleep 0.2
done
test "$(group_state web)" = migrating || fail "group left migrating"
ping_ok 192.0.2.1 || fail "no ping on the backup"

# NetworkManager goes away mid-migration; the VF leaves, the destination's
# VF arrives (a new name) while it is down.
stop_nm
del_dev vf0
add_vf enP7p1s0 02:00:00:00:01:01
udev_settle
wait_until 30 "hnvd waiting for NetworkManager" grep -q "waiting for NetworkManager to start" "$HNVD_LOG"
test "$(bond_active bondweb)" = bk0 || fail "the backup stopped carrying the traffic"
ping_ok 192.0.2.1 || fail "no ping while NetworkManager is down"
start_nm
assert_active bondweb enP7p1s0 60
wait_state web healthy 60
test "$(bond_primary bondweb)" = enP7p1s0 || fail "primary is $(bond_primary bondweb)"
wait_until 30 "primary persisted" 'nmcli -g bond.options connection show bondweb | contains primary=enP7p1s0'
nm_profiles | contains "^bondweb-enP7p1s0:802-3-ethernet:enP7p1s0" || fail "no port profile for the new VF: $(nm_profiles)"
assert_no_auto_profile
wait_until 10 "ping after the migration" ping_ok 192.0.2.1
expect_exit 0 hnvctl complete-migration web --timeout 10
pass
