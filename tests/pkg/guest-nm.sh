#!/bin/bash
# The package tier on a Debian 12 guest with NetworkManager, booted by
# systemd.
#   phase 1: NetworkManager installed but stopped and disabled: hnv installed
#            (its recommends bring hnv-networkmanager), hnvd runs the kernel
#            backend; NetworkManager enabled and started: hnvd starts again
#            on the NetworkManager backend in the same service run; a group
#            through NetworkManager's profiles; then a reboot
#   phase 2: at boot hnvd chooses the NetworkManager backend (it starts
#            before NetworkManager), NetworkManager has hnv's profiles
#            active and no "Wired connection" on a port
set -euo pipefail
. /usr/local/lib/hnv-test/guest-lib.sh
# Its profile helpers; NetworkManager itself runs from its unit here.
. /usr/local/lib/hnv-test/nm-lib.sh
phase=$1
VF=02:00:00:00:01:01 BK=02:00:00:00:01:02

assert_profiles() {
        wait_until 60 "bondweb activated" nm_activated bondweb
        wait_until 60 "bondweb-vf0 activated" nm_activated bondweb-vf0
        wait_until 60 "bondweb-bk0 activated" nm_activated bondweb-bk0
        log "profiles: $(nm_profiles | tr '\n' ' ')"
        assert_no_auto_profile
        nm_field bondweb bond.options | contains "primary=vf0" ||
                fail "bondweb's profile does not persist the VF as primary"
}

if [ "$phase" = 1 ]; then
        systemctl disable --now NetworkManager.service >/dev/null 2>&1
        # The guest's NICs as a platform knows them: managed by
        # NetworkManager (its own 85- rule leaves veth alone; 86- undoes
        # that), the group's ports tagged for udev by MAC, as an admin's
        # rule does; hnv's 89- rule then acts as on real NICs.
        cat > /etc/udev/rules.d/86-hnv-test-nics.rules <<EOS
SUBSYSTEM=="net", ACTION!="remove", ENV{ID_NET_DRIVER}=="veth", ENV{NM_UNMANAGED}="0"
SUBSYSTEM=="net", ACTION!="remove", ATTR{address}=="$VF", ENV{DEVTYPE}!="bond", ENV{HNV_GROUP}="web", ENV{HNV_ROLE}="primary"
SUBSYSTEM=="net", ACTION!="remove", ATTR{address}=="$BK", ENV{DEVTYPE}!="bond", ENV{HNV_GROUP}="web", ENV{HNV_ROLE}="backup"
EOS
        udevadm control --reload
        apt_repo v1 deps
        apt_do install hnv
        installed hnv-networkmanager || fail "hnv's recommends did not bring hnv-networkmanager"
        wait_eq 30 "hnvd.service active" active systemctl is-active hnvd
        journalctl -b -u hnvd | contains "backend: kernel (chosen by backend=auto)" ||
                fail "without NetworkManager hnvd did not choose the kernel backend"
        pid=$(unit_prop hnvd MainPID)

        # NetworkManager arrives: hnvd follows it, in the same process.
        systemctl enable --now NetworkManager.service >/dev/null 2>&1 || fail "start NetworkManager"
        wait_until 60 "hnvd on the NetworkManager backend" 'hnvctl status | contains "^Backend: networkmanager"'
        test "$(unit_prop hnvd MainPID)" = "$pid" || fail "hnvd was restarted instead of executing itself again"
        test "$(unit_prop hnvd NRestarts)" = 0 || fail "hnvd failed on the way"
        journalctl -b -u hnvd | contains "NetworkManager started: hnvd starts again" || fail "no log line for the switch"

        switch_setup
        add_backup bk0 "$BK"
        add_vf vf0 "$VF"
        assert_active bondweb vf0 60
        wait_state web healthy 60
        assert_profiles
        nmcli connection modify bondweb ipv4.method manual ipv4.addresses 192.0.2.2/24 >/dev/null
        nmcli device reapply bondweb >/dev/null
        wait_until 30 "ping across bondweb" ping_ok 192.0.2.1
        links_at_boot web vf0 "$VF" bk0 "$BK"
        exit 100
fi

# Phase 2: a reboot, NetworkManager enabled, the devices there at boot.
wait_eq 60 "hnvd.service active" active systemctl is-active hnvd
journalctl -b -u hnvd | contains "backend: networkmanager (chosen by backend=auto)" ||
        fail "at boot hnvd did not choose the NetworkManager backend: $(journalctl -b -u hnvd | grep backend)"
test "$(unit_prop hnvd NRestarts)" = 0 || fail "hnvd was restarted during boot"
hnvctl status | contains "^Backend: networkmanager" || fail "status: $(hnvctl status)"
assert_active bondweb vf0 60
wait_state web healthy 60
assert_profiles
wait_until 60 "192.0.2.2 on bondweb" 'ip -4 addr show dev bondweb | contains 192.0.2.2/24'
wait_until 30 "ping across bondweb" ping_ok 192.0.2.1
figure nm-boot-to-bond-s "$(boot_to_healthy web)"
pass
