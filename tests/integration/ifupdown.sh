#!/usr/bin/env bash
# ifupdown (Debian's /etc/network/interfaces) with hnv, configured as
# docs/ifupdown.md tells the admin. A guest installed before hnv: the
# installer's allow-hotplug stanza gives the VF a static address and a
# default route when it appears. hnvd (backend auto, which is the kernel
# here) forms the group and moves the live address to the bond; the admin
# then names the bond in the file instead of the VF. A reboot (no bond, no
# address, ifupdown's state gone; `ifup -a` as networking.service runs it,
# then hnvd): the bond's hotplug event makes ifupdown configure it, so the
# address is on the bond, never on a port, whichever of ifupdown and hnvd
# comes first. ifdown/ifup of the bond, and a migration's release and the
# new VF's return under a new name, keep it working.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"
. "$HNV_SRC/tests/integration/ifupdown-lib.sh"

ifupdown_setup

# Before hnv: what Debian's installer writes for the port it installed on.
ifupdown_interfaces 'allow-hotplug vf0
iface vf0 inet static
	address 192.0.2.2/24
	gateway 192.0.2.1'
ifupdown_do ifup -a
add_vf vf0 $VF_MAC
wait_until 30 "ifupdown gives vf0 its address" 'ip -4 addr show dev vf0 | contains 192.0.2.2/24'
wait_until 30 "ping from vf0" ping_ok 192.0.2.1

# hnv arrives, and the admin follows docs/ifupdown.md.
ifupdown_hnv_arrives 192.0.2.2/24
ip -4 route show default | contains "via 192.0.2.1 dev bondweb" || fail "the default route did not follow: $(ip -4 route show default)"
wait_until 30 "ping across bondweb" ping_ok 192.0.2.1

ifupdown_interfaces '# The bond of group web, made by hnvd: configured when it appears.
allow-hotplug bondweb
iface bondweb inet static
	address 192.0.2.2/24
	gateway 192.0.2.1'

# A reboot: nothing but the files.
ifupdown_reboot 192.0.2.2/24
wait_until 30 "ifupdown configures bondweb when it appears" 'ip -4 addr show dev bondweb | contains 192.0.2.2/24'
assert_only_on bondweb 192.0.2.2/24 vf0 bk0
wait_until 10 "ifupdown's default route" 'ip -4 route show default | contains "via 192.0.2.1 dev bondweb"'
ifquery --state bondweb | contains -x "bondweb=bondweb" || fail "ifupdown does not know bondweb as up: $(ifquery --state)"
wait_until 30 "ping across bondweb after the reboot" ping_ok 192.0.2.1

# ifdown and ifup of the bond: the group stays whole, and works again.
ifupdown_do ifdown bondweb
ip -4 addr show dev bondweb | contains 192.0.2.2/ && fail "ifdown left the address"
test "$(link_master vf0)" = bondweb || fail "ifdown took vf0 out of the bond"
ifupdown_do ifup bondweb
assert_active bondweb vf0 30
wait_state web healthy 30
assert_only_on bondweb 192.0.2.2/24 vf0 bk0
wait_until 30 "ping across bondweb after ifdown/ifup" ping_ok 192.0.2.1

# A migration: the VF released and unplugged, another appears under a new
# name. ifupdown has no stanza for either, so it leaves them to hnvd.
expect_exit 0 hnvctl prepare-migration web
wait_state web migrating 30
del_dev vf0
add_vf vf1 $VF_MAC
expect_exit 0 hnvctl complete-migration web --timeout 30
assert_active bondweb vf1 30
wait_state web healthy 30
assert_only_on bondweb 192.0.2.2/24 vf1 bk0
wait_until 30 "ping across bondweb on the new VF" ping_ok 192.0.2.1
pass
