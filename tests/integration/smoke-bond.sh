#!/usr/bin/env bash
# The harness itself, without hnvd: the switch model, an active-backup bond
# made by hand, failover on carrier loss and on unplug, a returning VF under
# a new name, traffic both ways, and real udev properties on new devices.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"

switch_setup
add_vf vf0 02:00:00:00:01:01
add_backup bk0 02:00:00:00:01:02
test "$(link_operstate vf0)" = down || fail "add_vf left vf0 up"

ip link add bond0 type bond mode active-backup miimon 100 fail_over_mac follow
ip link set vf0 master bond0
ip link set bk0 master bond0
ip link set bond0 type bond primary vf0
ip link set bond0 up
ip addr add 192.0.2.2/24 dev bond0
ip -6 addr add 2001:db8::2/64 dev bond0 nodad

assert_active bond0 vf0
test "$(bond_primary bond0)" = vf0 || fail "primary is '$(bond_primary bond0)'"
test "$(link_master vf0)" = bond0 || fail "vf0's master is '$(link_master vf0)'"
test "$(bond_option bond0 fail_over_mac)" = "follow 2" || fail "fail_over_mac: $(bond_option bond0 fail_over_mac)"
if vf_can traffic "pings both ways and steady traffic through vf0"; then
        wait_until 10 "guest -> switch on the VF" ping_ok 192.0.2.1
        wait_until 10 "switch -> guest on the VF" sw_ping_ok 192.0.2.2
        wait_until 10 "guest -> switch over IPv6" ping_ok 2001:db8::1

        # Steady traffic from the switch: informational loss count, end of stream.
        traffic_start 192.0.2.2 100 0.01
        traffic_wait
        test "$TRAFFIC_RECEIVED" -gt 0 || fail "no echo from the guest answered"
fi

# The VF loses carrier: the bond fails over to the backup.
if vf_can carrier "failover on vf0's carrier loss"; then
        snapshot_links "$HNV_RESULTS/links-before-carrier.json"
        vf_carrier vf0 off
        wait_eq 10 "vf0 without carrier" 0 link_carrier vf0
        assert_active bond0 bk0
        wait_until 10 "guest -> switch on the backup" ping_ok 192.0.2.1
        wait_until 10 "switch -> guest on the backup" sw_ping_ok 192.0.2.2
        snapshot_links "$HNV_RESULTS/links-after-carrier.json"
        assert_links_unchanged "$HNV_RESULTS/links-before-carrier.json" "$HNV_RESULTS/links-after-carrier.json" bk0
fi

# The VF is unplugged, and comes back under another name with its MAC.
del_dev vf0
wait_until 10 "vf0 gone" '! link_exists vf0'
test "$(bond_ports bond0)" = bk0 || fail "ports after unplug: '$(bond_ports bond0)'"
# Whatever the VF's kind, the backup carries the traffic now.
assert_active bond0 bk0
wait_until 10 "guest -> switch on the backup" ping_ok 192.0.2.1
add_vf vf1 02:00:00:00:01:01
ip link set vf1 master bond0
ip link set bond0 type bond primary vf1
assert_active bond0 vf1
if vf_can traffic "pings both ways through vf1"; then
        wait_until 10 "guest -> switch on the new VF" ping_ok 192.0.2.1
        wait_until 10 "switch -> guest on the new VF" sw_ping_ok 192.0.2.2
fi

# A long port name still gets a unique, valid far end.
long=$(peer_name enP32769p0s1f0)
test ${#long} -le 15 || fail "peer_name gave $long"
test "$long" != "$(peer_name enP32769p0s1f1)" || fail "peer_name collides"

# udev: a test rule reaches devices that appear after it.
if have_udev; then
        udev_rule 'SUBSYSTEM=="net", KERNEL=="vfu*", ENV{HNV_GROUP}="g1"'
        ip link add vfu0 type veth peer name p-vfu0 netns sw
        wait_until 10 "udev to tag vfu0 with HNV_GROUP=g1" \
                'udevadm info /sys/class/net/vfu0 | contains -x "E: HNV_GROUP=g1"'
        udev_rule_group 02:00:00:00:09:01 g2 primary
        add_vf vfm0 02:00:00:00:09:01
        wait_eq 10 "vfm0's HNV_GROUP" g2 udev_prop vfm0 HNV_GROUP
        test "$(udev_prop vfm0 HNV_ROLE)" = primary || fail "vfm0's HNV_ROLE is '$(udev_prop vfm0 HNV_ROLE)'"
else
        log "no udev in this runner: udev checks not run"
fi
pass
