#!/usr/bin/env bash
# The HMC's sequence, timed: hcncfgdrc (backup, VF, again), hcnqrydev,
# hcnrmdev with traffic both ways, a new VF's hcncfgdrc, hcnrmhcn, and the
# boot scan without hnvd, each as the console sees it (the command's wall
# time), over several runs in one UML guest. Beside each step: what the
# predecessor, hcnmgr, waits there by construction (its sleeps and
# settles; docs/notes and ../shared/research/hcnmgr.md section 9), since it
# cannot run here (it needs ofpathname, nmcli or wicked, and a PowerVM
# platform check). hcnversion, which asks nobody, is the cost of starting a
# process in the guest.
#   tests/vm/uml-run bench/hmc.sh "$PWD/build/release" [RUNS] [kernel|networkmanager]
set -euo pipefail
export HNV_BUILD=$(realpath "${1:-build/release}")
runs=${2:-5}
backend=${3:-kernel}
[ -x "$HNV_BUILD/src/compat/hcnmgr" ] || { echo "no hcnmgr in $HNV_BUILD (meson setup $HNV_BUILD --buildtype=release)" >&2; exit 2; }
[ "${HNV_RUNNER:-}" = uml ] || { echo "run me in the UML guest: tests/vm/uml-run $0 BUILD_DIR [RUNS]" >&2; exit 2; }
HNV_SRC=$(cd "$(dirname "$0")/.." && pwd)
export HNV_SRC
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"
. "$HNV_SRC/tests/integration/dt-lib.sh"
. "$HNV_SRC/tests/integration/hmc-lib.sh"
. "$HNV_SRC/tests/integration/nm-lib.sh"

require_udev
export HMC_TIMINGS=$HNV_RESULTS/hmc-timings.txt
: > "$HMC_TIMINGS"
switch_setup
case "$backend" in
kernel) how=kernel conf= ;;
networkmanager)
        how=nm conf="backend = networkmanager"
        nm_model_real_nics
        hmc_nm_unmanaged_rule
        start_nm
        ;;
*) fail "bench/hmc.sh: kernel or networkmanager, not '$backend'" ;;
esac
log "backend $backend, $runs runs"
for run in $(seq 1 "$runs"); do
        log "run $run of $runs"
        dt_setup
        write_config "$DT_CONFIG${conf:+
$conf}"
        start_hnvd --log-level=info
        hmc_step version 0 hcnversion
        hmc_sequence "$how"
        stop_hnvd
        del_dev vf1
        del_dev bk0
        udev_settle
        # What the dissolve left NetworkManager (bk0's own profile with the
        # bond's address) would meet the next run.
        if [ "$how" = nm ]; then
                nmcli -t -f UUID,TYPE connection show | awk -F: '$2 != "loopback" { print $1 }' |
                        xargs -r nmcli connection delete >/dev/null
        fi
        # The boot scan without hnvd: the group was configured while off.
        rm -f /run/hnv/state.json
        dt_setup
        write_config "$DT_CONFIG${conf:+
$conf}"
        hmc_dlpar_add_backup bk0 02:00:00:00:01:02
        hmc_dlpar_add_vf vf0 02:00:00:00:01:01 "$HMC_VF_SLOT" "$HMC_VF_DRC"
        udev_settle
        hmc_step scan-direct 0 hcnmgr -s
        ip link del "$HMC_BOND"
        if [ "$how" = nm ]; then
                nmcli -t -f UUID,TYPE connection show | awk -F: '$2 != "loopback" { print $1 }' |
                        xargs -r nmcli connection delete >/dev/null
        fi
        del_dev vf0
        del_dev bk0
        udev_settle
        rm -f /run/hnv/state.json
done

# step | runs | median | min | max | the predecessor's wait there
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
declare -A waits=(
        [version]="none (runs modprobe, reads os-release, checks nmcli first)"
        [cfgdrc-backup]="0 s if the name resolves at once; else polls every 15 s, up to 180 s; NM: 3 tries with udevadm settle"
        [cfgdrc-vf]="as above; then nmcli con up of the bond for a primary"
        [cfgdrc-again]="as above (no fast path: nmcli queries, bond re-activated)"
        [qrydev]="none"
        [rmdev]="none: deletes the port profile at once (no planned switch)"
        [cfgdrc-new-vf]="as cfgdrc-vf; after DLPAR the device is often not there yet: 15 s steps"
        [rmhcn]="none"
        [scan-direct]="udevadm settle, then each device resolved in turn, up to 180 s each"
)
printf '\nbackend %s\n%-14s %4s %8s %8s %8s   %s\n' "$backend" step runs "median" min max "hcnmgr's built-in wait"
for step in version cfgdrc-backup cfgdrc-vf cfgdrc-again qrydev rmdev cfgdrc-new-vf rmhcn scan-direct; do
        vals=$(awk -v s="$step" '$1 == s { print $2 }' "$HMC_TIMINGS")
        [ -n "$vals" ] || continue
        n=$(wc -l <<<"$vals")
        printf '%-14s %4d %6d ms %5d ms %5d ms   %s\n' "$step" "$n" "$(median <<<"$vals")" \
                "$(sort -n <<<"$vals" | head -1)" "$(sort -n <<<"$vals" | tail -1)" "${waits[$step]}"
done
pass
