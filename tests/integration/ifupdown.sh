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

require_udev
guest_install_deb ifupdown
mkdir -p /run/network /etc/network/interfaces.d
udev_reload   # ifupdown's rule: allow-hotplug interfaces come up with their device
switch_setup
VF_MAC=02:00:00:00:01:01
BK_MAC=02:00:00:00:01:02

# Before hnv: what Debian's installer writes for the port it installed on.
cat > /etc/network/interfaces <<'CONF'
source /etc/network/interfaces.d/*
auto lo
iface lo inet loopback

allow-hotplug vf0
iface vf0 inet static
	address 192.0.2.2/24
	gateway 192.0.2.1
CONF
ifup -a || fail "ifup -a"
add_vf vf0 $VF_MAC
wait_until 30 "ifupdown gives vf0 its address" 'ip -4 addr show dev vf0 | contains 192.0.2.2/24'
wait_until 30 "ping from vf0" ping_ok 192.0.2.1

# hnv arrives, and the admin follows docs/ifupdown.md.
write_config "[group web]
primary = mac:$VF_MAC
backup = mac:$BK_MAC"
start_hnvd
test "$(hnvctl --json status | jq -r .backend)" = kernel || fail "backend auto did not pick kernel under ifupdown"
add_backup bk0 $BK_MAC
assert_active bondweb vf0 30
wait_state web healthy 30
wait_until 10 "the address moved to bondweb" 'ip -4 addr show dev bondweb | contains 192.0.2.2/24'
assert_only_on bondweb 192.0.2.2/24 vf0 bk0
ip -4 route show default | contains "via 192.0.2.1 dev bondweb" || fail "the default route did not follow: $(ip -4 route show default)"
wait_until 30 "ping across bondweb" ping_ok 192.0.2.1

cat > /etc/network/interfaces <<'CONF'
source /etc/network/interfaces.d/*
auto lo
iface lo inet loopback

# The group's bond, made by hnvd: configured when it appears.
allow-hotplug bondweb
iface bondweb inet static
	address 192.0.2.2/24
	gateway 192.0.2.1
CONF

# A reboot: nothing but the files. The devices come back, ifupdown's state
# is gone, networking.service's `ifup -a` runs before hnvd has made the
# bond (the harder order), then hnvd starts.
reboot_world() {
        kill_hnvd
        ip link del bondweb
        del_dev vf0
        del_dev bk0
        wait_until 10 "ports gone" sh -c '! ip link show vf0 >/dev/null 2>&1 && ! ip link show bk0 >/dev/null 2>&1'
        rm -rf /run/network /run/hnv
        mkdir -p /run/network
        add_backup bk0 $BK_MAC
        add_vf vf0 $VF_MAC
        udev_settle
        ifup -a || fail "ifup -a at boot"
        ip -4 addr show | contains 192.0.2.2/ && fail "an address before the bond exists: $(ip -br addr show)"
        start_hnvd
}
reboot_world
assert_active bondweb vf0 30
wait_state web healthy 30
wait_until 30 "ifupdown configures bondweb when it appears" 'ip -4 addr show dev bondweb | contains 192.0.2.2/24'
assert_only_on bondweb 192.0.2.2/24 vf0 bk0
wait_until 10 "ifupdown's default route" 'ip -4 route show default | contains "via 192.0.2.1 dev bondweb"'
ifquery --state bondweb | contains -x "bondweb=bondweb" || fail "ifupdown does not know bondweb as up: $(ifquery --state)"
wait_until 30 "ping across bondweb after the reboot" ping_ok 192.0.2.1

# ifdown and ifup of the bond: the group stays whole, and works again.
ifdown bondweb || fail "ifdown bondweb"
ip -4 addr show dev bondweb | contains 192.0.2.2/ && fail "ifdown left the address"
test "$(link_master vf0)" = bondweb || fail "ifdown took vf0 out of the bond"
ifup bondweb || fail "ifup bondweb"
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
