#!/usr/bin/env bash
# PowerVM device-tree pairing: the console's ibm,hcn-id on a VF's node and
# on its backups' nodes makes one group, bond<hcn-id>, with the VF primary.
# The tree is a fixture modelled on a real LPAR (device-tree-root=), and
# veth devices stand in for the netdevs, tied to their nodes by fixture
# devspec attributes (sysfs-root=). udev is real: hnvd reads the devspec
# when udev is done with a device.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"
. "$HNV_SRC/tests/integration/dt-lib.sh"
require_udev

HCN=333e80f5
BOND=bond$HCN
VF_NODE=pci@800000020000011/ethernet@0

# One group as the console writes it: the VF, an ibmveth and an ibmvnic
# backup (two backups, a real layout).
dt_setup
dt_add_vf "$VF_NODE" "$HCN" 20000011
dt_add_backup l-lan "" "$HCN" 30000002
dt_add_backup vnic "" "$HCN" 30000003
dt_link_devspec vf0 "/$VF_NODE"
dt_link_devspec bk0 /vdevice/l-lan@30000002
dt_link_devspec bk1 /vdevice/vnic@30000003
write_config "$DT_CONFIG"
switch_setup
start_hnvd

add_backup bk0 02:00:00:00:0d:02
add_backup bk1 02:00:00:00:0d:03
add_vf vf0 02:00:00:00:0d:01
assert_active "$BOND" vf0
wait_state "$HCN" healthy
test "$(bond_primary "$BOND")" = vf0 || fail "primary is '$(bond_primary "$BOND")', want vf0"
wait_eq 10 "bk0 in $BOND" "$BOND" link_master bk0
wait_eq 10 "bk1 in $BOND" "$BOND" link_master bk1
test "$(group_field "$HCN" source)" = devicetree || fail "source is $(group_field "$HCN" source)"
test "$(group_field "$HCN" bond)" = "$BOND" || fail "bond is $(group_field "$HCN" bond)"
assert_bond_options "$BOND"
ip addr add 192.0.2.2/24 dev "$BOND"
if vf_can traffic "ping across $BOND"; then
        wait_until 10 "ping across $BOND" ping_ok 192.0.2.1
fi

# With two backups, the one that can carry the traffic is the one that
# counts: bk0 (first in) loses its link, and the VF may still be released,
# onto bk1, with the bond's traffic intact.
vf_carrier bk0 off
wait_until 10 "the bond sees bk0 down" "grep -A1 'Slave Interface: bk0' /proc/net/bonding/$BOND | contains 'MII Status: down'"
expect_exit 0 hnvctl query-migration "$HCN"
expect_exit 0 hnvctl prepare-migration "$HCN"
test "$(bond_active "$BOND")" = bk1 || fail "prepare made $(bond_active "$BOND") active, want bk1"
wait_until 10 "ping on bk1" ping_ok 192.0.2.1
expect_exit 0 hnvctl complete-migration "$HCN" --timeout 30
assert_active "$BOND" vf0
vf_carrier bk0 on

# Malformed nodes while the group works: none of them disturbs it. The
# working VF's own node loses its hcn-id (pairing was decided when the VF
# appeared, so it stays), and a backup appears whose hcn-id has 3 bytes. Its
# netdev has a node the last scan did not know, so hnvd scans again; each
# problem is logged with its path and what is wrong, once.
dt_set_raw "$VF_NODE" ibm,hcn-id 33
dt_add_backup l-lan "" 00000000 30000004
dt_set_raw vdevice/l-lan@30000004 ibm,hcn-id 3e80f5
dt_link_devspec bk9 /vdevice/l-lan@30000004
add_backup bk9 02:00:00:00:0d:04
wait_until 10 "the short hcn-id logged" \
        "grep -q 'device tree: $DT_ROOT/vdevice/l-lan@30000004: ibm,hcn-id has 3 bytes, not 4' '$HNVD_LOG'"
grep -q "device tree: $DT_ROOT/$VF_NODE: ibm,hcn-id has 1 bytes, not 4" "$HNVD_LOG" ||
        fail "the VF's bad node was not logged"
test -z "$(link_master bk9)" || fail "bk9, with a malformed node, was enslaved"
# A reload scans again: the same problems are not logged again.
hnvctl reload >/dev/null || fail "reload failed"
wait_state "$HCN" healthy
test "$(bond_active "$BOND")" = vf0 || fail "vf0 no longer active after its node went bad"
test "$(hnvd_log_count "device tree: $DT_ROOT/vdevice/l-lan@30000004:")" -eq 1 ||
        fail "bk9's node was logged again on a rescan"
test "$(hnvd_log_count "device tree: $DT_ROOT/$VF_NODE:")" -eq 1 || fail "the VF's node was logged again on a rescan"
dt_set_u32 "$VF_NODE" ibm,hcn-id "$HCN"

# A second primary for the hcn-id: the later node by devspec is left out,
# with a line, and its netdev is not enslaved.
dt_add_vf pci@800000020000012/ethernet@0 "$HCN" 20000012
dt_link_devspec vf9 /pci@800000020000012/ethernet@0
add_vf vf9 02:00:00:00:0d:09
wait_until 10 "the second primary logged" \
        "grep -q 'device tree: $DT_ROOT/pci@800000020000012/ethernet@0: second primary of hcn-id $HCN' '$HNVD_LOG'"
test -z "$(link_master vf9)" || fail "the second primary vf9 was enslaved"
test "$(bond_active "$BOND")" = vf0 || fail "vf0 no longer active after a second primary appeared"
wait_state "$HCN" healthy

# A migration as the console runs it: the VF and its slot go, the backups
# carry the traffic; at the destination a new VF with the same hcn-id and
# another DRC index appears and becomes the primary again.
del_dev vf9
dt_remove_node pci@800000020000012
del_dev vf0
dt_remove_node pci@800000020000011
wait_state "$HCN" degraded
wait_until 10 "ping across $BOND on a backup" ping_ok 192.0.2.1
dt_add_vf pci@800000020000021/ethernet@0 "$HCN" 20000021
dt_link_devspec vf1 /pci@800000020000021/ethernet@0
add_vf vf1 02:00:00:00:0d:11
assert_active "$BOND" vf1
wait_state "$HCN" healthy
test "$(bond_primary "$BOND")" = vf1 || fail "primary is '$(bond_primary "$BOND")', want vf1"
if vf_can traffic "ping across $BOND on vf1"; then
        wait_until 10 "ping across $BOND on vf1" ping_ok 192.0.2.1
fi

# device-tree = no: the same tree pairs nothing.
stop_hnvd
ip link del "$BOND"
write_config "$DT_CONFIG
device-tree = no"
start_hnvd
test "$(hnvctl --json status | jq '.groups | length')" = 0 || fail "groups with device-tree = no: $(hnvctl status)"
test -z "$(link_master vf1)" || fail "vf1 enslaved with device-tree = no"
link_exists "$BOND" && fail "$BOND created with device-tree = no"

# ... and a reload that turns it on applies at once.
write_config "$DT_CONFIG"
hnvctl reload >/dev/null || fail "reload failed"
assert_active "$BOND" vf1
wait_state "$HCN" healthy
test "$(group_field "$HCN" source)" = devicetree || fail "source is $(group_field "$HCN" source) after reload"
pass
