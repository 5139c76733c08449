#!/usr/bin/env bash
# The planned release: with traffic flowing both ways, prepare-migration
# moves the traffic to the backup, lets the bond announce it (gratuitous ARP,
# unsolicited NA, also on a VLAN above the bond), and only then releases the
# VF: no packet lost. Addresses, routes and neighbours stay. The VF is kept
# out; the destination's VF (new name) takes over and ends the migration.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"

# The backup comes first; the bond still gets the VF's MAC (hnvd gives it at
# creation), the guest's MAC whichever port is active (fail_over_mac=follow),
# and the backup, once the VF is active, its own.
healthy_group web vf0 02:00:00:00:01:01 bk0 02:00:00:00:01:02
test "$(cat /sys/class/net/bondweb/address)" = 02:00:00:00:01:01 || fail "the bond does not have the VF's MAC"
wait_eq 10 "bk0 has its own MAC" 02:00:00:00:01:02 cat /sys/class/net/bk0/address
ip addr add 2001:db8::2/64 dev bondweb nodad
ip -n sw addr add 2001:db8::1/64 dev br0 nodad 2>/dev/null || true
ip link add link bondweb name bondweb.10 type vlan id 10
ip addr add 198.51.100.2/24 dev bondweb.10
ip link set bondweb.10 up
ip -n sw link add link br0 name br0.10 type vlan id 10
ip -n sw addr add 198.51.100.1/24 dev br0.10
ip -n sw link set br0.10 up
ip route add 203.0.113.0/24 via 192.0.2.1 dev bondweb
if vf_can traffic "pings on the VLAN and over IPv6 through vf0"; then
        wait_until 10 "ping on the VLAN" ping_ok 198.51.100.1
        wait_until 10 "IPv6 ping" ping -6 -n -q -c 1 -W 1 2001:db8::1
fi
ip neigh show dev bondweb | sort > /tmp/neigh-before
ip route show table main | sort > /tmp/route-before
ip addr show dev bondweb | grep -E "inet6? " | sort > /tmp/addr-before

expect_exit 0 hnvctl query-migration web
grep -q "safe" <<<"$out" || fail "query said: $out"

# Both directions at once: the switch pings the guest, the guest pings the
# switch. (Without a datapath on the VF, the rest of the release is still
# checked: the switch of ports, the MACs, the announcements on the backup.)
traffic=0
if vf_can traffic "no packet lost either way across prepare-migration"; then
        traffic=1
        traffic_start 192.0.2.2 600 0.005
        ping -n -i 0.005 -c 600 -W 1 192.0.2.1 > /tmp/out.ping 2>&1 &
        outbound=$!
        wait_until 10 "traffic flowing" sw_ping_ok 192.0.2.2
fi
capture_start /tmp/capture.txt "arp or icmp6"
expect_exit 0 hnvctl prepare-migration web
# The VF goes once the bond has sent its first notification, as it
# switches; the other two follow a miimon tick apart, through the backup.
sleep 0.5
capture_stop
test "$(bond_active bondweb)" = bk0 || fail "active is $(bond_active bondweb)"
test -z "$(link_master vf0)" || fail "vf0 still enslaved"
wait_state web migrating
# fail_over_mac=follow would have given vf0 the backup's MAC at the switch,
# and frames on their way to vf0 would have been dropped; the backup took the
# bond's MAC first, so vf0 kept the guest's throughout.
test "$(cat /sys/class/net/vf0/address)" = 02:00:00:00:01:01 || fail "vf0's MAC changed at the switch"
test "$(cat /sys/class/net/bk0/address)" = 02:00:00:00:01:01 || fail "bk0 does not carry the bond's MAC"
grep -q "group web: bk0: takes the bond's MAC 02:00:00:00:01:01 before the switch" "$HNVD_LOG" ||
        fail "no log of the backup taking the bond's MAC"
if [ "$traffic" = 1 ]; then
        traffic_wait
        wait "$outbound" || true
        out_lost=$(sed -nE 's/.* ([0-9]+) received.*/\1/p' /tmp/out.ping)
        log "guest -> switch: $out_lost of 600 answered"
        test "$TRAFFIC_LOST" -eq 0 || fail "switch -> guest lost $TRAFFIC_LOST packets during prepare"
        test "$out_lost" -eq 600 || fail "guest -> switch lost $((600 - out_lost)) packets during prepare"
fi

# The announcements, as the switch saw them.
garps=$(grep -c "Request who-has 192.0.2.2 tell 192.0.2.2" /tmp/capture.txt || true)
vgarps=$(grep "vlan 10" /tmp/capture.txt | grep -c "who-has 198.51.100.2 tell 198.51.100.2" || true)
nas=$(grep -c "neighbor advertisement, tgt is 2001:db8::2" /tmp/capture.txt || true)
log "seen on the switch: $garps gratuitous ARPs, $vgarps on VLAN 10, $nas unsolicited NAs"
test "$garps" -ge 3 || fail "expected 3 gratuitous ARPs, saw $garps"
test "$vgarps" -ge 3 || fail "expected 3 gratuitous ARPs on VLAN 10, saw $vgarps"
test "$nas" -ge 3 || fail "expected 3 unsolicited NAs, saw $nas"

# Idempotent, and nothing else moved.
expect_exit 0 hnvctl prepare-migration web
grep -q "already" <<<"$out" || fail "second prepare said: $out"
test "$(bond_active bondweb)" = bk0 || fail "second prepare moved the active port"
ip route show table main | sort | diff /tmp/route-before - || fail "routes changed"
ip addr show dev bondweb | grep -E "inet6? " | sort | diff /tmp/addr-before - || fail "addresses changed"
wait_until 10 "ping on the VLAN while migrating" ping_ok 198.51.100.1

# The released VF stays out, whatever happens to it.
# (The bond closed vf0 when it let it go, so it shows no carrier of its own.)
if vf_can carrier "vf0's link partner flapping while it is released"; then
        vf_carrier vf0 off
        vf_carrier vf0 on
fi
hnvctl reload >/dev/null # one more full reconcile pass through hnvd
test -z "$(link_master vf0)" || fail "vf0 was taken back while migrating"
test "$(group_state web)" = migrating || fail "group left migrating on its own"

# The hypervisor unplugs the VF; the destination's VF appears under a new name.
del_dev vf0
add_vf enP7p1s0 02:00:00:00:01:01
assert_active bondweb enP7p1s0
wait_state web healthy
test "$(bond_primary bondweb)" = enP7p1s0 || fail "primary is $(bond_primary bondweb)"
grep -q "group web: migration ended: new VF enP7p1s0 appeared" "$HNVD_LOG" || fail "no log of the end"
expect_exit 0 hnvctl complete-migration web --timeout 5
grep -q "enP7p1s0" <<<"$out" || fail "complete-migration said: $out"
if vf_can traffic "ping on the VLAN through enP7p1s0"; then
        wait_until 10 "ping on the VLAN after the move" ping_ok 198.51.100.1
fi
wait_eq 10 "bk0 has its own MAC back" 02:00:00:00:01:02 cat /sys/class/net/bk0/address
grep -q "group web: bk0: own MAC 02:00:00:00:01:02 back" "$HNVD_LOG" || fail "no log of the backup's MAC"
ip addr show dev bondweb | grep -E "inet6? " | sort | diff /tmp/addr-before - || fail "addresses changed"
pass
