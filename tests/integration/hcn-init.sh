#!/usr/bin/env bash
# Early boot without hnvd: the console configured a group while the
# partition was off, and hcn-init's hcnmgr -s builds it, acting through the
# daemon library under hnvd's lock. Commands that find no hnvd run one
# after the other; hnvd, started afterwards, takes the bond over as it is.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"
. "$HNV_SRC/tests/integration/dt-lib.sh"
. "$HNV_SRC/tests/integration/hmc-lib.sh"

hmc_setup
# What the hypervisor left in the tree while the partition was off, and
# the devices the kernel found at boot.
hmc_dlpar_add_backup bk0 02:00:00:00:01:02
hmc_dlpar_add_vf vf0 02:00:00:00:01:01 "$HMC_VF_SLOT" "$HMC_VF_DRC"
udev_settle
test ! -S /run/hnv/io.hnv || fail "hnvd's socket exists before hnvd"

hmc_step scan-direct 0 hcnmgr -s
grep -q "vf0 (/$HMC_VF_SLOT/ethernet@0) hcn-id $HMC_HCN: in its bond" <<<"$out" || fail "hcnmgr -s said: $out"
grep -q "bk0 (/vdevice/l-lan@$HMC_BK_DRC) hcn-id $HMC_HCN: in its bond" <<<"$out" || fail "hcnmgr -s said: $out"
assert_active "$HMC_BOND" vf0 30
test "$(bond_primary "$HMC_BOND")" = vf0 || fail "primary is $(bond_primary "$HMC_BOND")"
test ! -S /run/hnv/io.hnv || fail "acting without hnvd left a socket behind"

# Two at once, both without hnvd: the lock makes them take turns, and both
# are answered.
( exec -a hcncfgdrc "$HNV_BUILD/src/compat/hcnmgr" DRC_INDEX=$HMC_VF_DRC > "$HNV_RESULTS/a.out" 2>&1 ) &
a=$!
( exec -a hcnqrydev "$HNV_BUILD/src/compat/hcnmgr" DRC_INDEX=$HMC_VF_DRC > "$HNV_RESULTS/b.out" 2>&1 ) &
b=$!
wait "$a" || fail "hcncfgdrc beside hcnqrydev failed: $(cat "$HNV_RESULTS/a.out")"
wait "$b" || fail "hcnqrydev beside hcncfgdrc failed: $(cat "$HNV_RESULTS/b.out")"
grep -q "is in $HMC_BOND" "$HNV_RESULTS/a.out" || fail "hcncfgdrc said: $(cat "$HNV_RESULTS/a.out")"
grep -q "may be removed" "$HNV_RESULTS/b.out" || fail "hcnqrydev said: $(cat "$HNV_RESULTS/b.out")"

# hnvd takes over what the commands built, without touching it.
snapshot_links_settled "$HNV_RESULTS/links-before"
start_hnvd
wait_state "$HMC_HCN" healthy 30
snapshot_links_settled "$HNV_RESULTS/links-after"
assert_links_unchanged "$HNV_RESULTS/links-before" "$HNV_RESULTS/links-after" "$HMC_BOND" vf0 bk0
# And answers them from now on.
hmc_step scan-hnvd 0 hcnmgr -s
grep -q "in its bond" <<<"$out" || fail "hcnmgr -s with hnvd said: $out"
pass
