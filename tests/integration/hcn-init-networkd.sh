#!/usr/bin/env bash
# An inactive migration on the networkd backend (a recording `networkctl`
# first on PATH; networkd itself is the networkd-* scenarios' part): the VF
# is swapped while the partition is off, and another group was taken away
# altogether. At boot hcnmgr -s (hcn-init) deletes hnv's files of the
# vanished VF and of the vanished group's bond, leaves the admin's files
# byte for byte (one named like hnv's but without its marker too), and the
# new VF gets its port file.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"
. "$HNV_SRC/tests/integration/dt-lib.sh"
. "$HNV_SRC/tests/integration/hmc-lib.sh"

ND=$HNV_RESULTS/networkd
mkdir -p "$ND"
hmc_recording_tool networkctl

hmc_setup "backend = networkd
networkd-dir = $ND"
start_hnvd
hmc_group_added
for f in "$HMC_BOND.netdev" "$HMC_BOND.network" vf0.network bk0.network; do
        wait_until 10 "00-hnv-$f written" test -e "$ND/00-hnv-$f"
done

# What others left: the admin's files, and hnv's files of a bond whose
# group the console has since removed.
printf '[Match]\nName=eth9\n\n[Network]\nAddress=192.0.2.99/24\n' > "$ND/10-admin.network"
printf '[Match]\nName=vf9\n\n[Network]\nDHCP=yes\n' > "$ND/00-hnv-vf9.network"
cp "$ND/10-admin.network" "$HNV_RESULTS/admin.orig"
cp "$ND/00-hnv-vf9.network" "$HNV_RESULTS/impostor.orig"
sed "s/$HMC_BOND/bond11111111/g" "$ND/00-hnv-$HMC_BOND.netdev" > "$ND/00-hnv-bond11111111.netdev"
sed "s/$HMC_BOND/bond11111111/g" "$ND/00-hnv-$HMC_BOND.network" > "$ND/00-hnv-bond11111111.network"

# Off: the VF and its slot go, the destination's VF is there at boot.
stop_hnvd
hmc_vf_swapped_offline
start_hnvd
hmc_step scan-boot 0 hcnmgr -s
grep -q "vf1 .* in its bond" <<<"$out" || fail "hcnmgr -s said: $out"
assert_active "$HMC_BOND" vf1 30
for f in vf0.network bond11111111.netdev bond11111111.network; do
        test ! -e "$ND/00-hnv-$f" || fail "00-hnv-$f survived the boot scan"
done
cmp -s "$ND/10-admin.network" "$HNV_RESULTS/admin.orig" || fail "the admin's 10-admin.network changed"
cmp -s "$ND/00-hnv-vf9.network" "$HNV_RESULTS/impostor.orig" || fail "an admin's file named like hnv's changed"
wait_until 10 "00-hnv-vf1.network written" test -e "$ND/00-hnv-vf1.network"
grep -qx "PrimarySlave=yes" "$ND/00-hnv-vf1.network" || fail "vf1's file does not make it primary: $(cat "$ND/00-hnv-vf1.network")"
for f in "$HMC_BOND.netdev" "$HMC_BOND.network" bk0.network; do
        test -e "$ND/00-hnv-$f" || fail "the live group's 00-hnv-$f went"
done
grep -q "^reload" "$HNV_RESULTS/networkctl.calls" || fail "no networkctl reload"
log "networkctl calls: $(paste -sd'|' "$HNV_RESULTS/networkctl.calls")"
pass
