# hnv-specific helpers for the scenarios; lib.sh has the generic ones.
# shellcheck shell=bash

# write_config TEXT: the whole of /etc/hnv/hnv.conf (a tmpfs in every runner).
write_config() {
        mkdir -p /etc/hnv
        printf '%s\n' "$1" > /etc/hnv/hnv.conf
}

# numbered_groups N BYTE: hnv.conf text for groups g1..gN, each a VF
# 02:00:00:BYTE:<i>:01 and a backup 02:00:00:BYTE:<i>:02 (i in hex).
numbered_groups() {
        local i
        for ((i = 1; i <= $1; i++)); do
                printf '[group g%d]\nprimary = mac:02:00:00:%s:%02x:01\nbackup = mac:02:00:00:%s:%02x:02\n' \
                        "$i" "$2" "$i" "$2" "$i"
        done
}

# group_field GROUP FIELD: one field of the group from hnvctl's JSON.
group_field() {
        hnvctl --json status "$1" | jq -r ".groups[0].$2"
}

group_state() {
        group_field "$1" state
}

# wait_state GROUP STATE [TIMEOUT]
wait_state() {
        wait_eq "${3:-10}" "group $1 in state $2" "$2" group_state "$1"
}

# assert_bond_options BOND: what hnvd must have asked the kernel for.
assert_bond_options() {
        local d
        d=$(ip -d -j link show "$1" | jq -c '.[0].linkinfo.info_data')
        for want in '"mode":"active-backup"' '"fail_over_mac":"follow"' '"primary_reselect":"always"' \
                    '"miimon":100' '"num_peer_notif":3'; do
                case "$d" in
                *"$want"*) ;;
                *) fail "bond $1: expected $want in $d" ;;
                esac
        done
}

# healthy_group NAME VF VF_MAC BK BK_MAC: the common start of many scenarios:
# a configured group, hnvd running, both ports plugged, the VF active and
# 192.0.2.2/24 on the bond.
healthy_group() {
        local g=$1 vf=$2 vfmac=$3 bk=$4 bkmac=$5
        write_config "[group $g]
primary = mac:$vfmac
backup = mac:$bkmac"
        switch_setup
        start_hnvd
        plug_group "$@"
}

# plug_group NAME VF VF_MAC BK BK_MAC: with hnvd running and the group
# configured, the backup and then the VF plugged, the VF active and
# 192.0.2.2/24 on the bond.
plug_group() {
        local g=$1 vf=$2 vfmac=$3 bk=$4 bkmac=$5
        add_backup "$bk" "$bkmac"
        add_vf "$vf" "$vfmac"
        assert_active "bond$g" "$vf"
        wait_state "$g" healthy
        ip addr add 192.0.2.2/24 dev "bond$g"
        if vf_can traffic "ping across bond$g on $vf"; then
                wait_until 10 "ping across bond$g" ping_ok 192.0.2.1
        fi
}

# hnvd_log_count PATTERN: how many lines of hnvd's log match.
hnvd_log_count() {
        grep -c -- "$1" "$HNVD_LOG" || true
}

# Undefined behaviour in hnvd ends it, so the scenario fails on it rather
# than printing a line nobody reads.
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1

# expect_exit CODE CMD...: run CMD, fail unless it exits CODE; its output is
# left in $out.
expect_exit() {
        local want=$1 rc
        shift
        set +e
        out=$("$@" 2>&1)
        rc=$?
        set -e
        test "$rc" -eq "$want" || fail "$*: exit $rc, want $want: $out"
}

# capture_start FILE FILTER: tcpdump on the switch bridge (with link-level
# headers, so VLAN tags and MACs show) until capture_stop.
capture_start() {
        CAPTURE_FILE=$1
        ip netns exec sw tcpdump -l -n -e -i br0 "$2" > "$CAPTURE_FILE" 2>/dev/null &
        CAPTURE_PID=$!
        # tcpdump is listening once the interface is in promiscuous mode.
        wait_until 10 "tcpdump listening" "ip -n sw -d link show br0 | contains 'promiscuity [1-9]'"
}

capture_stop() {
        kill -INT "$CAPTURE_PID" 2>/dev/null || true
        wait "$CAPTURE_PID" 2>/dev/null || true
}

# assert_only_on BOND ADDR PORT...: ADDR is on the bond and on no port.
# (ip's output is read whole first: grep -q ending early would give ip a
# SIGPIPE, and pipefail would read that as a failure.)
assert_only_on() {
        local bond=$1 addr=$2 p out
        shift 2
        out=$(ip addr show dev "$bond")
        grep -q "inet6\? $addr" <<<"$out" || fail "$bond lacks $addr: $(ip -br addr show dev "$bond")"
        for p in "$@"; do
                out=$(ip addr show dev "$p")
                if grep -q "inet6\? $addr" <<<"$out"; then
                        fail "$p has $addr: $(ip -br addr show dev "$p")"
                fi
        done
}
