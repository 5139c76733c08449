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

require_nm
dt_setup
switch_setup
nm_model_real_nics
# On a partition, 89-hnv.rules starts a port whose device-tree node carries
# ibm,hcn-id unmanaged (TEST on /proc/device-tree + its devspec). The
# fixtures' veths have no devspec attribute for udev to read, so the same
# property comes from their MACs here.
udev_rule 'SUBSYSTEM=="net", ACTION!="remove", ENV{DEVTYPE}!="bond", ATTR{address}=="02:00:00:00:01:0[123]", ENV{NM_UNMANAGED}="1"'
start_nm
write_config "$DT_CONFIG
backend = networkmanager"
start_hnvd
hmc_sequence nm
assert_no_auto_profile
left=$(nm_profiles | grep "^$HMC_BOND" || true)
[ -z "$left" ] || fail "hnv's profiles outlived hcnrmhcn: $left"
pass
