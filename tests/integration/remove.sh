#!/usr/bin/env bash
# The DLPAR-like operations: hnvctl add with device names, remove-port, and
# remove, which dissolves the bond and leaves the backup holding the bond's
# address so the guest stays reachable. Unknown names fail clearly.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"

switch_setup
start_hnvd
add_backup bk0 02:00:00:00:01:02
add_vf vf0 02:00:00:00:01:01
udevadm settle

expect_exit 3 hnvctl add web --primary nosuchdev --backup bk0
expect_exit 2 hnvctl add web --primary vf0-has-a-much-too-long-name --backup bk0
expect_exit 3 hnvctl remove nosuchgroup

hnvctl add web --primary vf0 --backup bk0
assert_active bondweb vf0
wait_state web healthy
ip addr add 192.0.2.2/24 dev bondweb
wait_until 10 "ping across bondweb" ping_ok 192.0.2.1
expect_exit 1 hnvctl add web --primary vf0 --backup bk0

# remove-port: the VF leaves, the backup carries on, hnvd does not take it back.
hnvctl remove-port vf0
assert_active bondweb bk0
wait_state web degraded
test -z "$(link_master vf0)" || fail "vf0 still enslaved"
hnvctl reload >/dev/null
test -z "$(link_master vf0)" || fail "vf0 taken back after remove-port"

# remove: the bond goes, the backup keeps the address, the guest stays reachable.
hnvctl remove web
wait_until 10 "bondweb gone" test ! -e /sys/class/net/bondweb
ip -j addr show dev bk0 | jq -e '.[0].addr_info[] | select(.local == "192.0.2.2")' >/dev/null ||
        fail "bk0 did not get the bond's address"
wait_until 10 "ping on bk0 alone" ping_ok 192.0.2.1
expect_exit 3 hnvctl status web
pass
