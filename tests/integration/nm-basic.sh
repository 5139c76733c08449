#!/usr/bin/env bash
# The NetworkManager backend with a real NetworkManager: a guest installed
# before hnv has a static IPv4+IPv6 profile on its backup; hnvd builds the
# group through profiles (bond<id>, bond<id>-<port>, primary persisted), moves
# that configuration to the bond without the guest losing its address, and
# NetworkManager never makes a profile of its own for a port. The address
# survives the VF leaving and coming back; an admin's "nmcli con up" of the
# bond leaves the VF primary and active.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"
. "$HNV_SRC/tests/integration/nm-lib.sh"

require_nm
switch_setup
nm_model_real_nics
start_nm

# Before hnv: the backup with its own static profile, up and addressed.
nmcli connection add type ethernet con-name bk0-static ifname bk0 \
        ipv4.method manual ipv4.addresses 192.0.2.2/24 ipv4.routes "203.0.113.0/24 192.0.2.1" \
        ipv6.method manual ipv6.addresses 2001:db8::2/64 >/dev/null
add_backup bk0 02:00:00:00:01:02
wait_until 30 "bk0-static active" 'nmcli -t -f GENERAL.STATE connection show bk0-static | contains activated'
wait_until 10 "ping from bk0" ping_ok 192.0.2.1

# hnv arrives: the group in hnv.conf, and known to udev by the ports' MACs
# (as a platform rule would tag them), so NetworkManager leaves them to hnvd.
udev_rule_group 02:00:00:00:01:01 web primary
udev_rule_group 02:00:00:00:01:02 web backup
udevadm trigger --action=change --sysname-match=bk0 && udev_settle
nm_config web 02:00:00:00:01:01 02:00:00:00:01:02
guest_ping_start
start_hnvd
expect_exit 0 hnvctl status
grep -q "^Backend: networkmanager" <<<"$out" || fail "status does not show the backend: $out"

add_vf vf0 02:00:00:00:01:01
assert_active bondweb vf0 60
wait_state web healthy 60
wait_until 30 "192.0.2.2 on bondweb" 'ip -4 addr show dev bondweb | contains 192.0.2.2/24'
wait_until 30 "bk0-static deleted" '! nmcli -t -f NAME connection show | contains -x bk0-static'
guest_ping_stop "while the configuration moved"

# The profiles: names, types, the controller, the options, the IP.
profiles=$(nm_profiles)
log "profiles: $(tr '\n' ' ' <<<"$profiles")"
grep -qx "bondweb:bond:bondweb" <<<"$profiles" || fail "no active bond profile bondweb"
grep -qx "bondweb-vf0:802-3-ethernet:vf0" <<<"$profiles" || fail "no active port profile bondweb-vf0"
grep -qx "bondweb-bk0:802-3-ethernet:bk0" <<<"$profiles" || fail "no active port profile bondweb-bk0"
test "$(nm_field bondweb-vf0 connection.master)" = bondweb || fail "bondweb-vf0's controller"
opts=$(nm_field bondweb bond.options)
for want in mode=active-backup fail_over_mac=follow primary=vf0 miimon=100; do
        grep -q "$want" <<<"$opts" || fail "bond.options lack $want: $opts"
done
test "$(nm_field bondweb ipv4.addresses)" = 192.0.2.2/24 || fail "ipv4 on bondweb: $(nm_field bondweb ipv4.addresses)"
test "$(nm_field bondweb ipv6.addresses)" = 2001:db8::2/64 || fail "ipv6 on bondweb: $(nm_field bondweb ipv6.addresses)"
wait_until 10 "the route through bondweb" 'ip route show 203.0.113.0/24 | contains "dev bondweb"'
test "$(cat /sys/class/net/bondweb/address)" = 02:00:00:00:01:01 ||
        fail "the bond has $(cat /sys/class/net/bondweb/address), not the VF's MAC"
wait_until 10 "ping across bondweb" ping_ok 192.0.2.1
assert_no_auto_profile

# The VF leaves and comes back: the address stays on the bond throughout.
del_dev vf0
assert_active bondweb bk0
wait_state web degraded
ip -4 addr show dev bondweb | contains 192.0.2.2/24 || fail "address gone with the VF"
wait_until 10 "ping on the backup" ping_ok 192.0.2.1
add_vf vf0 02:00:00:00:01:01
assert_active bondweb vf0 60
wait_state web healthy 60
ip -4 addr show dev bondweb | contains 192.0.2.2/24 || fail "address gone after the VF returned"
assert_no_auto_profile

# An admin re-activates the bond: NetworkManager rebuilds it from the
# profiles, and the persisted primary brings the VF back as active.
nmcli connection up bondweb >/dev/null
wait_until 60 "bondweb-vf0 active again" 'nmcli -t -f NAME connection show --active | contains -x bondweb-vf0'
assert_active bondweb vf0 30
test "$(bond_primary bondweb)" = vf0 || fail "primary after nmcli con up: $(bond_primary bondweb)"
wait_state web healthy 30
wait_until 10 "ping after nmcli con up" ping_ok 192.0.2.1
assert_no_auto_profile
pass
