#!/usr/bin/env bash
# Guest script proving the harness: systemd booted, UML modules load, an
# active-backup bond works, and a reboot continues in phase 2.
# Run from the host with:  tests/pkg/boot.sh "$(tests/pkg/root.sh)" SCRATCH tests/pkg/smoke.sh
# Every check is on state, never on how long something took; times are
# printed for the reader only.
set -euo pipefail

phase=${1:?phase}
state=/var/lib/hnv-test
fail() { echo "FAIL: $*"; exit 1; }

# Bounded: a unit hanging in the boot transaction must not hang the test
# until the host's timeout; "degraded" is reported, not fatal, as a failed
# unit is information about the root, not about the harness.
system_state() {
        local s
        s=$(timeout 120 systemctl is-system-running --wait) || true
        echo "system state: ${s:-unknown}"
        [ "$s" = running ] || systemctl --failed --no-legend --plain || true
        case $s in running|degraded) ;; *) fail "systemd did not finish booting" ;; esac
}

times() {
        read -r up _ </proc/uptime
        echo "uptime: $up s"
        systemd-analyze time 2>&1 || true
}

case $phase in
1)
        system_state
        [ "$(cat /proc/1/comm)" = systemd ] || fail "PID 1 is $(cat /proc/1/comm)"
        cat /proc/sys/kernel/random/boot_id >"$state/boot_id.1"

        modprobe -a bonding veth
        # Loading bonding creates bond0 (max_bonds=1 by default); set it up
        # rather than assume it is absent.
        [ -e /sys/class/net/bond0 ] || ip link add bond0 type bond
        ip link set bond0 down
        ip link set bond0 type bond mode active-backup miimon 100
        for p in a b; do
                ip link add "vf$p" type veth peer name "vf$p-peer"
                ip link set "vf$p-peer" up
                ip link set "vf$p" master bond0
        done
        ip link set bond0 type bond primary vfa
        ip link set bond0 up
        # The bond reports its slaves' link via miimon: wait (bounded) until
        # it has picked an active slave, instead of sleeping a fixed time.
        for _ in $(seq 100); do
                grep -q '^Currently Active Slave: vf' /proc/net/bonding/bond0 && break
                sleep 0.1
        done
        cat /proc/net/bonding/bond0
        grep -q '^Bonding Mode: fault-tolerance (active-backup)' /proc/net/bonding/bond0 || fail "bond mode"
        [ "$(grep -c '^Slave Interface: vf' /proc/net/bonding/bond0)" = 2 ] || fail "bond has not 2 slaves"
        grep -q '^Currently Active Slave: vfa' /proc/net/bonding/bond0 || fail "primary vfa is not active"

        # Failover: the primary's peer going down drops its carrier.
        ip link set vfa-peer down
        for _ in $(seq 100); do
                grep -q '^Currently Active Slave: vfb' /proc/net/bonding/bond0 && break
                sleep 0.1
        done
        grep -q '^Currently Active Slave: vfb' /proc/net/bonding/bond0 || fail "no failover to vfb"
        echo "failover to vfb: ok"

        times
        echo "phase 1 ok, rebooting"
        exit 100
        ;;
2)
        system_state
        # A new kernel: new boot id, and nothing of phase 1's bond is left.
        [ "$(cat /proc/sys/kernel/random/boot_id)" != "$(cat "$state/boot_id.1")" ] || fail "same boot id: no reboot happened"
        [ ! -e /sys/class/net/bond0 ] || fail "bond0 survived the reboot"
        echo "second boot: new boot id, no bond0"
        times
        echo "phase 2 ok"
        ;;
*)
        fail "unexpected phase $phase"
        ;;
esac
