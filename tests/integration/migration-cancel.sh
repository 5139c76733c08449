#!/usr/bin/env bash
# Unsafe: the backup without carrier. query-migration says so (exit 6) and
# prepare-migration refuses and changes nothing. Then a cancelled migration:
# prepare, the VF is never unplugged, complete-migration puts it back.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"

healthy_group web vf0 02:00:00:00:01:01 bk0 02:00:00:00:01:02

vf_carrier bk0 off
wait_until 10 "bond sees bk0 down" "grep -A1 'Slave Interface: bk0' /proc/net/bonding/bondweb | contains 'MII Status: down'"
expect_exit 6 hnvctl query-migration web
grep -q "no carrier" <<<"$out" || fail "query did not say why: $out"
expect_exit 6 hnvctl prepare-migration web
grep -q "no carrier" <<<"$out" || fail "prepare did not say why: $out"
test "$(bond_active bondweb)" = vf0 || fail "an unsafe prepare moved the active port"
test "$(link_master vf0)" = bondweb || fail "an unsafe prepare released the VF"
test "$(group_state web)" = healthy || fail "an unsafe prepare changed the state"
test "$(cat /sys/class/net/bondweb/bonding/all_slaves_active)" = 0 || fail "all_slaves_active left on"
vf_carrier bk0 on
wait_until 10 "bond sees bk0 up" "grep -A1 'Slave Interface: bk0' /proc/net/bonding/bondweb | contains 'MII Status: up'"

# Non-root may ask, not act.
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$HNV_BUILD/src/ctl/hnvctl" "$@"; }
expect_exit 0 nobody query-migration web
expect_exit 4 nobody prepare-migration web

# Cancelled: the same VF comes back at once.
expect_exit 0 hnvctl prepare-migration web
test -z "$(link_master vf0)" || fail "vf0 not released"
test "$(cat /sys/class/net/bondweb/bonding/all_slaves_active)" = 0 || fail "all_slaves_active left on"
traffic_start 192.0.2.2 300 0.005
expect_exit 0 hnvctl complete-migration web --timeout 10
grep -q "back on vf0" <<<"$out" || fail "complete-migration said: $out"
assert_active bondweb vf0
test "$(bond_primary bondweb)" = vf0 || fail "primary not restored"
test "$(group_state web)" = healthy || fail "state after rollback: $(group_state web)"
traffic_wait
test "$TRAFFIC_LOST" -le 1 || fail "the rollback lost $TRAFFIC_LOST packets"
pass
