#!/usr/bin/env bash
# ifupdown with DHCP, configured as docs/ifupdown.md tells the admin. A
# guest installed before hnv: the installer's allow-hotplug stanza runs
# Debian's DHCP client (dhclient) on the VF, and dnsmasq on the modelled
# switch leases it 192.0.2.123. hnvd (backend auto: the kernel here) forms
# the group and moves the live address to the bond. The admin then gives
# the stanza to the bond and moves the client from the VF to the bond
# without giving the lease back. A reboot (no bond, no address, ifupdown's
# state and dhclient gone): the bond's hotplug event starts dhclient on it,
# the lease for the VF's MAC (the bond's) comes back, and the address is on
# the bond and on no port. `hnvctl remove` gives it to the backup.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"
. "$HNV_SRC/tests/integration/ifupdown-lib.sh"

ifupdown_setup isc-dhcp-client
mkdir -p /var/lib/dhcp
# ifupdown's hotplug hook under Debian 12 starts ifup@<if>.service, which
# has systemd's PATH. This guest has no systemd, so the hook runs ifup
# itself, and udev gives it only the event's properties: without a PATH,
# ifup finds no DHCP client ("No DHCP client software found!").
udev_rule 'SUBSYSTEM=="net", ENV{PATH}="/usr/sbin:/usr/bin:/sbin:/bin"'
switch_dhcp
LEASE=192.0.2.123/24

# dhclient's processes, by the interface they serve (its last argument).
dhclients() {
        local p
        for p in $(pgrep -x dhclient); do
                tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | awk '{ print $NF }'
        done | sort | paste -sd' '
}
# dnsmasq's leases of 192.0.2.123 so far.
acks() {
        grep -c "DHCPACK(br0) 192.0.2.123 $VF_MAC" "$HNV_RESULTS/dnsmasq.log" || true
}
stop_dhclients() {
        pkill -x dhclient || true
        wait_until 10 "dhclient gone" '[ -z "$(dhclients)" ]'
}
at_exit stop_dhclients

# Before hnv: what Debian's installer writes for a port it configured by DHCP.
ifupdown_interfaces 'allow-hotplug vf0
iface vf0 inet dhcp'
ifupdown_do ifup -a
add_vf vf0 $VF_MAC
wait_until 60 "vf0's lease from ifupdown's dhclient" "ip -4 addr show dev vf0 | contains $LEASE"
test "$(dhclients)" = vf0 || fail "dhclient runs for: $(dhclients)"
wait_until 30 "ping from vf0" ping_ok 192.0.2.1

# hnv arrives.
ifupdown_hnv_arrives $LEASE
wait_until 30 "ping across bondweb" ping_ok 192.0.2.1

# The admin follows docs/ifupdown.md: the stanza names the bond, and the
# client moves from the VF to the bond, the lease kept (dhclient -x).
ifupdown_interfaces '# The bond of group web, made by hnvd: configured when it appears.
allow-hotplug bondweb
iface bondweb inet dhcp'
n=$(acks)
ifupdown_do dhclient -x -pf /run/dhclient.vf0.pid
ifupdown_do ifup bondweb
test "$(dhclients)" = bondweb || fail "dhclient runs for: $(dhclients)"
if grep -q DHCPRELEASE "$HNV_RESULTS/dnsmasq.log"; then fail "the lease was given back"; fi
wait_until 30 "bondweb's own lease" '[ "$(acks)" -gt "$n" ]'
assert_only_on bondweb $LEASE vf0 bk0
wait_until 30 "ping across bondweb with its own client" ping_ok 192.0.2.1

# A reboot: only the files are left, and dnsmasq's lease. The devices come
# back, networking.service's `ifup -a` runs before hnvd has made the bond,
# then hnvd starts and the bond's add event starts dhclient on it.
stop_dhclients
rm -f /run/dhclient.*.pid
n=$(acks)
ifupdown_reboot $LEASE
wait_until 60 "the lease on bondweb after the reboot" "ip -4 addr show dev bondweb | contains $LEASE"
test "$(acks)" -gt "$n" || fail "no new lease after the reboot"
assert_only_on bondweb $LEASE vf0 bk0
test "$(dhclients)" = bondweb || fail "dhclient runs for: $(dhclients)"
wait_until 10 "the lease's default route" 'ip -4 route show default | contains "via 192.0.2.1 dev bondweb"'
wait_until 30 "ping across bondweb after the reboot" ping_ok 192.0.2.1

# ifdown and ifup of the bond: the lease is given back and taken again.
ifupdown_do ifdown bondweb
ip -4 addr show dev bondweb | contains 192.0.2.123/ && fail "ifdown left the address"
test "$(link_master vf0)" = bondweb || fail "ifdown took vf0 out of the bond"
ifupdown_do ifup bondweb
assert_active bondweb vf0 30
wait_until 60 "the lease on bondweb after ifdown/ifup" "ip -4 addr show dev bondweb | contains $LEASE"
assert_only_on bondweb $LEASE vf0 bk0
wait_until 30 "ping across bondweb after ifdown/ifup" ping_ok 192.0.2.1

# hnvctl remove: the address goes to the backup, which keeps the guest on
# the network until the admin writes a stanza for it (docs/ifupdown.md).
expect_exit 0 hnvctl remove web
wait_until 10 "bondweb gone" test ! -e /sys/class/net/bondweb
wait_until 10 "the address on bk0" "ip -4 addr show dev bk0 | contains $LEASE"
wait_until 30 "ping from bk0" ping_ok 192.0.2.1
pass
