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
if vf_can traffic "ping across bondweb on vf0"; then
        wait_until 10 "ping across bondweb" ping_ok 192.0.2.1
fi
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

# A hand-over the backup refuses (IPv6 off on it: adding the bond's IPv6
# address fails, a real error from the kernel) keeps everything on the
# bond: no address lost, the group and its traffic as they were. Once the
# backup can take them, the same remove goes through.
add_backup bk1 02:00:00:00:02:02
add_vf vf1 02:00:00:00:02:01
udevadm settle
hnvctl add web2 --primary vf1 --backup bk1
assert_active bondweb2 vf1
wait_state web2 healthy
ip addr flush dev bk0
ip addr add 192.0.2.3/24 dev bondweb2
ip addr add 2001:db8::3/64 dev bondweb2 nodad
ip route add 198.51.100.0/24 via 192.0.2.1 dev bondweb2
sysctl -qw net.ipv6.conf.bk1.disable_ipv6=1
expect_exit 1 hnvctl remove web2
case "$out" in *"keeps the addresses"*) ;; *) fail "remove web2 said: $out" ;; esac
for a in 192.0.2.3 2001:db8::3; do
        ip -j addr show dev bondweb2 | jq -e --arg a "$a" '.[0].addr_info[] | select(.local == $a)' >/dev/null ||
                fail "bondweb2 lost $a in the failed remove"
done
ip -j addr show dev bk1 | jq -e '[.[0].addr_info[] | select(.scope == "global")] | length == 0' >/dev/null ||
        fail "bk1 kept a copy of the bond's addresses: $(ip -br addr show dev bk1)"
ip route show 198.51.100.0/24 | contains "dev bondweb2" || fail "the route left bondweb2: $(ip route)"
wait_until 10 "bk1 back in bondweb2" test "$(link_master bk1)" = bondweb2
wait_state web2 healthy
if vf_can traffic "ping across bondweb2 on vf1"; then
        wait_until 10 "ping across bondweb2" ping_ok 192.0.2.1
fi

sysctl -qw net.ipv6.conf.bk1.disable_ipv6=0
hnvctl remove web2
wait_until 10 "bondweb2 gone" test ! -e /sys/class/net/bondweb2
for a in 192.0.2.3 2001:db8::3; do
        ip -j addr show dev bk1 | jq -e --arg a "$a" '.[0].addr_info[] | select(.local == $a)' >/dev/null ||
                fail "bk1 did not get $a"
done
ip route show 198.51.100.0/24 | contains "dev bk1" || fail "the route did not follow to bk1: $(ip route)"
wait_until 10 "ping on bk1 alone" ping_ok 192.0.2.1
pass
