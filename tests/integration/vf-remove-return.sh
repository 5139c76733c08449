#!/usr/bin/env bash
# The VF is unplugged with traffic flowing: the backup takes over and the
# guest stays reachable. A new VF with the same identity under another name
# is enslaved, made primary and active again.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"

healthy_group web vf0 02:00:00:00:01:01 bk0 02:00:00:00:01:02

del_dev vf0
assert_active bondweb bk0
wait_state web degraded
test "$(group_field web reason)" = "VF missing" || fail "reason: $(group_field web reason)"
wait_until 10 "ping on the backup" ping_ok 192.0.2.1

# Same MAC, new name (a new PCI address after a migration).
add_vf enP2p1s0 02:00:00:00:01:01
assert_active bondweb enP2p1s0
wait_state web healthy
test "$(bond_primary bondweb)" = enP2p1s0 || fail "primary is '$(bond_primary bondweb)', want enP2p1s0"
test "$(group_field web reenslaves)" = 1 || fail "reenslaves = $(group_field web reenslaves)"
test "$(group_field web failovers)" = 1 || fail "failovers = $(group_field web failovers)"
if vf_can traffic "ping on the new VF"; then
        wait_until 10 "ping on the new VF" ping_ok 192.0.2.1
fi
ip -j addr show dev bondweb | jq -e '.[0].addr_info[] | select(.local == "192.0.2.2")' >/dev/null ||
        fail "the bond lost its address"
pass
