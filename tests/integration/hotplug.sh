#!/usr/bin/env bash
# A backup and a VF hotplugged: hnvd builds the bond with the VF primary and
# active, with the options it owns, and the backup's addresses move to it.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"

write_config "[group web]
primary = mac:02:00:00:00:01:01
backup = mac:02:00:00:00:01:02"
switch_setup

# The backup is there first, already configured (a guest installed before
# hnv): its address must end up on the bond, never lost.
add_backup bk0 02:00:00:00:01:02
ip addr add 192.0.2.2/24 dev bk0
ip link set bk0 up
start_hnvd
wait_eq 10 "bondweb with bk0" bondweb link_master bk0
wait_state web degraded
ip -j addr show dev bondweb | jq -e '.[0].addr_info[] | select(.local == "192.0.2.2")' >/dev/null ||
        fail "address did not move from bk0 to bondweb"
ip -j addr show dev bk0 | jq -e '[.[0].addr_info[] | select(.family == "inet")] | length == 0' >/dev/null ||
        fail "bk0 kept its IPv4 address"

add_vf vf0 02:00:00:00:01:01
assert_active bondweb vf0
wait_state web healthy
test "$(bond_primary bondweb)" = vf0 || fail "primary is '$(bond_primary bondweb)', want vf0"
assert_bond_options bondweb

if vf_can traffic "ping across bondweb on vf0"; then
        wait_until 10 "ping across bondweb" ping_ok 192.0.2.1
fi

# What hnvctl reports agrees with the kernel.
test "$(group_field web active)" = vf0 || fail "hnvctl says active is $(group_field web active)"
test "$(group_field web source)" = config || fail "source"
hnvctl status web | contains "healthy" || fail "text status lacks the state"
grep -q "group web: pending -> degraded" "$HNVD_LOG" || fail "no state line for pending -> degraded"
grep -q "group web: degraded -> healthy" "$HNVD_LOG" || fail "no state line for degraded -> healthy"
pass
