#!/usr/bin/env bash
# An inactive migration on the NetworkManager backend: the partition is off
# while the hypervisor swaps the VF (a new DRC index, the same hcn-id). At
# boot hcnmgr -s (hcn-init) deletes the profiles hnv and hcnmgr wrote for
# interfaces that are gone, and only those: an admin's profile and one that
# only looks like hcnmgr's stay. The new VF joins the bond.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"
. "$HNV_SRC/tests/integration/nm-lib.sh"
. "$HNV_SRC/tests/integration/dt-lib.sh"
. "$HNV_SRC/tests/integration/hmc-lib.sh"

hmc_nm_setup
hmc_dlpar_add_backup bk0 02:00:00:00:01:02
hmc_dlpar_add_vf vf0 02:00:00:00:01:01 "$HMC_VF_SLOT" "$HMC_VF_DRC"
expect_hcn 0 "is in $HMC_BOND" hcncfgdrc DRC_INDEX=$HMC_BK_DRC
expect_hcn 0 "is in $HMC_BOND" hcncfgdrc DRC_INDEX=$HMC_VF_DRC
wait_until 30 "$HMC_BOND-vf0 activated" nm_activated "$HMC_BOND-vf0"

# Profiles of others: hcnmgr's for a port gone long ago (adopted, so
# pruned), an admin's, and one shaped almost like hcnmgr's (other device).
nmcli connection add type ethernet con-name "$HMC_BOND-env7" ifname env7 master "$HMC_BOND" \
        connection.autoconnect no >/dev/null
nmcli connection add type ethernet con-name office ifname env8 connection.autoconnect no >/dev/null
nmcli connection add type ethernet con-name "$HMC_BOND-env9" ifname env5 master "$HMC_BOND" \
        connection.autoconnect no >/dev/null

# Off: the VF and its slot go, the destination's VF is there at boot.
stop_hnvd
stop_nm
hmc_vf_swapped_offline

# Boot: NetworkManager, hnvd, then hcn-init.
start_nm
start_hnvd
hmc_step scan-boot 0 hcnmgr -s
grep -q "forgot the configuration of 2 vanished" <<<"$out" || fail "hcnmgr -s said: $out"
assert_active "$HMC_BOND" vf1 60
wait_state "$HMC_HCN" healthy 60
profiles=$(nm_profiles)
for gone in "$HMC_BOND-vf0" "$HMC_BOND-env7"; do
        ! grep -q "^$gone:" <<<"$profiles" || fail "$gone survived: $profiles"
done
for kept in office "$HMC_BOND-env9" "$HMC_BOND" "$HMC_BOND-bk0" "$HMC_BOND-vf1"; do
        grep -q "^$kept:" <<<"$profiles" || fail "$kept is gone: $profiles"
done
assert_no_auto_profile
pass
