# A real systemd-networkd in the scenario's guest, not PID 1's child: the
# system D-Bus (networkctl talks to networkd over it), and networkd run
# directly. It drops to its own user; its state directories, which its unit
# and tmpfiles.d make under systemd, are made here for that user.
# /etc/systemd/network is a tmpfs: the guest writes through to the host.
# shellcheck shell=bash

NETWORKD=/lib/systemd/systemd-networkd
NETWORKD_PID=

require_networkd() {
        [ -x "$NETWORKD" ] || skip "systemd-networkd is not installed"
        command -v networkctl >/dev/null || skip "networkctl is not installed"
        command -v dbus-daemon >/dev/null || skip "dbus-daemon is not installed"
        getent passwd systemd-network >/dev/null || skip "no systemd-network user"
        require_udev
}

_networkd_stop_dbus() {
        pkill -x dbus-daemon 2>/dev/null || true
}

# networkd_setup: D-Bus and an empty /etc/systemd/network, once.
networkd_setup() {
        require_networkd
        mkdir -p /run/dbus
        dbus-daemon --system --fork || fail "dbus-daemon"
        at_exit _networkd_stop_dbus
        mount -t tmpfs -o mode=0755 tmpfs /etc/systemd/network || fail "tmpfs on /etc/systemd/network"
        at_exit stop_networkd
}

_networkd_ready() {
        _hnv_alive "$NETWORKD_PID" || return 0
        networkctl list >/dev/null 2>&1
}

# start_networkd: networkd in the background, its log appended to
# $HNV_RESULTS/networkd.log; returns once it answers on the bus.
start_networkd() {
        mkdir -p /run/systemd/netif/links /run/systemd/netif/leases /run/systemd/netif/lldp
        chown -R systemd-network:systemd-network /run/systemd/netif
        echo "=== start at +$(_hnv_elapsed)s" >> "$HNV_RESULTS/networkd.log"
        SYSTEMD_LOG_LEVEL=debug SYSTEMD_LOG_TARGET=console "$NETWORKD" >> "$HNV_RESULTS/networkd.log" 2>&1 &
        NETWORKD_PID=$!
        [ -n "${_networkd_diag_on:-}" ] || diag_hook _networkd_diag
        _networkd_diag_on=1
        wait_until 30 "systemd-networkd to answer" _networkd_ready
        _hnv_alive "$NETWORKD_PID" || fail "systemd-networkd exited at start-up"
        log "systemd-networkd running (pid $NETWORKD_PID)"
}

_networkd_diag() {
        echo "--- systemd-networkd: links, last lines"
        timeout 5 networkctl list --no-pager --no-legend
        tail -n 15 "$HNV_RESULTS/networkd.log"
}

stop_networkd() {
        [ -n "$NETWORKD_PID" ] || return 0
        kill -TERM "$NETWORKD_PID" 2>/dev/null || true
        _hnv_wait_dead "$NETWORKD_PID" 15 || kill -KILL "$NETWORKD_PID" 2>/dev/null
        wait "$NETWORKD_PID" 2>/dev/null || true
        NETWORKD_PID=
}

# networkd_reboot BOND PORT...: what a reboot leaves: hnvd and networkd
# stopped, no bond, the ports without addresses, and nothing in /run of
# networkd's state; the files in /etc/systemd/network stay. Then hnvd
# starts first, as its unit does (Before=network-pre.target), and networkd
# after it.
networkd_reboot() {
        local bond=$1 p
        shift
        stop_hnvd
        stop_networkd
        ip link del "$bond" || fail "cannot delete $bond"
        for p in "$@"; do
                ip addr flush dev "$p"
                ip link set "$p" down
        done
        rm -rf /run/systemd/netif
        start_hnvd
        start_networkd
}

# networkd_file PORT: the .network file networkd applied to a link.
networkd_file() {
        networkctl status "$1" 2>/dev/null | sed -n 's/^ *Network File: //p'
}

# networkd_setup_state LINK: networkd's SETUP column (configured,
# unmanaged, configuring...).
networkd_setup_state() {
        networkctl list --no-legend "$1" 2>/dev/null | awk '{print $5}'
}

