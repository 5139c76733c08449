#!/bin/bash
# The package tier on a plain Debian 12 guest (no NetworkManager), booted by
# systemd: hnv installed with apt from a local repository, as an admin does.
#   phase 1: install beside the predecessor (a stand-in powerpc-ibm-utils;
#            dependencies resolved by apt; no libnm, no GLib without
#            recommends), hnvd.service enabled and running on the kernel
#            backend, a group formed from hotplugged devices, hnvctl
#            status for everyone, a migration release and re-enslave, a
#            restart with no datagram lost, hnv-powervm taking the
#            predecessor's names, an upgrade of both with no datagram
#            lost; then a reboot
#   phase 2: the devices present at boot, the group built (boot-to-bond
#            time), the predecessor's boot scan kept from running, and
#            apt purge leaving no file of hnv's behind and the
#            predecessor's names back
set -euo pipefail
. /usr/local/lib/hnv-test/guest-lib.sh
phase=$1
VF=02:00:00:00:01:01 BK=02:00:00:00:01:02

if [ "$phase" = 1 ]; then
        apt_repo v1 deps extra
        # A kernel-only guest: recommends would bring hnv-networkmanager,
        # never NetworkManager itself; without them, neither libnm nor GLib.
        sim=$(apt-get install -s hnv)
        grep -q "^Inst hnv-networkmanager " <<<"$sim" || fail "hnv does not recommend hnv-networkmanager: $sim"
        ! grep -q "^Inst network-manager " <<<"$sim" || fail "installing hnv would pull NetworkManager"
        apt_do install --no-install-recommends hnv powerpc-ibm-utils
        for p in libnm0 libglib2.0-0 hnv-networkmanager; do
                ! installed "$p" || fail "hnv without recommends pulled $p"
        done
        installed libnl-route-3-200 || fail "apt did not resolve hnv's dependencies"
        log "installed: $(dpkg-query -W hnv)"

        test "$(systemctl is-enabled hnvd)" = enabled || fail "hnvd.service is not enabled"
        wait_eq 30 "hnvd.service active" active systemctl is-active hnvd
        test "$(unit_prop hnvd Type)" = notify || fail "hnvd.service is not Type=notify"
        test "$(unit_prop hnvd WatchdogUSec)" != 0 || fail "hnvd.service has no watchdog"
        journalctl -b -u hnvd | contains "backend: kernel (chosen by backend=auto)" ||
                fail "hnvd did not choose the kernel backend"
        exposure=$(systemd-analyze security hnvd.service 2>/dev/null | sed -n 's/.*Overall exposure level for hnvd.service: \([0-9.]*\).*/\1/p')
        figure hnvd-exposure "$exposure"
        for v in hnvd hnvctl; do
                "$v" --version | contains "^$v 0.1.0" || fail "$v --version"
        done

        # A group from hotplugged devices, named in hnv.conf, taken in by a
        # reload (no restart).
        write_config "[group web]
primary = mac:$VF
backup = mac:$BK"
        systemctl reload hnvd || fail "systemctl reload hnvd"
        switch_setup
        add_backup bk0 "$BK"
        add_vf vf0 "$VF"
        assert_active bondweb vf0 30
        wait_state web healthy 30
        assert_bond_options bondweb
        ip addr add 192.0.2.2/24 dev bondweb
        wait_until 10 "ping across bondweb" ping_ok 192.0.2.1
        log "group web formed from hotplugged devices"

        # Status for everyone; changes for root only.
        out=$(setpriv --reuid=65534 --regid=65534 --clear-groups hnvctl status web) ||
                fail "hnvctl status as nobody: $out"
        grep -q "^web  healthy" <<<"$out" || fail "status as nobody: $out"
        rc=0
        setpriv --reuid=65534 --regid=65534 --clear-groups hnvctl prepare-migration web >/dev/null 2>&1 || rc=$?
        test "$rc" -ne 0 || fail "nobody could prepare a migration"
        test "$(bond_active bondweb)" = vf0 || fail "nobody's refused call changed the bond"

        # A migration as the console drives it: the VF released, unplugged,
        # the destination's VF under another name, complete.
        seq_start
        hnvctl prepare-migration web >/dev/null || fail "prepare-migration"
        test "$(link_master vf0)" = "" || fail "vf0 still in the bond after prepare-migration"
        del_dev vf0
        seq_stop
        figure release-lost "$LOST of $SENT"
        test "$LOST" -eq 0 || fail "the planned release lost $LOST of $SENT"
        seq_start
        add_vf enP2p1s0 "$VF"
        hnvctl complete-migration web --timeout 60 >/dev/null || fail "complete-migration"
        assert_active bondweb enP2p1s0 30
        test "$(bond_primary bondweb)" = enP2p1s0 || fail "primary is not the new VF"
        seq_stop
        figure return-lost "$LOST of $SENT"
        wait_state web healthy 30
        log "migration done"

        # systemctl restart: the new hnvd adopts the bond, nothing lost.
        ifindex=$(cat /sys/class/net/bondweb/ifindex)
        pid=$(unit_prop hnvd MainPID)
        seq_start
        systemctl restart hnvd || fail "systemctl restart hnvd"
        wait_until 30 "hnvd answering after the restart" hnvctl status
        wait_state web healthy 30
        seq_stop
        figure restart-lost "$LOST of $SENT"
        test "$LOST" -eq 0 || fail "systemctl restart hnvd lost $LOST of $SENT"
        test "$(unit_prop hnvd MainPID)" != "$pid" || fail "hnvd was not restarted"
        test "$(cat /sys/class/net/bondweb/ifindex)" = "$ifindex" || fail "the restart rebuilt the bond"
        test "$(bond_active bondweb)" = enP2p1s0 || fail "the restart changed the active port"
        log "restart done"

        # hnv-powervm beside the predecessor (a stand-in for Debian's
        # powerpc-ibm-utils, which cannot be removed: it carries drmgr).
        apt_do install --no-install-recommends hnv-powervm
        hcnversion | contains "^hnv " || fail "/usr/sbin/hcnversion is not hnv's: $(hcnversion 2>&1)"
        /usr/sbin/hcnmgr.powerpc-ibm-utils | contains predecessor || fail "the predecessor's hcnmgr was not kept"
        test "$(readlink /usr/sbin/hcnrmdev.powerpc-ibm-utils)" = hcnmgr || fail "the predecessor's hcnrmdev was not kept"
        drmgr | contains drmgr || fail "drmgr went"
        hcnmgr --version | contains "^hcnmgr (features: vnic wicked)" || fail "hcnmgr --version"
        log "hnv-powervm installed"

        # An upgrade to a newer build, hnv-powervm's diversions included:
        # hnvd restarted after the upgrade, adopting the bond.
        apt_repo v1 v2 deps extra
        pid=$(unit_prop hnvd MainPID)
        seq_start
        apt_do install --no-install-recommends hnv hnv-powervm
        wait_until 30 "hnvd answering after the upgrade" hnvctl status
        wait_state web healthy 30
        seq_stop
        figure upgrade-lost "$LOST of $SENT"
        test "$LOST" -eq 0 || fail "the upgrade lost $LOST of $SENT"
        dpkg-query -W -f='${Version}' hnv | contains '+upgrade1$' || fail "hnv was not upgraded: $(dpkg-query -W hnv)"
        test "$(unit_prop hnvd MainPID)" != "$pid" || fail "the upgrade did not restart hnvd"
        test "$(cat /sys/class/net/bondweb/ifindex)" = "$ifindex" || fail "the upgrade rebuilt the bond"
        test "$(bond_active bondweb)" = enP2p1s0 || fail "the upgrade changed the active port"
        hcnversion | contains "^hnv " || fail "hcnversion after the upgrade: $(hcnversion 2>&1)"
        /usr/sbin/hcnmgr.powerpc-ibm-utils | contains predecessor || fail "the predecessor's hcnmgr lost in the upgrade"
        log "upgrade done"

        # The predecessor's boot scan, as upstream powerpc-utils installs it:
        # enabled, it must still not run beside hnv's.
        oneshot_unit hcn-init-NetworkManager multi-user.target "Description=the predecessor's boot scan (stand-in)" \
                "/bin/sh -c 'echo ran > /var/lib/hnv-test/predecessor-ran'"
        links_at_boot web vf0 "$VF" bk0 "$BK"
        echo "192.0.2.2/24" > /var/lib/hnv-test/addr
        log "phase 1 done; rebooting"
        exit 100
fi

# Phase 2: after a reboot, with the devices there at boot.
wait_eq 60 "hnvd.service active" active systemctl is-active hnvd
ready_after_ports web vf0 bk0
assert_active bondweb vf0 60
wait_state web healthy 60
t=$(boot_to_healthy web)
figure boot-to-bond-s "$t"
figure hnvd-ready-s "$(journalctl -b -u hnvd -o short-monotonic --no-pager | grep -m 1 "running, backend" | sed -E 's/^\[ *([0-9.]+)\].*/\1/')"
test "$(unit_prop hnvd NRestarts)" = 0 || fail "hnvd was restarted during boot"
test ! -e /var/lib/hnv-test/predecessor-ran || fail "the predecessor's hcn-init ran beside hnv's"
test "$(unit_prop hcn-init-NetworkManager.service ConditionResult)" = no ||
        fail "the predecessor's unit was not kept from running"

# apt purge: nothing of hnv's stays behind but what is said to.
files=$(dpkg -L hnv hnv-powervm | sort -u)
apt_do purge hnv hnv-powervm
left=()
while read -r f; do
        # The predecessor's names are powerpc-ibm-utils' again.
        [ -e "$f" ] && [ ! -d "$f" ] && ! dpkg -S "$f" >/dev/null 2>&1 && left+=("$f")
done <<<"$files"
[ ${#left[@]} -eq 0 ] || fail "files left after purge: ${left[*]}"
test ! -e /run/hnv || fail "/run/hnv left after purge"
! systemctl list-unit-files hnvd.service | contains hnvd || fail "hnvd.service still known to systemd"
! dpkg-divert --list | contains hnv || fail "diversions left: $(dpkg-divert --list)"
/usr/sbin/hcnmgr | contains predecessor || fail "the predecessor's hcnmgr not back after purge"
test "$(readlink /usr/sbin/hcnrmdev)" = hcnmgr || fail "the predecessor's hcnrmdev not back after purge"
drmgr | contains drmgr || fail "drmgr went with the purge"
# Deliberately left: the bond and its addresses (the guest stays on the
# network), and the admin's own /etc/hnv/hnv.conf.
test -d /sys/class/net/bondweb || fail "purge took the bond down"
test -e /etc/hnv/hnv.conf || fail "purge deleted the admin's hnv.conf"
pass
