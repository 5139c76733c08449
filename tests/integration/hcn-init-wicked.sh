#!/usr/bin/env bash
# An inactive migration on the wicked backend (a recording `wicked` first
# on PATH, as in wicked-basic): the VF is swapped while the partition is
# off, and another group was taken away altogether. At boot hcnmgr -s
# (hcn-init) removes the ifcfg files hnv wrote for the vanished VF and the
# bond hcnmgr left for the vanished group, leaves an admin's file byte for
# byte, and the bond's file names the new VF as its primary.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"
. "$HNV_SRC/tests/integration/dt-lib.sh"
. "$HNV_SRC/tests/integration/hmc-lib.sh"

IFCFG=$HNV_RESULTS/ifcfg
mkdir -p "$IFCFG"
hmc_recording_tool wicked

hmc_setup "backend = wicked
ifcfg-dir = $IFCFG"
start_hnvd
hmc_group_added
wait_until 10 "ifcfg-vf0 written" test -e "$IFCFG/ifcfg-vf0"
wait_until 10 "ifcfg-$HMC_BOND names vf0" grep -q "primary=vf0" "$IFCFG/ifcfg-$HMC_BOND"

# What others left: an admin's file, and hcnmgr's bond of an hcn-id the
# console has since removed.
printf "# the admin's\nBOOTPROTO='static'\nIPADDR='192.0.2.99/24'\n" > "$IFCFG/ifcfg-eth9"
cp "$IFCFG/ifcfg-eth9" "$HNV_RESULTS/eth9.orig"
sed 's/333e80f5/11111111/g' "$HNV_SRC/tests/golden/wicked/hcnmgr-bond.in" > "$IFCFG/ifcfg-bond11111111"

# Off: the VF and its slot go, the destination's VF is there at boot.
stop_hnvd
hmc_vf_swapped_offline
start_hnvd
hmc_step scan-boot 0 hcnmgr -s
grep -q "vf1 .* in its bond" <<<"$out" || fail "hcnmgr -s said: $out"
assert_active "$HMC_BOND" vf1 30
test ! -e "$IFCFG/ifcfg-vf0" || fail "ifcfg-vf0 of the vanished VF survived"
test ! -e "$IFCFG/ifcfg-bond11111111" || fail "hcnmgr's bond of a removed hcn-id survived"
cmp -s "$IFCFG/ifcfg-eth9" "$HNV_RESULTS/eth9.orig" || fail "the admin's ifcfg-eth9 changed"
wait_until 10 "ifcfg-$HMC_BOND names vf1" grep -q "primary=vf1" "$IFCFG/ifcfg-$HMC_BOND"
! grep -q "vf0" "$IFCFG/ifcfg-$HMC_BOND" || fail "ifcfg-$HMC_BOND still names vf0: $(cat "$IFCFG/ifcfg-$HMC_BOND")"
log "wicked calls: $(paste -sd'|' "$HNV_RESULTS/wicked.calls")"
pass
