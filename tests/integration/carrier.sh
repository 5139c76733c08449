#!/usr/bin/env bash
# The VF loses carrier (its far end goes down): hnvd switches to the backup on
# the rtnetlink event, not at the next miimon poll; when carrier returns the
# VF is active again. An administrator's "ip link set vf0 down" is switched
# at once too. A VF unplugged while active is left to the kernel, which
# switches as it lets the port go: hnvd is not woken by the port's closing
# (its link monitor filters that message out) and hears of the removal.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"

# miimon 1 s: the bond's own poll would switch too, up to one interval
# after the carrier went; at its default 100 ms it sometimes won the race
# against hnvd (a fast kernel, a tick just after the event), and the check
# below could not tell who switched.
write_config "[group web]
primary = mac:02:00:00:00:01:01
backup = mac:02:00:00:00:01:02
bond-options = miimon=1000"
switch_setup
start_hnvd
plug_group web vf0 02:00:00:00:01:01 bk0 02:00:00:00:01:02
test "$(cat /sys/class/net/bondweb/bonding/miimon)" = 1000 || fail "miimon is $(cat /sys/class/net/bondweb/bonding/miimon)"

vf_carrier vf0 off
assert_active bondweb bk0
wait_state web degraded
test "$(group_field web reason)" = "VF has no carrier" || fail "reason: $(group_field web reason)"
# hnvd made the switch itself (the bond would have done it later).
grep -q "group web: bk0: made active" "$HNVD_LOG" || fail "hnvd did not switch on the event"
wait_until 10 "ping on the backup" ping_ok 192.0.2.1

vf_carrier vf0 on
assert_active bondweb vf0
wait_state web healthy
test "$(bond_primary bondweb)" = vf0 || fail "primary lost"
wait_until 10 "ping on the VF" ping_ok 192.0.2.1

switches() { grep -c "group web: bk0: made active" "$HNVD_LOG" || true; }
n=$(switches)
ip link set vf0 down
assert_active bondweb bk0
wait_state web degraded
test "$(switches)" -gt "$n" || fail "hnvd did not switch on the administrator's ip link set down"
ip link set vf0 up
assert_active bondweb vf0
wait_state web healthy

n=$(switches)
del_dev vf0
assert_active bondweb bk0
wait_state web degraded
test "$(group_field web reason)" = "VF missing" || fail "reason: $(group_field web reason)"
test "$(switches)" -eq "$n" || fail "hnvd acted on the closing of a port on its way out"
wait_until 10 "ping on the backup" ping_ok 192.0.2.1
pass
