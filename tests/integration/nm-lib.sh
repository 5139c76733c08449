# A real NetworkManager in the scenario's guest (see
# docs/notes/networkmanager-in-uml.md): the system D-Bus, NetworkManager with
# a private configuration, and its dispatcher through D-Bus activation.
# shellcheck shell=bash

NM_RUN=/run/hnv-test-nm
NM_PID=

# Scenarios that need NetworkManager skip (77) where it is not installed.
require_nm() {
        command -v NetworkManager >/dev/null || skip "NetworkManager is not installed"
        command -v dbus-daemon >/dev/null || skip "dbus-daemon is not installed"
        require_udev
}

_nm_conf() {
        mkdir -p "$NM_RUN/conf.d" "$NM_RUN/sysconf.d" "$NM_RUN/system-connections"
        cat > "$NM_RUN/NetworkManager.conf" <<-EOC
	[main]
	plugins=keyfile
	auth-polkit=false
	dhcp=internal
	dns=none
	rc-manager=unmanaged
	hostname-mode=none
	systemd-resolved=false
	[keyfile]
	path=$NM_RUN/system-connections
	[connectivity]
	enabled=false
	[logging]
	level=DEBUG
	domains=CORE,DEVICE,SETTINGS,DISPATCH,PLATFORM:INFO
	EOC
}

# start_nm: D-Bus (once) and NetworkManager; returns when NM answers.
# Its log goes to $HNV_RESULTS/NetworkManager.log.
start_nm() {
        require_nm
        if [ ! -S /run/dbus/system_bus_socket ]; then
                mkdir -p /run/dbus
                dbus-daemon --system --fork || fail "dbus-daemon"
                at_exit _nm_stop_dbus
                # Hides Debian's ifupdown hook; the scenario installs its own.
                mount -t tmpfs -o mode=0755 tmpfs /etc/NetworkManager/dispatcher.d
                mount -t tmpfs -o mode=0700 tmpfs /var/lib/NetworkManager
                _nm_conf
                at_exit stop_nm
                diag_hook _nm_diag
        fi
        NetworkManager --debug --config="$NM_RUN/NetworkManager.conf" --config-dir="$NM_RUN/conf.d" \
                --system-config-dir="$NM_RUN/sysconf.d" --intern-config="$NM_RUN/intern.conf" \
                --state-file="$NM_RUN/NetworkManager.state" --pid-file="$NM_RUN/nm.pid" \
                >> "$HNV_RESULTS/NetworkManager.log" 2>&1 &
        NM_PID=$!
        nm-online -s -q -t 60 || fail "NetworkManager did not start within 60 s"
        log "NetworkManager running (pid $NM_PID)"
}

_nm_diag() {
        echo "--- NetworkManager: devices, active connections, last state changes"
        timeout 5 nmcli -f DEVICE,TYPE,STATE,CONNECTION device
        timeout 5 nmcli -f NAME,DEVICE,STATE connection show --active
        grep -E 'state change|Activation|auto-activating|audit' "$HNV_RESULTS/NetworkManager.log" | tail -n 15
}

# stop_nm: SIGTERM, bounded. NetworkManager leaves the devices configured.
stop_nm() {
        [ -n "$NM_PID" ] || return 0
        kill -TERM "$NM_PID" 2>/dev/null || true
        _hnv_wait_dead "$NM_PID" 15 || kill -KILL "$NM_PID" 2>/dev/null
        wait "$NM_PID" 2>/dev/null || true
        NM_PID=
}

_nm_stop_dbus() {
        pkill -x nm-dispatcher 2>/dev/null || true
        pkill -x dbus-daemon 2>/dev/null || true
}

# nm_model_real_nics: veth is unmanaged by NetworkManager's own udev rule
# (85-nm-unmanaged.rules); the VFs and backups these veth stand for are
# managed. An 86- rule undoes it, and hnv's shipped rule (89-) then acts as
# it would on real NICs.
nm_model_real_nics() {
        mkdir -p /run/udev/rules.d
        printf '%s\n' 'SUBSYSTEM=="net", ACTION!="remove", ENV{ID_NET_DRIVER}=="veth", ENV{NM_UNMANAGED}="0"' \
                > /run/udev/rules.d/86-hnv-test-nm-managed.rules
        cp "$HNV_SRC/udev/89-hnv.rules" /run/udev/rules.d/
        udev_reload
}

# nm_profiles: "NAME:TYPE:DEVICE" per profile, sorted (a profile being
# re-activated is listed once per activation: once here).
nm_profiles() {
        nmcli -t -f NAME,TYPE,DEVICE connection show | sort -u
}

# nm_field PROFILE FIELD: one property of a profile (nmcli -g, whose
# escaping of ':' is undone).
nm_field() {
        nmcli -g "$2" connection show "$1" | sed 's/\\:/:/g'
}

# nm_activated PROFILE: NetworkManager has finished activating it.
nm_activated() {
        [ "$(nmcli -g GENERAL.STATE connection show "$1" 2>/dev/null)" = activated ]
}

# assert_no_auto_profile: NetworkManager never made a "Wired connection" of
# its own for a group member.
assert_no_auto_profile() {
        local p
        p=$(nmcli -t -f NAME,DEVICE connection show | grep -i "^Wired connection" || true)
        [ -z "$p" ] || fail "NetworkManager created its own profile: $p"
}

# nm_config GROUP VF_MAC BK_MAC: hnv.conf with the group and the
# networkmanager backend.
nm_config() {
        write_config "[global]
backend = networkmanager
[group $1]
primary = mac:$2
backup = mac:$3"
}

# guest_ping_start / guest_ping_stop: the guest pings the switch every 50 ms
# meanwhile; stop prints ping's summary and fails if the guest was ever
# without its address (no route: "Network is unreachable"). Pings lost while
# no port is in the bond yet ("Destination Host Unreachable": the address
# is there, ARP finds no way out) are counted, not failed.
guest_ping_start() {
        ping -n -i 0.05 -W 1 -c 100000 192.0.2.1 > /tmp/guest-ping.out 2>&1 &
        GUEST_PING=$!
        at_exit kill "$GUEST_PING"
}
guest_ping_stop() {
        kill -INT "$GUEST_PING" 2>/dev/null || true
        wait "$GUEST_PING" 2>/dev/null || true
        log "$1: $(grep -E 'transmitted' /tmp/guest-ping.out)"
        if grep -q "Network is unreachable" /tmp/guest-ping.out; then
                fail "the guest lost its address: $1"
        fi
}

# nm_healthy_group NAME VF VF_MAC BK BK_MAC: as healthy_group, through
# NetworkManager: the ports tagged for udev by MAC, hnvd on the
# networkmanager backend, 192.0.2.2/24 given to the bond's profile the way
# an admin would.
nm_healthy_group() {
        local g=$1 vf=$2 vfmac=$3 bk=$4 bkmac=$5
        switch_setup
        nm_model_real_nics
        udev_rule_group "$vfmac" "$g" primary
        udev_rule_group "$bkmac" "$g" backup
        start_nm
        nm_config "$g" "$vfmac" "$bkmac"
        start_hnvd
        add_backup "$bk" "$bkmac"
        add_vf "$vf" "$vfmac"
        assert_active "bond$g" "$vf" 60
        wait_state "$g" healthy 60
        wait_until 30 "bond$g-$vf activated" nm_activated "bond$g-$vf"
        wait_until 30 "bond$g-$bk activated" nm_activated "bond$g-$bk"
        # hnvd's profile reached NetworkManager after its link did: a
        # placeholder device made from the profile first can stay unrealized.
        ! contains "create virtual device bond$g" < "$HNV_RESULTS/NetworkManager.log" ||
                fail "NetworkManager had the profile bond$g before its link"
        nmcli connection modify "bond$g" ipv4.method manual ipv4.addresses 192.0.2.2/24 >/dev/null
        nmcli device reapply "bond$g" >/dev/null
        wait_until 30 "ping across bond$g" ping_ok 192.0.2.1
}
