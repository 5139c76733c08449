#!/usr/bin/env bash
# Pairing through udev properties (HNV_GROUP=/HNV_ROLE=), with udev renaming
# the VF as it appears: hnvd waits for udev, so it enslaves the device under
# its final name and never under the kernel's first one. A group added later
# that reads another property has hnvd ask udev again.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"

udev_rule 'SUBSYSTEM=="net", ACTION=="add", ATTR{address}=="02:00:00:00:05:01", NAME="enP5p1s0"
SUBSYSTEM=="net", ATTR{address}=="02:00:00:00:05:01", ENV{HNV_GROUP}="hcn5", ENV{HNV_ROLE}="primary"
SUBSYSTEM=="net", ATTR{address}=="02:00:00:00:05:02", ENV{HNV_GROUP}="hcn5", ENV{HNV_ROLE}="backup"'
switch_setup
start_hnvd

add_backup bk5 02:00:00:00:05:02
add_vf vf5 02:00:00:00:05:01
assert_active bondhcn5 enP5p1s0
wait_state hcn5 healthy
test "$(group_field hcn5 source)" = udev || fail "source is $(group_field hcn5 source)"
test "$(bond_primary bondhcn5)" = enP5p1s0 || fail "primary is $(bond_primary bondhcn5)"
if grep -q "vf5: enslaved" "$HNVD_LOG"; then fail "enslaved under the kernel's first name"; fi

# A device with an invalid group property is left alone with a clear line.
udev_rule 'SUBSYSTEM=="net", ATTR{address}=="02:00:00:00:06:01", ENV{HNV_GROUP}="bad/name", ENV{HNV_ROLE}="primary"'
add_vf vf6 02:00:00:00:06:01
wait_until 10 "a log line about vf6" grep -q "vf6: invalid HNV_GROUP=/HNV_ROLE=" "$HNVD_LOG"
test -z "$(link_master vf6)" || fail "vf6 was enslaved"

# A group whose matches read a property no group read before: hnvd keeps
# of each device only the properties its groups read, so it asks udev again
# for all of them (vf7's udev event was read before the group existed).
udev_rule 'SUBSYSTEM=="net", ATTR{address}=="02:00:00:00:07:01", ENV{HNV_TEST_SLOT}="7a"
SUBSYSTEM=="net", ATTR{address}=="02:00:00:00:07:02", ENV{HNV_TEST_SLOT}="7b"'
add_backup bk7 02:00:00:00:07:02
add_vf vf7 02:00:00:00:07:01
wait_eq 10 "vf7's HNV_TEST_SLOT" 7a udev_prop vf7 HNV_TEST_SLOT
udevadm settle -t 10
hnvctl status >/dev/null
expect_exit 0 hnvctl add slot7 --primary udev:HNV_TEST_SLOT=7a --backup udev:HNV_TEST_SLOT=7b
wait_until 10 "hnvd to read the devices' properties again" \
        grep -q "udev property HNV_TEST_SLOT, which none read before" "$HNVD_LOG"
assert_active bondslot7 vf7
wait_state slot7 healthy
pass
