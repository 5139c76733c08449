#!/usr/bin/env bash
# A guest set up before hnv got its address by DHCP on its VF, through a
# NetworkManager profile of the VF's own. hnvd moves that configuration to
# the bond: the backup joins first, the bond (with the VF's MAC, so the same
# DHCP client) gets the same lease through it, and only then is the VF's
# profile deleted and the VF enslaved. The guest keeps its address the
# whole time. The DHCP server is dnsmasq on the modelled switch.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"
. "$HNV_SRC/tests/integration/nm-lib.sh"

require_nm
switch_setup
switch_dhcp
nm_model_real_nics
start_nm

# Before hnv: the VF with its own DHCP profile, addressed.
nmcli connection add type ethernet con-name vf0-dhcp ifname vf0 ipv4.method auto ipv6.method ignore >/dev/null
add_vf vf0 02:00:00:00:01:01
wait_until 60 "vf0's lease" 'ip -4 addr show dev vf0 | contains 192.0.2.123/24'

# hnv arrives; the backup is plugged afterwards, known to udev as the group's.
udev_rule_group 02:00:00:00:01:02 web backup
nm_config web 02:00:00:00:01:01 02:00:00:00:01:02
guest_ping_start
start_hnvd
add_backup bk0 02:00:00:00:01:02
assert_active bondweb vf0 90
wait_state web healthy 60
wait_until 30 "vf0-dhcp deleted" '! nmcli -t -f NAME connection show | contains -x vf0-dhcp'
guest_ping_stop "while the configuration moved"

ip -4 addr show dev bondweb | contains 192.0.2.123/24 || fail "bondweb lacks the lease: $(ip -4 -br addr show dev bondweb)"
test "$(nm_field bondweb ipv4.method)" = auto || fail "bondweb's ipv4.method: $(nm_field bondweb ipv4.method)"
test "$(cat /sys/class/net/bondweb/address)" = 02:00:00:00:01:01 || fail "the bond does not have the VF's MAC"
ip -4 addr show dev vf0 | contains "inet " && fail "vf0 still has an address of its own"
grep -q "DHCPACK(br0) 192.0.2.123 02:00:00:00:01:01" "$HNV_RESULTS/dnsmasq.log" || fail "no lease in dnsmasq's log"
assert_no_auto_profile
wait_until 10 "ping across bondweb" ping_ok 192.0.2.1
pass
