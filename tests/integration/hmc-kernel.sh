#!/usr/bin/env bash
# The HMC's sequence on the kernel backend (hcnmgr(8)): hcncfgdrc for the
# backup and the VF, hcnqrydev, hcnrmdev with traffic flowing (nothing
# lost), the VF unplugged, a new VF with the same hcn-id and a new DRC index,
# hcncfgdrc for it, hcnrmhcn. Then what a console or an admin can get wrong:
# each is refused with the predecessor's error line and exit status 1, and
# no link changes. Then hcnversion, and a VF that never appears.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"
. "$HNV_SRC/tests/integration/dt-lib.sh"
. "$HNV_SRC/tests/integration/hmc-lib.sh"

hmc_setup
start_hnvd
hmc_sequence kernel
grep -q "configure DRC index 8000003a" "$HNVD_LOG" || fail "hnvd did not log hcncfgdrc"

# A working group for the bad calls to leave alone: the dissolved one,
# configured again by the console (vf1 and bk0 are still there).
expect_hcn 0 "vf1 .* is in $HMC_BOND" hcncfgdrc DRC_INDEX=8000003b
expect_hcn 0 "bk0 .* is in $HMC_BOND" hcncfgdrc DRC_INDEX=$HMC_BK_DRC
assert_active "$HMC_BOND" vf1 30
snapshot_links_settled "$HNV_RESULTS/links-before"

expect_hcn 1 "error code 22.*|needs DRC_INDEX=" hcncfgdrc
expect_hcn 1 "hcncfgdrc:error code 22, Invalid argument" hcncfgdrc DRC_INDEX=zz
expect_hcn 1 "not a DRC index" hcnrmdev DRC_INDEX=123456789
expect_hcn 1 "not an hcn-id" hcnrmhcn HCN_ID=xyz
expect_hcn 1 "needs HCN_ID=" hcnrmhcn
expect_hcn 1 "unknown option -q" hcnqrydev -q DRC_INDEX=8000003b
expect_hcn 1 "unexpected argument 'vf1'" hcnrmdev vf1
expect_hcn 1 "no command" hcnmgr
expect_hcn 1 "install this program as" hcnfoo DRC_INDEX=8000003b
# An unknown DRC index is not a device.
expect_hcn 1 "hcnrmdev:error code 19, Failed to find device or get device name" hcnrmdev DRC_INDEX=deadbeef
expect_hcn 1 "no HNV device with DRC index deadbeef" hcncfgdrc DRC_INDEX=0xDEADBEEF
# A VF alone in its bond is busy, as the console knows it.
vf_carrier bk0 off
wait_until 10 "the bond sees bk0 down" "grep -A1 'Slave Interface: bk0' /proc/net/bonding/$HMC_BOND | contains 'MII Status: down'"
expect_hcn 1 "hcnqrydev:error code 16, Network device busy, no backup device" hcnqrydev DRC_INDEX=8000003b
expect_hcn 1 "error code 16" hcnrmdev DRC_INDEX=8000003b
test "$(link_master vf1)" = "$HMC_BOND" || fail "a refused hcnrmdev released vf1"
vf_carrier bk0 on
wait_until 10 "the bond sees bk0 up" "grep -A1 'Slave Interface: bk0' /proc/net/bonding/$HMC_BOND | contains 'MII Status: up'"
snapshot_links_settled "$HNV_RESULTS/links-after"
assert_links_unchanged "$HNV_RESULTS/links-before" "$HNV_RESULTS/links-after" "$HMC_BOND" vf1 bk0

# The backup out while the VF carries the traffic, and back in when the
# console configures it again.
expect_hcn 0 "bk0 .* taken out of its bond" hcnrmdev DRC_INDEX=$HMC_BK_DRC
test -z "$(link_master bk0)" || fail "bk0 is still in $HMC_BOND after hcnrmdev"
assert_active "$HMC_BOND" vf1
expect_hcn 0 "bk0 .* is in $HMC_BOND" hcncfgdrc DRC_INDEX=$HMC_BK_DRC
test "$(link_master bk0)" = "$HMC_BOND" || fail "bk0 did not come back"

# Not root: a clear no for what changes things; the query is anyone's.
chmod o+rx "$HNV_BUILD" "$HNV_BUILD/src" "$HNV_BUILD/src/compat" 2>/dev/null || true
rc=0
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups -- bash -c \
        "exec -a hcnrmhcn '$HNV_BUILD/src/compat/hcnmgr' HCN_ID=$HMC_HCN" 2>&1) || rc=$?
[ "$rc" -eq 1 ] && grep -q "error code 1, Operation not permitted" <<<"$out" ||
        fail "hcnrmhcn as nobody: exit $rc: $out"
test "$(link_master vf1)" = "$HMC_BOND" || fail "hcnrmhcn as nobody changed the bond"

# The feature line the console parses.
expect_hcn 0 "^hcnmgr \(features: vnic wicked\)$" hcnversion
expect_hcn 0 "features: vnic wicked" hcnmgr -V

# A device that never comes (a backup whose DLPAR add gave no netdev):
# hcncfgdrc waits for its events, and gives up at its bound with the
# predecessor's code.
dt_add_backup vnic "" "$HMC_HCN" 30000003
HNV_HCN_TIMEOUT=2 hcn hcncfgdrc DRC_INDEX=30000003
[ "$rc" -eq 1 ] && grep -q "error code 19" <<<"$out" && grep -q "no network device for it yet" <<<"$out" ||
        fail "hcncfgdrc for a missing device: exit $rc: $out"
pass
