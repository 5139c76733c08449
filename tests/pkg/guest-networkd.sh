#!/bin/bash
# The package tier on a Debian 12 guest configured by systemd-networkd,
# booted by systemd: the networkd backend as an admin meets it.
#   phase 1: networkd enabled, the installer's .network giving the VF a
#            static address by MAC; hnv installed with apt: at start hnvd
#            chooses the networkd backend by itself (backend=auto); a group
#            from hotplugged devices, hnv's files written from inside the
#            unit's sandbox, networkd reloaded, the address on the bond;
#            then a reboot
#   phase 2: the devices present at boot, hnvd started before networkd
#            (its unit's order), networkd configures the bond from hnv's
#            files: the address is on the bond and on no port
set -euo pipefail
. /usr/local/lib/hnv-test/guest-lib.sh
phase=$1
VF=02:00:00:00:01:01 BK=02:00:00:00:01:02
ND=/etc/systemd/network

networkd_configured() { # LINK
        networkctl list --no-legend "$1" 2>/dev/null | awk '{print $5}'
}

if [ "$phase" = 1 ]; then
        # Before hnv: the installer's file, by MAC as netplan writes it.
        printf '[Match]\nMACAddress=%s\n\n[Network]\nAddress=192.0.2.2/24\nIPv6AcceptRA=no\n' "$VF" \
                > "$ND/10-installer.network"
        systemctl enable --now systemd-networkd.service >/dev/null 2>&1 || fail "start systemd-networkd"
        apt_repo v1 deps
        apt_do install --no-install-recommends hnv
        wait_eq 30 "hnvd.service active" active systemctl is-active hnvd
        journalctl -b -u hnvd | contains "backend: networkd (chosen by backend=auto)" ||
                fail "with networkd running hnvd did not choose the networkd backend: $(journalctl -b -u hnvd | grep backend)"

        write_config "[group web]
primary = mac:$VF
backup = mac:$BK"
        systemctl reload hnvd || fail "systemctl reload hnvd"
        switch_setup
        add_vf vf0 "$VF"
        wait_until 60 "networkd gives vf0 the installer's address" 'ip -4 addr show dev vf0 | contains 192.0.2.2/24'
        add_backup bk0 "$BK"
        assert_active bondweb vf0 60
        wait_state web healthy 60
        for f in 00-hnv-bondweb.netdev 00-hnv-bondweb.network 00-hnv-vf0.network 00-hnv-bk0.network; do
                wait_until 30 "hnvd writes $f" test -e "$ND/$f"
        done
        grep -qx "Address=192.0.2.2/24" "$ND/00-hnv-bondweb.network" ||
                fail "the bond's file lacks the address: $(cat "$ND/00-hnv-bondweb.network")"
        for l in bondweb vf0 bk0; do
                wait_eq 60 "networkd configured $l" configured networkd_configured "$l"
        done
        wait_until 30 "192.0.2.2 on bondweb" 'ip -4 addr show dev bondweb | contains 192.0.2.2/24'
        assert_only_on bondweb 192.0.2.2/24 vf0 bk0
        wait_until 30 "ping across bondweb" ping_ok 192.0.2.1
        links_at_boot web vf0 "$VF" bk0 "$BK"
        exit 100
fi

# Phase 2: a reboot; only the files are left.
wait_eq 60 "hnvd.service active" active systemctl is-active hnvd
journalctl -b -u hnvd | contains "backend: networkd (chosen by backend=auto)" ||
        fail "at boot hnvd did not choose the networkd backend: $(journalctl -b -u hnvd | grep backend)"
test "$(unit_prop hnvd NRestarts)" = 0 || fail "hnvd was restarted during boot"
ready_after_ports web vf0 bk0
assert_active bondweb vf0 60
wait_state web healthy 60
for l in bondweb vf0 bk0; do
        wait_eq 60 "networkd configured $l" configured networkd_configured "$l"
done
wait_until 60 "192.0.2.2 on bondweb" 'ip -4 addr show dev bondweb | contains 192.0.2.2/24'
assert_only_on bondweb 192.0.2.2/24 vf0 bk0
test "$(link_master vf0)" = bondweb || fail "networkd took vf0 out of the bond"
wait_until 30 "ping across bondweb" ping_ok 192.0.2.1
figure networkd-boot-to-bond-s "$(boot_to_healthy web)"
pass
