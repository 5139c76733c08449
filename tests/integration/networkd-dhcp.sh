#!/usr/bin/env bash
# As networkd-static, with the address from DHCP: the installer's .network
# runs DHCP on the VF (dnsmasq on the modelled switch, a lease reserved
# for the VF's MAC). hnvd forms the group; the bond's .network gets DHCP
# and the bond, which has the VF's MAC, the same lease. After a reboot
# (hnvd and networkd started again from their files, /run emptied, no
# bond) networkd's DHCP client runs on the bond, never on a port.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"
. "$HNV_SRC/tests/integration/nm-lib.sh"
. "$HNV_SRC/tests/integration/networkd-lib.sh"

require_networkd
switch_setup
switch_dhcp
networkd_setup
ND=/etc/systemd/network

# Before hnv: DHCP on the VF, netplan's way.
ADMIN="[Match]
MACAddress=02:00:00:00:01:01
Name=vf0

[Network]
DHCP=ipv4
LinkLocalAddressing=no

[DHCP]
RouteMetric=100"
printf '%s\n' "$ADMIN" > "$ND/10-netplan-vf0.network"
start_networkd
add_vf vf0 02:00:00:00:01:01
wait_until 60 "vf0's lease" 'ip -4 addr show dev vf0 | contains 192.0.2.123/24'

write_config "[global]
backend = networkd
[group web]
primary = mac:02:00:00:00:01:01
backup = mac:02:00:00:00:01:02"
start_hnvd
add_backup bk0 02:00:00:00:01:02
assert_active bondweb vf0 90
wait_state web healthy 60
wait_eq 60 "networkd applies hnv's file to bondweb" "$ND/00-hnv-bondweb.network" networkd_file bondweb
wait_eq 60 "networkd applies hnv's file to vf0" "$ND/00-hnv-vf0.network" networkd_file vf0
grep -qx "DHCP=ipv4" "$ND/00-hnv-bondweb.network" || fail "no DHCP in the bond's file: $(cat "$ND/00-hnv-bondweb.network")"
grep -qx "RouteMetric=100" "$ND/00-hnv-bondweb.network" || fail "the [DHCP] section was not carried"
for l in bondweb vf0 bk0; do
        wait_eq 60 "networkd configured $l" configured networkd_setup_state "$l"
done
wait_until 60 "the lease on bondweb" 'ip -4 addr show dev bondweb | contains 192.0.2.123/24'
assert_only_on bondweb 192.0.2.123/24 vf0 bk0
wait_until 30 "ping across bondweb" ping_ok 192.0.2.1

# A reboot: only the files are left, and dnsmasq's lease.
networkd_reboot bondweb vf0 bk0
assert_active bondweb vf0 90
wait_state web healthy 60
wait_eq 60 "networkd's file for bondweb after the reboot" "$ND/00-hnv-bondweb.network" networkd_file bondweb
for l in bondweb vf0 bk0; do
        wait_eq 60 "networkd configured $l" configured networkd_setup_state "$l"
done
wait_until 60 "the lease on bondweb after the reboot" 'ip -4 addr show dev bondweb | contains 192.0.2.123/24'
assert_only_on bondweb 192.0.2.123/24 vf0 bk0
test "$(cat /sys/class/net/bondweb/address)" = 02:00:00:00:01:01 || fail "the bond does not have the VF's MAC"
wait_until 30 "ping across bondweb after the reboot" ping_ok 192.0.2.1
grep -c "DHCPACK(br0) 192.0.2.123 02:00:00:00:01:01" "$HNV_RESULTS/dnsmasq.log" >/dev/null || fail "no lease in dnsmasq's log"

# The group dissolved: the admin's file runs DHCP on the VF again.
expect_exit 0 hnvctl remove web
wait_until 30 "bondweb gone" sh -c '! ip link show bondweb >/dev/null 2>&1'
test -z "$(ls "$ND" | grep '^00-hnv-' || true)" || fail "hnv's files survived hnvctl remove: $(ls "$ND")"
test "$(printf '%s\n' "$ADMIN")" = "$(cat "$ND/10-netplan-vf0.network")" || fail "the admin's file changed"
wait_eq 60 "networkd applies the admin's file to vf0 again" "$ND/10-netplan-vf0.network" networkd_file vf0
wait_until 60 "vf0's lease back" 'ip -4 addr show dev vf0 | contains 192.0.2.123/24'
log "after remove: $(ip -br addr show | paste -sd'|')"
wait_until 30 "ping from the guest" ping_ok 192.0.2.1
pass
