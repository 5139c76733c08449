#!/usr/bin/env bash
# The HMC's sequence on the NetworkManager backend: the same calls as
# hmc-kernel, with a real NetworkManager holding the profiles. hcnrmdev
# releases the VF by deactivating its port profile, with nothing lost;
# NetworkManager never gives a port a profile of its own; hcnrmhcn leaves no
# hnv profile behind.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"
. "$HNV_SRC/tests/integration/nm-lib.sh"
. "$HNV_SRC/tests/integration/dt-lib.sh"
. "$HNV_SRC/tests/integration/hmc-lib.sh"

hmc_nm_setup
hmc_sequence nm
assert_no_auto_profile
left=$(nm_profiles | grep "^$HMC_BOND" || true)
[ -z "$left" ] || fail "hnv's profiles outlived hcnrmhcn: $left"
pass
