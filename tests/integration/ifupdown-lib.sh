# Debian's ifupdown in the scenario's guest (unpacked into its throwaway
# root), and the steps its scenarios share: the installer's and the
# admin's /etc/network/interfaces, hnv's arrival, and a reboot.
# shellcheck shell=bash

VF_MAC=02:00:00:00:01:01
BK_MAC=02:00:00:00:01:02

# ifupdown_setup [PACKAGE...]: ifupdown and the packages given, its
# directories, its udev rule (allow-hotplug interfaces come up with their
# device) and the modelled switch.
ifupdown_setup() {
        local p
        require_udev
        for p in ifupdown "$@"; do
                guest_install_deb "$p"
        done
        mkdir -p /run/network /etc/network/interfaces.d
        udev_reload
        switch_setup
}

# ifupdown_do COMMAND...: an ifupdown command (or dhclient), its output
# kept in the results; fails the scenario if it fails.
ifupdown_do() {
        "$@" >> "$HNV_RESULTS/ifupdown.log" 2>&1 || fail "$*: $(tail -n 3 "$HNV_RESULTS/ifupdown.log")"
}

# ifupdown_interfaces STANZA: /etc/network/interfaces as Debian writes it,
# with STANZA after the loopback.
ifupdown_interfaces() {
        printf 'source /etc/network/interfaces.d/*\nauto lo\niface lo inet loopback\n\n%s\n' "$1" \
                > /etc/network/interfaces
}

# ifupdown_hnv_arrives ADDRESS: hnvd (backend auto, which is the kernel
# under ifupdown) forms the group and moves ADDRESS from the VF to the bond.
ifupdown_hnv_arrives() {
        write_config "[group web]
primary = mac:$VF_MAC
backup = mac:$BK_MAC"
        start_hnvd
        test "$(hnvctl --json status | jq -r .backend)" = kernel || fail "backend auto did not pick kernel under ifupdown"
        add_backup bk0 $BK_MAC
        assert_active bondweb vf0 30
        wait_state web healthy 30
        wait_until 10 "the address moved to bondweb" "ip -4 addr show dev bondweb | contains $1"
        assert_only_on bondweb "$1" vf0 bk0
}

# ifupdown_reboot ADDRESS: what a boot leaves: no bond, no address,
# ifupdown's state gone. The devices come back, networking.service's
# `ifup -a` runs before hnvd has made the bond (the harder order), and no
# link has ADDRESS yet; then hnvd starts and forms the group.
ifupdown_reboot() {
        kill_hnvd
        ip link del bondweb
        del_dev vf0
        del_dev bk0
        wait_until 10 "ports gone" sh -c '! ip link show vf0 >/dev/null 2>&1 && ! ip link show bk0 >/dev/null 2>&1'
        rm -rf /run/network /run/hnv
        mkdir -p /run/network
        add_backup bk0 $BK_MAC
        add_vf vf0 $VF_MAC
        udev_settle
        ifupdown_do ifup -a
        ip -4 addr show | contains "${1%/*}/" && fail "an address before the bond exists: $(ip -br addr show)"
        start_hnvd
        assert_active bondweb vf0 30
        wait_state web healthy 30
}
