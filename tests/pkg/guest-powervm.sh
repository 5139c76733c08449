#!/bin/bash
# The package tier for hnv-powervm on a plain Debian 12 guest booted by
# systemd: a PowerVM device tree (a fixture: UML has none) names an HNV
# group, as the HMC configures one while the partition is off, on a guest
# whose network service is wicked. wicked itself is not in Debian: a
# recording stand-in on PATH logs its calls, and a stand-in wicked.service,
# enabled as network.service, is what hnv's backend=auto (the default, left
# unset here) must recognise, in hcn-init and in hnvd.
#   phase 1: hnv and hnv-powervm installed, the fixture and the devices
#            set up for the next boot, hnvd masked; reboot
#   phase 2: hcn-init.service builds the group at boot by itself (hcnmgr -s
#            without hnvd, in hcn-init's sandbox: the ifcfg files written,
#            wicked run); hnvd then adopts it, hcn-init runs again through
#            hnvd, and the HMC's release and re-add of the VF go through
#            hnvd's sandbox to wicked
set -euo pipefail
. /usr/local/lib/hnv-test/guest-lib.sh
. /usr/local/lib/hnv-test/dt-lib.sh
phase=$1
VF=02:00:00:00:01:01 BK=02:00:00:00:01:02
HCN=333e80f5 VF_NODE=pci@800000020000011/ethernet@0
DT_BASE=/srv/hnv-dt DT_ROOT=/srv/hnv-dt/device-tree DT_SYSFS=/srv/hnv-dt/sys
IFCFG=/etc/sysconfig/network
# The only place both sandboxes let the stand-in write.
CALLS=$IFCFG/.wicked-calls

# hcn_init_figure NAME: when hcn-init ended (guest uptime) and how long
# hcnmgr -s took.
hcn_init_figure() {
        local start end
        start=$(unit_prop hcn-init.service ExecMainStartTimestampMonotonic)
        end=$(unit_prop hcn-init.service ExecMainExitTimestampMonotonic)
        figure "$1-done-at-s" "$(awk -v e="$end" 'BEGIN { printf "%.1f", e / 1e6 }')"
        figure "$1-hcnmgr-s" "$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", (e - s) / 1e6 }')"
}

hcn_init_ran() {
        test "$(unit_prop hcn-init.service ActiveState)" = active &&
                test "$(unit_prop hcn-init.service Result)" = success
}

case $phase in
1)
        apt_repo v1 deps
        apt_do install --no-install-recommends hnv hnv-powervm
        dt_setup
        dt_add_vf "$VF_NODE" $HCN 20000011
        dt_add_backup l-lan "" $HCN 30000002
        dt_link_devspec vf0 "/$VF_NODE"
        dt_link_devspec bk0 /vdevice/l-lan@30000002
        write_config "$DT_CONFIG"
        mkdir -p "$IFCFG"
        printf '#!/bin/sh\necho "$*" >> %s\n' "$CALLS" > /usr/local/sbin/wicked
        chmod 755 /usr/local/sbin/wicked
        printf '%s\n' '[Unit]' 'Description=stand-in for wicked (hnv package tier)' \
                '[Service]' 'Type=oneshot' 'RemainAfterExit=yes' 'ExecStart=/bin/true' \
                '[Install]' 'WantedBy=multi-user.target' 'Alias=network.service' \
                > /etc/systemd/system/wicked.service
        systemctl enable wicked.service >/dev/null 2>&1 || fail "cannot enable the stand-in wicked.service"
        # The unit runs only where /proc/device-tree/vdevice is; here the
        # fixture stands for it.
        mkdir -p /etc/systemd/system/hcn-init.service.d
        printf '[Unit]\nConditionPathIsDirectory=\nConditionPathIsDirectory=%s/vdevice\n' "$DT_ROOT" \
                > /etc/systemd/system/hcn-init.service.d/50-test-fixture.conf
        test "$(systemctl is-enabled hcn-init.service)" = enabled || fail "hcn-init.service is not enabled"
        systemctl mask hnvd.service >/dev/null 2>&1
        links_at_boot $HCN vf0 "$VF" bk0 "$BK"
        exit 100
        ;;
2)
        wait_until 120 "hcn-init.service done" hcn_init_ran
        test "$(unit_prop hnvd.service ActiveState)" != active || fail "hnvd ran although masked"
        test "$(bond_active bond$HCN)" = vf0 || fail "hcn-init did not build bond$HCN with vf0 active: $(ip -br link)"
        test "$(link_master bk0)" = bond$HCN || fail "bk0 is not in bond$HCN"
        journalctl -b -u hcn-init --no-pager | contains "hcn-id $HCN: in its bond" ||
                fail "hcn-init's journal does not report the group"
        journalctl -b -u hcn-init --no-pager | contains "backend: wicked (chosen by backend=auto)" ||
                fail "hcn-init did not choose wicked by itself: $(journalctl -b -u hcn-init --no-pager | grep backend)"
        hcn_init_figure hcn-init-without-hnvd
        grep -q "^BONDING_SLAVE_[0-9]*='vf0'" "$IFCFG/ifcfg-bond$HCN" ||
                fail "hcn-init wrote no ifcfg-bond$HCN naming vf0: $(cat "$IFCFG/ifcfg-bond$HCN" 2>&1)"
        grep -qx "ifreload bond$HCN" "$CALLS" || fail "hcn-init did not run wicked ifreload: $(cat "$CALLS" 2>&1)"

        ifindex=$(cat /sys/class/net/bond$HCN/ifindex)
        systemctl unmask hnvd.service >/dev/null 2>&1
        systemctl start hnvd.service || fail "start hnvd"
        wait_state $HCN healthy 30
        hnvctl status | contains "^Backend: wicked" || fail "hnvd is not on the wicked backend: $(hnvctl status)"
        journalctl -b -u hnvd --no-pager | contains "backend: wicked (chosen by backend=auto)" ||
                fail "hnvd did not choose wicked by itself"
        test "$(cat /sys/class/net/bond$HCN/ifindex)" = "$ifindex" || fail "hnvd rebuilt the bond hcn-init made"
        systemctl restart hcn-init.service || fail "hcn-init through hnvd"
        hcn_init_figure hcn-init-with-hnvd
        test "$(cat /sys/class/net/bond$HCN/ifindex)" = "$ifindex" || fail "hcn-init through hnvd rebuilt the bond"

        # The HMC's sequence for the VF, through hnvd in its sandbox.
        hcnqrydev DRC_INDEX=20000011 || fail "hcnqrydev: the VF cannot go"
        : > "$CALLS"
        hcnrmdev DRC_INDEX=20000011 HCN_ID=$HCN || fail "hcnrmdev"
        test "$(link_master vf0)" = "" || fail "vf0 still in bond$HCN after hcnrmdev"
        wait_until 30 "wicked told the VF is gone" grep -qx "ifdown vf0" "$CALLS"
        hcncfgdrc DRC_INDEX=20000011 || fail "hcncfgdrc"
        assert_active bond$HCN vf0 30
        wait_until 30 "wicked told the VF is back" sh -c "[ \$(grep -c 'ifreload bond$HCN' '$CALLS') -ge 2 ]"
        grep -q "^BONDING_SLAVE_[0-9]*='vf0'" "$IFCFG/ifcfg-bond$HCN" || fail "ifcfg-bond$HCN lost vf0"
        log "wicked calls: $(tr '\n' ';' < "$CALLS")"
        pass
        ;;
esac
