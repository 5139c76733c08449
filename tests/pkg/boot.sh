#!/usr/bin/env bash
# Boots a Debian root with systemd as PID 1 in user-mode Linux and runs one
# guest script there from a driver unit started after multi-user.target;
# prints the script's output and exits with its status.
#
# Usage: tests/pkg/boot.sh [options] ROOT SCRATCH GUEST_SCRIPT
#   ROOT          a tarball from root.sh (unpacked into SCRATCH/root), or a
#                 directory, which is booted in place and so modified
#   SCRATCH       work directory: root/, console.log, out/ (the guest's
#                 /var/lib/hnv-test copied out after the run)
#   GUEST_SCRIPT  executable, run in the guest as `GUEST_SCRIPT PHASE` with
#                 PHASE 1 on the first boot; exit 100 asks for a reboot, after
#                 which it runs again with PHASE+1 (at most 5 phases). Its
#                 stdout and stderr go to /var/lib/hnv-test/results; other
#                 files it leaves in /var/lib/hnv-test come back in SCRATCH/out
# Options:
#   -r DIR    copy DIR into the guest at /srv/hnv-repo (a local apt repository)
#   -a PATH   copy PATH (file or directory) next to the guest script, into
#             /usr/local/lib/hnv-test/ (helpers the script sources); repeatable
#   -m UNIT   mask UNIT as well; repeatable
#   -k ARG    add ARG to the guest kernel command line; repeatable
#   -M        mask nothing by default (for measuring what masking saves)
#   -t SECS   bound on the whole run, all boots included (default 900)
# Exit status: the guest script's, 125 when the guest did not finish
# (timeout, kernel or systemd failure: see SCRATCH/console.log), 77 (meson's
# "skipped") when this machine cannot run it: not root, no linux.uml.
set -euo pipefail
# shellcheck source=group.sh
. "$(dirname "$0")/group.sh"

repo='' extra=() masks=() kargs=() default_masks=1 limit=900
while getopts r:a:m:k:Mt: o; do
        case $o in
        r) repo=$OPTARG ;;
        a) extra+=("$OPTARG") ;;
        m) masks+=("$OPTARG") ;;
        k) kargs+=("$OPTARG") ;;
        M) default_masks=0 ;;
        t) limit=$OPTARG ;;
        *) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
        esac
done
shift $((OPTIND - 1))
[ $# -eq 3 ] || { echo "usage: boot.sh [-r DIR] [-a PATH]... [-m UNIT]... [-k ARG]... [-M] [-t SECS] ROOT SCRATCH GUEST_SCRIPT" >&2; exit 2; }
src=$1 scratch=$2 guest=$3
[ "$(id -u)" = 0 ] || { echo "boot.sh: skipped: needs root (unpacks device nodes, owns the guest's files)" >&2; exit 77; }
if ! command -v linux.uml >/dev/null || [ ! -d "/usr/lib/uml/modules/$(linux.uml --version)" ]; then
        echo "boot.sh: skipped: needs linux.uml and its modules (package user-mode-linux)" >&2
        exit 77
fi
[ -x "$guest" ] || { echo "boot.sh: $guest is not executable" >&2; exit 2; }
[ -z "$repo" ] || [ -d "$repo" ] || { echo "boot.sh: $repo is not a directory" >&2; exit 2; }
[ -f "$src" ] || [ -d "$src" ] || { echo "boot.sh: no root at $src" >&2; exit 2; }

# Units that cost boot time and that no package test looks at. UML runs the
# guest on one CPU where every process start is expensive, so each unit
# started in parallel slows all the others: measured with -M, these took
# about 20 s of a 25 s userspace boot. Kept on purpose: journald, udevd and
# the coldplug trigger, dbus, tmpfiles, sysctl and modules-load (a package
# may ship udev rules, D-Bus policy, sysctl or modules-load.d files).
if [ $default_masks = 1 ]; then
        masks+=(
                # consoles and logins: nobody logs in
                getty@.service serial-getty@.service console-getty.service
                getty-static.service getty.target systemd-logind.service
                systemd-user-sessions.service systemd-update-utmp.service
                systemd-update-utmp-runlevel.service
                # timers only fire on a long-lived guest; loading them costs
                apt-daily.timer apt-daily-upgrade.timer man-db.timer
                e2scrub_all.timer fstrim.timer dpkg-db-backup.timer
                systemd-tmpfiles-clean.timer
                # redo on every fresh root what dpkg did when it was built
                ldconfig.service systemd-hwdb-update.service
                systemd-journal-catalog-update.service systemd-update-done.service
                systemd-firstboot.service systemd-sysusers.service
                # modules and file systems the UML kernel lacks or no test uses
                kmod-static-nodes.service modprobe@configfs.service
                modprobe@dm_mod.service modprobe@drm.service
                modprobe@efi_pstore.service modprobe@fuse.service
                modprobe@loop.service dev-hugepages.mount dev-mqueue.mount
                sys-fs-fuse-connections.mount sys-kernel-config.mount
                sys-kernel-debug.mount sys-kernel-tracing.mount
                systemd-remount-fs.service systemd-pstore.service
                e2scrub_reap.service
                # the journal stays volatile in /run (journalctl still works)
                systemd-journal-flush.service systemd-random-seed.service
                # no network, no clock to sync
                systemd-timesyncd.service networking.service
        )
fi

log() { echo "boot.sh: $*" >&2; }
# Seconds (one decimal) since a `date +%s%N` stamp.
since() { local d=$((($(date +%s%N) - $1) / 100000000)); echo "$((d / 10)).$((d % 10))"; }
t0=$(date +%s%N)

mkdir -p "$scratch"
scratch=$(cd "$scratch" && pwd)
if [ -d "$src" ]; then root=$(cd "$src" && pwd); else root=$scratch/root; fi
# The path goes on the kernel command line as hostfs's only option.
case $root in *[[:space:],]*) echo "boot.sh: $root: a root path for hostfs cannot hold spaces or commas" >&2; exit 2 ;; esac

if [ ! -d "$src" ]; then
        # Only ever delete a root this script unpacked: SCRATCH is the caller's.
        if [ -e "$root" ]; then
                [ -e "$root/.hnv-test-root" ] || { echo "boot.sh: $root exists and is not a root boot.sh made" >&2; exit 2; }
                rm -rf "$root"
        fi
        mkdir "$root"
        touch "$root/.hnv-test-root"
        # Numeric: the guest's own uids, not the host's users of the same name.
        tar -xf "$src" -C "$root" --numeric-owner
        log "unpacked $src in $(since "$t0") s"
fi

# The guest kernel is Debian's UML build; its modules must sit where the
# guest's modprobe looks for them (the root's /lib is /usr/lib).
kver=$(linux.uml --version)
rm -rf "$root/usr/lib/modules/$kver"
mkdir -p "$root/usr/lib/modules"
cp -a "/usr/lib/uml/modules/$kver" "$root/usr/lib/modules/"

# mmdebstrap leaves machine-id empty, which makes systemd treat the boot as a
# first boot (firstboot prompts on the console, presets). A fixed identity
# keeps every boot an ordinary one.
tr -d - </proc/sys/kernel/random/uuid >"$root/etc/machine-id"
echo hnv-test >"$root/etc/hostname"
# On hostfs every file is created by the host's UML process, so it belongs to
# root whoever creates it in the guest; apt's download sandbox user _apt then
# cannot chmod its own temporary files and local repositories fail noisily.
mkdir -p "$root/etc/apt/apt.conf.d"
echo 'APT::Sandbox::User "root";' >"$root/etc/apt/apt.conf.d/90hnv-test-hostfs"

units=$root/etc/systemd/system
mkdir -p "$units/multi-user.target.wants"
for u in ${masks[@]+"${masks[@]}"}; do
        ln -sfn /dev/null "$units/$u"
done

lib=$root/usr/local/lib/hnv-test
state=$root/var/lib/hnv-test
rm -rf "$lib" "$state"
mkdir -p "$lib" "$state"
install -m 0755 "$guest" "$lib/guest"
for p in ${extra[@]+"${extra[@]}"}; do
        cp -a "$p" "$lib/"
done
if [ -n "$repo" ]; then
        rm -rf "$root/srv/hnv-repo"
        mkdir -p "$root/srv/hnv-repo"
        cp -a "$repo/." "$root/srv/hnv-repo/"
fi
echo 1 >"$state/phase"
: >"$state/results"

# The driver runs after the boot transaction is done. Type=exec, not oneshot:
# a oneshot start job would keep the system "starting" until the script ends,
# so `systemctl is-system-running --wait` in the script would never return.
cat >"$units/hnv-test.service" <<'EOF'
[Unit]
Description=hnv package test driver
After=multi-user.target

[Service]
Type=exec
ExecStart=/usr/local/lib/hnv-test/driver
# The script has no terminal: debconf would try dialog, then readline.
Environment=DEBIAN_FRONTEND=noninteractive
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
EOF
ln -sfn ../hnv-test.service "$units/multi-user.target.wants/hnv-test.service"

cat >"$lib/driver" <<'EOF'
#!/bin/sh
# Runs the guest script for this boot's phase, then reboots (exit 100) or
# powers the guest off. Results live in the root, which is a host directory.
d=/var/lib/hnv-test
max_phases=5
phase=$(cat $d/phase)
read -r up _ </proc/uptime
echo "phase $phase: driver started ${up} s after kernel start" >>$d/boots
echo "hnv-test: phase $phase starts at uptime $up s"
echo "== phase $phase" >>$d/results
HNV_PHASE=$phase /usr/local/lib/hnv-test/guest "$phase" >>$d/results 2>&1 </dev/null
rc=$?
read -r up _ </proc/uptime
echo "phase $phase: script exit $rc ${up} s after kernel start" >>$d/boots
echo "hnv-test: phase $phase exit $rc"
if [ $rc -eq 100 ] && [ "$phase" -lt $max_phases ]; then
        echo $((phase + 1)) >$d/phase
        systemctl --no-block reboot
else
        echo $rc >$d/status
        systemctl --no-block poweroff
fi
EOF
chmod 0755 "$lib/driver"

log "root ready at $(since "$t0") s; booting (bound ${limit} s)"
boot_start=$(date +%s%N)
# UML re-executes itself on a guest reboot, so one process covers every
# phase and the bound covers all boots. timeout signals the whole process
# group, which takes UML's helper processes along.
# pty.legacy_count=0: Debian's UML kernel makes 512 legacy BSD pty devices
# by default, and coldplugging them through udev was most of a boot (every
# process start costs tens of milliseconds in UML). systemd logs to kmsg so
# that console.log has kernel timestamps for every unit, which is what one
# needs to see where a slow or stuck boot spent its time.
# Once in CI, UML's re-execution at a guest reboot aborted (exit 134 right
# after "reboot: Restarting system"): the guest had asked for the reboot
# and recorded its next phase, and only the restart failed. The kernel is
# started again then, as a machine's firmware would, a few times at most
# and within the same bound.
: >"$scratch/console.log"
restarts=0
while :; do
        rc=0
        left=$((limit - ($(date +%s%N) - boot_start) / 1000000000))
        [ "$left" -gt 0 ] || break
        run_group timeout -k 10 "$left" linux.uml mem=1G root=/dev/root rootfstype=hostfs \
                rootflags="$root" rw init=/lib/systemd/systemd \
                con=null con0=null,fd:1 pty.legacy_count=0 printk.time=1 \
                systemd.log_target=kmsg systemd.show_status=0 \
                ${kargs[@]+"${kargs[@]}"} \
                </dev/null >>"$scratch/console.log" 2>&1 || rc=$?
        if [ "$rc" -ne 0 ] && [ ! -s "$state/status" ] && [ "$restarts" -lt 3 ] &&
                tail -n 5 "$scratch/console.log" | grep "reboot: Restarting system" >/dev/null; then
                restarts=$((restarts + 1))
                log "UML's restart at the guest's reboot failed (exit $rc, $(since "$boot_start") s): starting it again"
                continue
        fi
        break
done
log "guest stopped after $(since "$boot_start") s (linux.uml exit $rc)"

rm -rf "$scratch/out"
cp -a "$state" "$scratch/out"
cat "$scratch/out/results"
[ ! -f "$scratch/out/boots" ] || sed 's/^/boot.sh: /' "$scratch/out/boots" >&2
if [ ! -s "$scratch/out/status" ]; then
        log "guest did not finish; last console lines ($scratch/console.log):"
        tail -n 30 "$scratch/console.log" >&2
        exit 125
fi
status=$(cat "$scratch/out/status")
log "guest script exit $status; total $(since "$t0") s"
exit "$status"
