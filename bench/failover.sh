#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The failover benchmark: what a VF failover costs the traffic, hnvd against
# the alternative, measured side by side in the same guest and the same run.
# Runs inside a UML guest through tests/vm/uml-run (bench/run does that); see
# docs/performance.md for what is measured and how to read it.
#
#   failover.sh [--runs N] [--quick] [--rate PPS] [--only LIST] [--backend B]
#
#   --runs N    repeat every measurement N times (default 5); medians are reported
#   --quick     1 run, less traffic around each event: checks that it all works
#   --rate PPS  datagrams per second in each direction (default 1000)
#   --scale-groups N  groups in the start-up measurement (default 64)
#   --only LIST measure only these, comma-separated: baseline, release,
#               carrier, remove, hotplug, return, scale (the others print n/a)
#   --backend B kernel (default) or networkmanager: hnvd's backend. With
#               networkmanager a real NetworkManager runs in the guest, hnvd
#               builds the group through its profiles, and the release's
#               alternative is NetworkManager's own way to take a port out,
#               nmcli connection down bondweb-vf0 (no hnvd); baseline,
#               release, carrier and remove only
#
# Every measurement starts from nothing (no hnvd, no bond, a new switch
# namespace, new devices), so runs are independent:
#   baseline          hnvd, a healthy group, no event: the noise floor
#   release_hnv       (a) hnvctl prepare-migration web
#   release_nomaster  (a) the predecessor's way, ip link set vf0 nomaster, on a
#                         bond built by hand with hnvd's options, no hnvd
#   carrier_hnv       (b) the VF loses carrier, hnvd running
#   carrier_plain     (b) the same on the hand-built bond (miimon 100), no hnvd
#   remove_hnv        (c) the VF is unplugged while active, hnvd running
#   remove_plain      (c) the same on the hand-built bond, no hnvd
#   hotplug           (d) a new VF appears, until the bond reports it active
#   return_hnv        (f) after a release and the VF's unplug, the destination's
#                         VF appears as vf1, then hnvctl complete-migration web
#   return_plain      (f) the same on the hand-built bond, the new VF enslaved
#                         and made primary by hand (ip link), no hnvd
#   scale             (e) N groups' devices exist (64), then hnvd starts
# Around (a)-(c) and (f) two UDP flows run at once, guest -> switch and switch ->
# guest, each received at the far end; they end on the sender's
# end-of-stream marker (bench/udpflow.c). Event times come from
# bench/linkwatch.c (rtnetlink, udev, CLOCK_MONOTONIC like hnvd's log).
#
# Output: a table of medians, then the summary JSON, on stdout;
# $HNV_RESULTS/bench.json (summary and every run's figures), table.txt and
# raw/ (each measurement's flows, events and hnvd log). A figure that could
# not be measured is a string "n/a (reason)", never a made-up number.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"
. "$HNV_SRC/tests/integration/nm-lib.sh"

runs=5
backend=kernel
quick=0
rate=1000
only=baseline,release,carrier,remove,hotplug,return,scale
scale_groups=64
while [ $# -gt 0 ]; do
        case "$1" in
        --runs) [ $# -ge 2 ] || fail "--runs needs a number"; runs=$2; shift 2 ;;
        --runs=*) runs=${1#*=}; shift ;;
        --quick) quick=1; shift ;;
        --rate) [ $# -ge 2 ] || fail "--rate needs a number"; rate=$2; shift 2 ;;
        --rate=*) rate=${1#*=}; shift ;;
        --scale-groups) [ $# -ge 2 ] || fail "--scale-groups needs a number"; scale_groups=$2; shift 2 ;;
        --scale-groups=*) scale_groups=${1#*=}; shift ;;
        --only) [ $# -ge 2 ] || fail "--only needs a list"; only=$2; shift 2 ;;
        --only=*) only=${1#*=}; shift ;;
        --backend) [ $# -ge 2 ] || fail "--backend needs a name"; backend=$2; shift 2 ;;
        --backend=*) backend=${1#*=}; shift ;;
        *) fail "usage: failover.sh [--runs N] [--quick] [--rate PPS] [--only LIST] [--backend B] (got '$1')" ;;
        esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || fail "--runs wants a positive number, not '$runs'"
[[ $rate =~ ^[1-9][0-9]*$ ]] || fail "--rate wants a positive number, not '$rate'"
[[ $scale_groups =~ ^[1-9][0-9]*$ ]] && [ "$scale_groups" -le 255 ] ||
        fail "--scale-groups wants a number from 1 to 255, not '$scale_groups'"
for c in ${only//,/ }; do
        [[ $c =~ ^(baseline|release|carrier|remove|hotplug|return|scale)$ ]] || fail "--only: unknown measurement '$c'"
done
want() { [[ ,$only, == *,$1,* ]]; }
case "$backend" in
kernel) release_alt="ip link set vf0 nomaster" ;;
networkmanager)
        release_alt="nmcli connection down bondweb-vf0"
        if want hotplug || want scale || want return; then
                only=${only//hotplug/}; only=${only//scale/}; only=${only//return/}
                log "--backend networkmanager: hotplug, return and scale are measured with the kernel backend only"
        fi
        ;;
*) fail "--backend: kernel or networkmanager, not '$backend'" ;;
esac

# The flows run from before the event until a while after it: pre_s of
# traffic, the event (its command runs to its end), post_s more; then the
# senders are told to stop and send their end-of-stream markers.
# idle_s: how long hnvd is watched at rest, its groups healthy.
if [ "$quick" = 1 ]; then
        runs=1
        pre_s=0.4
        post_s=0.6
        idle_s=2
else
        pre_s=0.7
        post_s=1.0
        idle_s=20
fi

_hnv_need_build
bindir=${HNV_BENCH_BIN:-$HNV_BUILD/bench}
UDPFLOW=$bindir/udpflow
LINKWATCH=$bindir/linkwatch
if ! [ -x "$UDPFLOW" ] || ! [ -x "$LINKWATCH" ]; then
        fail "no $UDPFLOW or $LINKWATCH: build them (bench/meson.build) or use bench/run"
fi
command -v jq >/dev/null || fail "jq is needed"
require_udev

W=/tmp/hnv-bench
rm -rf "$W"
mkdir -p "$W" "$HNV_RESULTS/raw"
records=$W/records.jsonl
: > "$records"
clk_tck=$(getconf CLK_TCK)

# Realtime priorities: linkwatch above the senders, so that on this one-CPU
# guest it runs first after every event and its stamps are the moment the
# event became visible; the senders above everything else, so that their
# pacing is not at the mercy of the scheduler. The receivers need no
# priority: they use the kernel's receive stamps and read every 5 ms.
# hnvd, udevd and the kernel's own work run as they would anyway.
LW_PRIO=60
SEND_PRIO=50
RECV_BATCH_MS=5

VF_MAC=02:00:00:00:01:01
BK_MAC=02:00:00:00:01:02
GUEST_IP=192.0.2.2
SWITCH_IP=192.0.2.1
PORT_G2S=5001   # guest -> switch, received in the switch namespace
PORT_S2G=5002   # switch -> guest, received in the guest

prepare_available=1
prepare_note=

# Processes are what the guest is short of (a fork+exec costs tens of ms of
# its only CPU, taken from whatever is being measured): the helpers below
# use shell builtins where they can, one awk and one jq per measurement.

# ------------------------------------------------------------ waiting

# quiet_wait TIMEOUT_S DESCRIPTION CMD...: like wait_until, but calls CMD
# directly (no subshell) and looks every 50 ms. CMD must be builtins only.
quiet_wait() {
        local timeout=$1 desc=$2 deadline i
        shift 2
        deadline=$(( ${EPOCHREALTIME/./} + $(_hnv_us "$timeout") ))
        _hnv_where_now=$desc
        until "$@"; do
                if (( ${EPOCHREALTIME/./} >= deadline )); then
                        fail "timed out after ${timeout}s waiting for: $desc"
                fi
                for i in 1 2 3 4 5; do
                        _hnv_pause   # lib.sh's 10 ms pause without a process
                done
        done
        _hnv_where_now=
}

# active_is BOND PORT: the bond reports PORT as its active port.
active_is() {
        local a=
        [ -r "/sys/class/net/$1/bonding/active_slave" ] || return 1
        read -r a < "/sys/class/net/$1/bonding/active_slave" || true
        [ "$a" = "$2" ]
}

# A fixed pause, on purpose: traffic before and after each event. This is
# the traffic's schedule, not a wait for a condition.
pause_s() {
        sleep "$1"
}

# ------------------------------------------------------------ linkwatch

LW_PID=
LW_FILE=

lw_start() {
        LW_FILE=$1
        "$LINKWATCH" --rt "$LW_PRIO" > "$LW_FILE" 2> "$LW_FILE.err" &
        LW_PID=$!
        wait_until 10 "linkwatch ready" grep -q ' ready ' "$LW_FILE"
}

lw_stop() {
        [ -n "$LW_PID" ] || return 0
        kill -TERM "$LW_PID" 2>/dev/null || true
        _hnv_wait_dead "$LW_PID" 5 || kill -KILL "$LW_PID" 2>/dev/null || true
        wait "$LW_PID" 2>/dev/null || true
        LW_PID=
}

# lw_mark: "now" in linkwatch's output (SIGUSR1; linkwatch runs at once).
lw_mark() {
        kill -USR1 "$LW_PID"
}

# ------------------------------------------------------------ hnvd

# hnvd_usage: HNVD_USAGE becomes {"hwm_kb":N,"cpu_ms":N} for the running
# hnvd (peak RSS, user+system CPU time since it started), or null.
hnvd_usage() {
        local k v line rest hwm=null
        HNVD_USAGE=null
        [ -n "$HNVD_PID" ] && _hnv_alive "$HNVD_PID" || return 0
        while read -r k v _; do
                [ "$k" = VmHWM: ] && hwm=$v
        done < "/proc/$HNVD_PID/status"
        read -r line < "/proc/$HNVD_PID/stat"
        rest=${line##*) }
        local -a f
        read -r -a f <<< "$rest"
        # after the command: state is field 3 of stat(5), utime 14, stime 15
        HNVD_USAGE="{\"hwm_kb\":$hwm,\"cpu_ms\":$(( (f[11] + f[12]) * 1000 / clk_tck ))}"
}

# hnvd_idle: HNVD_IDLE becomes {"seconds","wakeups_per_min","rss_kb"} for
# the running hnvd at rest for idle_s seconds (after one status call, and
# 2 s for the bond's last notifications and hnvd's settle timers), or null.
# A wakeup is a context switch, voluntary or not: hnvd has no timer of its
# own, so at rest it should have none.
hnvd_idle() {
        local k v c0=0 c1=0 rss=null anon=null t0 t1
        HNVD_IDLE=null
        [ -n "$HNVD_PID" ] && _hnv_alive "$HNVD_PID" || return 0
        # At rest means nothing left to hear about: udevd's backlog of the
        # new bonds' add events outlasts the groups' health by some 20 s at
        # 64 groups in this guest, and hnvd reads each (about 100 wakeups a
        # minute were that, not hnvd).
        udev_settle 240
        # At rest after the console has looked, as it does: the status
        # answer for every group is hnvd's largest transient allocation.
        "$HNVCTL" --json status >/dev/null || true
        pause_s 2
        while read -r k v _; do
                case "$k" in *ctxt_switches:) c0=$((c0 + v)) ;; esac
        done < "/proc/$HNVD_PID/status"
        t0=${EPOCHREALTIME/./}
        pause_s "$idle_s"
        t1=${EPOCHREALTIME/./}
        _hnv_alive "$HNVD_PID" || return 0
        while read -r k v _; do
                case "$k" in
                *ctxt_switches:) c1=$((c1 + v)) ;;
                VmRSS:) rss=$v ;;
                RssAnon:) anon=$v ;;
                esac
        done < "/proc/$HNVD_PID/status"
        HNVD_IDLE="{\"seconds\":$(( (10#$t1 - 10#$t0) / 1000000 )),\"wakeups_per_min\":$(( (c1 - c0) * 60000000 / (10#$t1 - 10#$t0) )),\"rss_kb\":$rss,\"anon_kb\":$anon}"
}

hnvd_log_lines() {
        if [ -s "$HNVD_LOG" ]; then
                wc -l < "$HNVD_LOG"
        else
                echo 0
        fi
}

# hnvd_log_save FROM_LINE FILE: this measurement's part of hnvd's log.
hnvd_log_save() {
        [ -s "$HNVD_LOG" ] || return 0
        awk -v from="$1" 'NR > from && !/varlink/' "$HNVD_LOG" > "$2"
}

# ------------------------------------------------------------ state reset

FLOW_PIDS=()
SENDER_PIDS=()

flows_kill() {
        local p
        for p in "${FLOW_PIDS[@]}"; do
                kill -TERM "$p" 2>/dev/null || true
        done
        for p in "${FLOW_PIDS[@]}"; do
                _hnv_wait_dead "$p" 5 || kill -KILL "$p" 2>/dev/null || true
                wait "$p" 2>/dev/null || true
        done
        FLOW_PIDS=()
        SENDER_PIDS=()
}

no_links_but_lo() {
        local d
        for d in /sys/class/net/*; do
                # (bonding_masters is a file, not a link)
                [ -d "$d" ] && [ "${d##*/}" != lo ] && return 1
        done
        return 0
}

# reset_world: no hnvd, no bond, no switch, no device: the next measurement
# starts from nothing.
reset_world() {
        local d batch=
        flows_kill
        lw_stop
        if [ -n "$HNVD_PID" ]; then
                stop_hnvd
        fi
        rm -f /run/hnv/state.json /etc/hnv/hnv.conf
        # NetworkManager would bring the bond back from its profile.
        if [ "$backend" = networkmanager ]; then
                nmcli connection delete bondweb bondweb-vf0 bondweb-bk0 >/dev/null 2>&1 || true
        fi
        # The switch namespace takes the far ends with it and veth the near
        # ends (the kernel does that in the background); bonds and anything
        # else go in one ip(8).
        if [ -e /run/netns/sw ]; then
                ip netns del sw
        fi
        for d in /sys/class/net/*; do
                [ -d "$d" ] && [ "${d##*/}" != lo ] && batch+="link del ${d##*/}"$'\n'
        done
        [ -z "$batch" ] || ip -force -batch - <<< "$batch" >/dev/null 2>&1 || true
        quiet_wait 30 "the previous measurement's links to go" no_links_but_lo
        udev_settle
}

# ------------------------------------------------------------ setups

# switch_up: lib.sh's switch_setup (the same bridges, addresses and
# uplink), but the namespace "sw" is owned by a user namespace of its own.
# The kernel then sends the uevents of the switch's devices to that
# namespace only, not to the guest's udevd, which would otherwise spend the
# guest's only CPU on devices that in reality live in a switch (half of all
# uevents here). Root in the guest manages it as before (ip -n sw, ip netns
# exec sw, lib.sh's vf_carrier and del_dev).
_sw_ns_ready() {
        local a b
        a=$(readlink "/proc/$1/ns/net") || return 1
        b=$(readlink /proc/self/ns/net)
        [ "$a" != "$b" ]
}
switch_up() {
        local pid
        # A kernel without user namespaces (the netns tier's is built
        # without them): a plain namespace, whose devices' uevents then
        # reach the guest's udevd too, and the figures carry that load.
        if ! unshare --user -- true 2>/dev/null; then
                log "no user namespaces: the switch is a plain network namespace"
                ip netns add sw || fail "ip netns add sw"
                switch_bridges
                return
        fi
        unshare --user --net -- sleep 60 &
        pid=$!
        wait_until 10 "a network namespace for the switch" _sw_ns_ready "$pid"
        ip netns attach sw "$pid" || fail "ip netns attach sw"
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        switch_bridges
}

# live_port VAR NAME MAC BRIDGE: appends to VAR the ip -n sw batch line for
# a port that appears with its link partner already up, in one step, as a
# hotplugged VF does (lib.sh's add_vf attaches the far end with a second
# command, which would be part of the measurement). Far end: p-NAME.
live_port() {
        [ ${#2} -le 13 ] || fail "live_port: name too long: $2"
        printf -v "$1" '%slink add p-%s master %s up type veth peer name %s address %s netns 1\n' \
                "${!1}" "$2" "$4" "$2" "$3"
}

pings_both_ways() {
        wait_until 10 "guest -> switch ping" ping_ok "$SWITCH_IP"
        wait_until 10 "switch -> guest ping" sw_ping_ok "$GUEST_IP"
}

web_config() {
        local global=
        [ "$backend" = kernel ] || global="[global]
backend = $backend
"
        write_config "$global[group web]
primary = mac:$VF_MAC
backup = mac:$BK_MAC"
}

# guest_address: the guest's address on bondweb. Through NetworkManager the
# bond's profile carries it (an address added behind its back is not its).
guest_address() {
        if [ "$backend" = kernel ]; then
                ip addr add "$GUEST_IP/24" dev bondweb
                return
        fi
        quiet_wait 30 "bondweb-vf0 activated" nm_activated bondweb-vf0
        quiet_wait 30 "bondweb-bk0 activated" nm_activated bondweb-bk0
        nmcli connection modify bondweb ipv4.method manual ipv4.addresses "$GUEST_IP/24" >/dev/null
        nmcli device reapply bondweb >/dev/null
}

# setup_hnv: a healthy group as hnvd builds it: VF vf0 active, backup bk0,
# the guest's address on bondweb.
setup_hnv() {
        local batch=''
        web_config
        switch_up
        start_hnvd --log-level=info
        live_port batch bk0 "$BK_MAC" br0
        live_port batch vf0 "$VF_MAC" ebr0
        ip -n sw -batch - <<< "$batch" || fail "creating vf0 and bk0"
        quiet_wait 60 "vf0 active in bondweb" active_is bondweb vf0
        wait_state web healthy 60
        guest_address
        pings_both_ways
}

# setup_nm_alone: the group as NetworkManager keeps it (built by hnvd), with
# hnvd gone: the alternative for a release with NetworkManager.
setup_nm_alone() {
        setup_hnv
        stop_hnvd
}

# setup_plain: the same bond by hand, as a predecessor without hnvd has it:
# hnvd's options (active-backup, miimon 100, fail_over_mac follow,
# primary_reselect always, 3 peer notifications, the VF primary), the
# ports enslaved in the same order (backup first).
setup_plain() {
        local batch=''
        switch_up
        live_port batch bk0 "$BK_MAC" br0
        live_port batch vf0 "$VF_MAC" ebr0
        ip -n sw -batch - <<< "$batch" || fail "creating vf0 and bk0"
        ip -batch - <<-EOF || fail "hand-built bond"
	link add bondweb type bond mode active-backup miimon 100 fail_over_mac follow primary_reselect always num_grat_arp 3
	link set bk0 master bondweb
	link set vf0 master bondweb
	link set bondweb type bond primary vf0
	link set bondweb up
	addr add $GUEST_IP/24 dev bondweb
	EOF
        quiet_wait 20 "vf0 active in bondweb" active_is bondweb vf0
        pings_both_ways
}

# setup_hnv_released: the source half of a migration done: the group's VF
# released by prepare-migration and unplugged, the backup carrying the
# traffic, the group waiting for the destination's VF.
setup_hnv_released() {
        setup_hnv
        prepare_migration >/dev/null || fail "prepare-migration for the return measurement"
        wait_state web migrating 30
        del_dev vf0
        quiet_wait 30 "vf0 gone" sh -c '! ip link show vf0 >/dev/null 2>&1'
        pings_both_ways
}

# setup_plain_released: the same with the hand-built bond, as the
# predecessor leaves it: the VF taken out (ip link set nomaster), unplugged.
setup_plain_released() {
        setup_plain
        ip link set vf0 nomaster || fail "vf0 nomaster"
        del_dev vf0
        quiet_wait 30 "vf0 gone" sh -c '! ip link show vf0 >/dev/null 2>&1'
        pings_both_ways
}

# The destination's VF appears (its link partner up, in one step, as a
# hotplugged VF does) under a new name with the group's MAC.
new_vf_appears() {
        local batch=''
        live_port batch vf1 "$VF_MAC" ebr0
        ip -n sw -batch - <<< "$batch"
}

# return_hnv: the new VF, then the console's complete-migration, which
# returns once the group is healthy again on it.
return_hnv() {
        new_vf_appears || return
        timeout 60 "$HNVCTL" complete-migration web --timeout 30
}

# return_plain: the new VF enslaved and made primary by hand, as the
# predecessor's scripts do.
return_plain() {
        new_vf_appears || return
        ip link set vf1 master bondweb && ip link set bondweb type bond primary vf1
}

# ------------------------------------------------------------ the flows

# flows_start PREFIX: both receivers, then both senders (for at most 60 s;
# flows_stop ends them).
flows_start() {
        local p=$1
        rm -f "$W/ready.g2s" "$W/ready.s2g"
        ip netns exec sw "$UDPFLOW" recv --batch "$RECV_BATCH_MS" --bind "$SWITCH_IP:$PORT_G2S" --label g2s \
                --ready-file "$W/ready.g2s" > "$p.g2s.recv" 2> "$p.g2s.recv.err" &
        FLOW_PIDS+=($!)
        "$UDPFLOW" recv --batch "$RECV_BATCH_MS" --bind "$GUEST_IP:$PORT_S2G" --label s2g \
                --ready-file "$W/ready.s2g" > "$p.s2g.recv" 2> "$p.s2g.recv.err" &
        FLOW_PIDS+=($!)
        quiet_wait 10 "both receivers listening" test -e "$W/ready.g2s" -a -e "$W/ready.s2g"
        "$UDPFLOW" send --rt "$SEND_PRIO" --to "$SWITCH_IP:$PORT_G2S" --rate "$rate" --duration 60 \
                --label g2s > "$p.g2s.send" 2> "$p.g2s.send.err" &
        SENDER_PIDS+=($!)
        # (ip netns exec execs the sender: this pid is the sender's)
        ip netns exec sw "$UDPFLOW" send --rt "$SEND_PRIO" --to "$GUEST_IP:$PORT_S2G" --rate "$rate" \
                --duration 60 --label s2g > "$p.s2g.send" 2> "$p.s2g.send.err" &
        SENDER_PIDS+=($!)
        FLOW_PIDS+=("${SENDER_PIDS[@]}")
}

# flows_stop: the senders stop (SIGINT) and send their end-of-stream markers.
flows_stop() {
        local p
        for p in "${SENDER_PIDS[@]}"; do
                kill -INT "$p" 2>/dev/null || true
        done
        SENDER_PIDS=()
}

_flows_done() {
        local p
        for p in "${FLOW_PIDS[@]}"; do
                _hnv_alive "$p" && return 1
        done
        return 0
}

# flows_wait: after flows_stop, the receivers end on the markers (or after
# 5 s of silence). Bounded.
flows_wait() {
        quiet_wait 20 "the flows to end" _flows_done
        local p
        for p in "${FLOW_PIDS[@]}"; do
                wait "$p" 2>/dev/null || true
        done
        FLOW_PIDS=()
}

# add_record JSON: one line of records.jsonl.
add_record() {
        printf '%s\n' "$1" >> "$records"
}

# ------------------------------------------------------------ measurements

# flow_case CASE RUN SETUP [EVENT...]: a fresh setup, flows both ways, the
# EVENT command between pre_s and post_s of traffic, the figures recorded.
flow_case() {
        local c=$1 run=$2 setup=$3 note=null rc=0 out log0 p times rec
        shift 3
        p=$W/run$run.$c
        log "run $run: $c"
        reset_world
        "$setup"
        HNVD_IDLE=null
        [ "$c" != baseline ] || hnvd_idle
        lw_start "$p.lw"
        log0=$(hnvd_log_lines)
        flows_start "$p"
        pause_s "$pre_s"
        if [ $# -gt 0 ]; then
                lw_mark
                set +e
                out=$("$@" 2>&1)
                rc=$?
                set -e
                if [ "$rc" -ne 0 ]; then
                        note=$(jq -n --arg s "$* exited $rc: $out" '$s')
                        log "$c: $* exited $rc: $out"
                fi
        fi
        pause_s "$post_s"
        flows_stop
        flows_wait
        hnvd_usage
        if [ "$setup" = setup_hnv ] && [ "$HNVD_USAGE" = null ]; then
                note='"hnvd is not running any more"'
                log "$c: hnvd died"
        fi
        hnvd_log_save "$log0" "$p.hnvd.log"
        lw_stop
        # hnvd's own part of a release: from the call it received to the VF
        # released, by its log's clock. The command's time also holds the
        # start of hnvctl, hundreds of ms of fork and exec in this guest.
        local hnvd_release=null
        if [ "$c" = release_hnv ] && [ -s "$p.hnvd.log" ]; then
                hnvd_release=$(awk '
                        function t(l) { sub(/^\[ */, "", l); sub(/\].*/, "", l); return l + 0 }
                        / prepare-migration .*requested/ && r == "" { r = t($0) }
                        /: released for migration/ && r != "" && d == "" { d = t($0) }
                        END { if (r != "" && d != "") printf "%.3f", (d - r) * 1000; else printf "null" }
                        ' "$p.hnvd.log")
        fi
        # What the kernel reported after the command: the cause (carrier
        # loss or the device going), the backup active, the VF out; for the
        # return to the VF, the new VF vf1 active.
        local want_active=bk0
        [[ $c != return_* ]] || want_active=vf1
        times=$(awk -v want_active="$want_active" '
                function j(v) { return v == "" ? "null" : v }
                $2 == "mark" && mark == "" { mark = $1 }
                mark != "" {
                        if (cause == "" && (($2 == "carrier" && $3 == "vf0" && $4 == "0") || ($2 == "del" && $3 == "vf0")))
                                cause = $1
                        if (active == "" && $2 == "active" && $3 == "bondweb" && $4 == want_active)
                                active = $1
                        if (released == "" && (($2 == "master" && $3 == "vf0" && $4 == "-") || ($2 == "del" && $3 == "vf0")))
                                released = $1
                }
                END { printf "{\"mark\":%s,\"cause\":%s,\"active\":%s,\"released\":%s}\n", j(mark), j(cause), j(active), j(released) }
                ' "$p.lw")
        local args=() f
        for f in g2s.recv g2s.send s2g.recv s2g.send; do
                if [ -s "$p.$f" ]; then
                        args+=(--slurpfile "${f/./_}" "$p.$f")
                else
                        args+=(--argjson "${f/./_}" '[]')
                fi
        done
        # The event must fall inside both flows: traffic before the command,
        # and some after the last thing the kernel reported.
        rec=$(jq -c -n --arg case "$c" --argjson run "$run" --argjson t "$times" --argjson note "$note" \
                --argjson rc "$rc" --argjson hnvd "$HNVD_USAGE" --argjson hnvd_release "$hnvd_release" \
                --argjson idle "$HNVD_IDLE" "${args[@]}" '
                def ms(a; b): if a == null or b == null then null else ((b - a) * 1000000 | round) / 1000 end;
                ([$t.mark, $t.cause, $t.active, $t.released] | map(select(. != null)) | max) as $last |
                {case: $case, run: $run, note: $note, event_rc: $rc, hnvd: $hnvd, idle: $idle,
                 flows: {g2s: {recv: $g2s_recv[0], send: $g2s_send[0]}, s2g: {recv: $s2g_recv[0], send: $s2g_send[0]}},
                 event_inside_flows: (if $t.mark == null then true else
                        ([$g2s_recv[0], $s2g_recv[0]] | all(. != null and .first_s != null and
                                .first_s < $t.mark and .last_s > $last + 0.3)) end),
                 times: {cause_to_active_ms: ms($t.cause; $t.active), command_to_active_ms: ms($t.mark; $t.active),
                         command_to_released_ms: ms($t.mark; $t.released),
                         request_to_released_ms: $hnvd_release, stamps: $t}}') ||
                fail "cannot record $c"
        [[ $rec == *'"event_inside_flows":true'* ]] ||
                log "$c: the event was not inside both flows; this run is left out of the medians"
        add_record "$rec"
}

prepare_migration() {
        timeout 60 "$HNVCTL" prepare-migration web --timeout 30
}

release_hnv() {
        local run=$1 note
        if [ "$prepare_available" = 1 ]; then
                flow_case release_hnv "$run" setup_hnv prepare_migration
                # An hnvctl or hnvd without the command: say so, carry on.
                note=$(tail -n 1 "$records")
                if [[ $note =~ unknown\ command|MethodNotFound|not\ implemented ]]; then
                        prepare_available=0
                        prepare_note="prepare-migration not available"
                        log "hnvctl prepare-migration is not available; measuring the rest"
                        sed -i '$d' "$records"
                fi
        fi
        if [ "$prepare_available" = 0 ]; then
                add_record "$(jq -c -n --arg c release_hnv --argjson run "$run" --arg n "$prepare_note" \
                        '{case: $c, run: $run, note: $n, unavailable: true}')"
        fi
}

hotplug_case() {
        local run=$1 c=hotplug log0 p batch='' times hnvd_t rec
        p=$W/run$run.$c
        log "run $run: $c"
        reset_world
        web_config
        switch_up
        start_hnvd --log-level=info
        live_port batch bk0 "$BK_MAC" br0
        ip -n sw -batch - <<< "$batch" || fail "creating bk0"
        quiet_wait 20 "bk0 active in bondweb" active_is bondweb bk0
        wait_state web degraded 20
        udev_settle
        lw_start "$p.lw"
        log0=$(hnvd_log_lines)
        batch=
        live_port batch vf0 "$VF_MAC" ebr0
        lw_mark
        ip -n sw -batch - <<< "$batch" || fail "hotplug vf0"
        quiet_wait 30 "the new VF active in bondweb" active_is bondweb vf0
        # udevd sends the event after the RUN programs: wait until it has.
        udev_settle
        wait_until 10 "linkwatch to see udev's add event for vf0" grep -q ' udev add vf0 ' "$p.lw"
        hnvd_usage
        hnvd_log_save "$log0" "$p.hnvd.log"
        lw_stop
        times=$(awk '
                function j(v) { return v == "" ? "null" : v }
                $2 == "mark" && mark == "" { mark = $1 }
                mark != "" && new == "" && $2 == "new" && $3 == "vf0" { new = $1; idx = $4 }
                new != "" && db == "" && $2 == "udevdb" && $3 == idx { db = $1 }
                new != "" && ev == "" && $2 == "udev" && $3 == "add" && $4 == "vf0" { ev = $1 }
                new != "" && act == "" && $2 == "active" && $3 == "bondweb" && $4 == "vf0" { act = $1 }
                END { printf "{\"mark\":%s,\"new\":%s,\"udevdb\":%s,\"udev_event\":%s,\"active\":%s}\n",
                        j(mark), j(new), j(db), j(ev), j(act) }
                ' "$p.lw")
        # hnvd's own line for it (the same clock)
        hnvd_t=$(awk '/vf0: belongs to group web/ { s = $0; sub(/^\[ */, "", s); sub(/\].*/, "", s); print s; exit }' \
                "$p.hnvd.log")
        rec=$(jq -c -n --arg case "$c" --argjson run "$run" --argjson t "$times" --argjson hnvd "$HNVD_USAGE" \
                --argjson belongs "${hnvd_t:-null}" '
                def ms(a; b): if a == null or b == null then null else ((b - a) * 1000000 | round) / 1000 end;
                # When udev was done with the device as far as hnvd is
                # concerned: its event, or its database entry if hnvd
                # found that first (hnvd looks it up when the kernel
                # announces the device, and udevd writes it before it
                # runs the RUN programs and sends the event).
                (if $belongs != null and $t.udev_event != null and $belongs < $t.udev_event and $t.udevdb != null
                 then $t.udevdb else $t.udev_event end) as $ready |
                {case: $case, run: $run, hnvd: $hnvd,
                 times: {udev_to_active_ms: ms($ready; $t.active), new_to_active_ms: ms($t.new; $t.active),
                         new_to_udev_ms: ms($t.new; $ready), new_to_udevdb_ms: ms($t.new; $t.udevdb),
                         new_to_udev_event_ms: ms($t.new; $t.udev_event), udev_to_hnvd_ms: ms($ready; $belongs),
                         hnvd_used_udevdb: ($ready != $t.udev_event),
                         stamps: ($t + {hnvd_belongs: $belongs})}}') || fail "cannot record $c"
        add_record "$rec"
}

_all_vfs_active() {
        local i
        for ((i = 1; i <= scale_groups; i++)); do
                active_is "bondg$i" "vf$i" || return 1
        done
}

# last_vf_active FILE: when, after linkwatch's mark, the last bond reported
# its VF active (its last change to it), as {"mark","last_vf_active",
# "bonds_seen"}.
last_vf_active() {
        awk '
                $2 == "mark" && mark == "" { mark = $1 }
                mark != "" && $2 == "active" && $3 ~ /^bondg[0-9]+$/ {
                        n = substr($3, 6)
                        if ($4 == "vf" n) t[$3] = $1; else delete t[$3]
                }
                END {
                        m = ""; c = 0
                        for (b in t) { c++; if (m == "" || t[b] + 0 > m + 0) m = t[b] }
                        printf "{\"mark\":%s,\"last_vf_active\":%s,\"bonds_seen\":%d}\n",
                                mark == "" ? "null" : mark, m == "" ? "null" : m, c
                }' "$1"
}

scale_case() {
        local run=$1 c=scale i x conf='' batch='' bonds='' unbond='' p times limit rec
        p=$W/run$run.$c
        log "run $run: $c ($scale_groups groups)"
        reset_world
        for ((i = 1; i <= scale_groups; i++)); do
                printf -v x '%02x' "$i"
                conf+="[group g$i]
primary = mac:02:00:00:02:$x:01
backup = mac:02:00:00:02:$x:02
"
                live_port batch "bk$i" "02:00:00:02:$x:02" br0
                live_port batch "vf$i" "02:00:00:02:$x:01" ebr0
                # The physical limit: the same bonds as hnvd builds them,
                # by one ip(8) that knows the answer, no discovery at all.
                bonds+="link add bondg$i address 02:00:00:02:$x:01 type bond mode active-backup miimon 100 fail_over_mac follow primary_reselect always num_grat_arp 3
link set bk$i master bondg$i
link set vf$i master bondg$i
link set bondg$i type bond primary vf$i
link set bondg$i up
"
                unbond+="link del bondg$i
"
        done
        write_config "$conf"
        switch_up
        ip -n sw -batch - <<< "$batch" || fail "creating $scale_groups groups' devices"
        # The devices exist and udev is done with them before hnvd starts
        # (udevd takes about 0.3 s a device in this guest, longer when busy).
        udev_settle 240
        log "$c: $((2 * scale_groups)) devices ready"
        lw_start "$p.lw"
        lw_mark
        start_hnvd --log-level=info
        quiet_wait 180 "all $scale_groups bonds with their VF active" _all_vfs_active
        hnvd_usage
        lw_stop
        times=$(last_vf_active "$p.lw")
        hnvd_idle
        # The same devices, hnvd gone, its bonds deleted, udev done with that.
        stop_hnvd
        rm -f /run/hnv/state.json
        ip -force -batch - <<< "$unbond" >/dev/null 2>&1 || true
        udev_settle 240
        lw_start "$p.limit.lw"
        lw_mark
        ip -batch - <<< "$bonds" || fail "the ip -batch of $scale_groups bonds failed"
        quiet_wait 180 "all $scale_groups ip(8) bonds with their VF active" _all_vfs_active
        lw_stop
        limit=$(last_vf_active "$p.limit.lw")
        rec=$(jq -c -n --arg case "$c" --argjson run "$run" --argjson t "$times" --argjson l "$limit" \
                --argjson hnvd "$HNVD_USAGE" --argjson idle "$HNVD_IDLE" --argjson groups "$scale_groups" '
                def ms(a; b): if a == null or b == null then null else ((b - a) * 1000000 | round) / 1000 end;
                def all_ms(t): if t.bonds_seen == $groups then ms(t.mark; t.last_vf_active) else null end;
                {case: $case, run: $run, hnvd: $hnvd, idle: $idle, groups: $groups,
                 times: {start_to_all_active_ms: all_ms($t), ip_batch_to_all_active_ms: all_ms($l),
                         stamps: $t, limit_stamps: $l}}') || fail "cannot record $c"
        add_record "$rec"
}

# ------------------------------------------------------------ the runs

if [ "$backend" = networkmanager ]; then
        # As on a guest with hnv installed: the ports are known to udev as
        # the group's, so NetworkManager leaves them to hnvd until their
        # port profiles exist.
        nm_model_real_nics
        udev_rule_group "$VF_MAC" web primary
        udev_rule_group "$BK_MAC" web backup
        start_nm
fi

log "failover benchmark: $runs run(s), $rate datagrams/s each way, ${pre_s}s of traffic before each event, ${post_s}s after"
bench_t0=${EPOCHREALTIME/./}
for ((run = 1; run <= runs; run++)); do
        ! want baseline || flow_case baseline "$run" setup_hnv
        if want release; then
                release_hnv "$run"
                if [ "$backend" = kernel ]; then
                        flow_case release_nomaster "$run" setup_plain ip link set vf0 nomaster
                else
                        flow_case release_nomaster "$run" setup_nm_alone nmcli connection down bondweb-vf0
                fi
        fi
        if want carrier; then
                flow_case carrier_hnv "$run" setup_hnv vf_carrier vf0 off
                flow_case carrier_plain "$run" setup_plain vf_carrier vf0 off
        fi
        if want remove; then
                flow_case remove_hnv "$run" setup_hnv del_dev vf0
                flow_case remove_plain "$run" setup_plain del_dev vf0
        fi
        ! want hotplug || hotplug_case "$run"
        if want return; then
                flow_case return_hnv "$run" setup_hnv_released return_hnv
                flow_case return_plain "$run" setup_plain_released return_plain
        fi
        ! want scale || scale_case "$run"
        mv "$W/run$run".* "$HNV_RESULTS/raw/"
done
reset_world
bench_s=$(( (${EPOCHREALTIME/./} - bench_t0) / 1000000 ))
cp "$records" "$HNV_RESULTS/raw/records.jsonl"

# ------------------------------------------------------------ the summary

jq -s -c \
        --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        --arg kernel "$(uname -r)" \
        --arg hnvd_version "$("$HNVD" --version 2>/dev/null | head -n 1)" \
        --argjson runs "$runs" --argjson quick "$([ "$quick" = 1 ] && echo true || echo false)" \
        --argjson rate "$rate" --argjson pre_s "$pre_s" --argjson post_s "$post_s" \
        --argjson scale_groups "$scale_groups" --argjson bench_s "$bench_s" \
        --arg runner "${HNV_RUNNER:-unknown}" --arg prepare_note "$prepare_note" \
        --arg backend "$backend" --arg alt "$release_alt" '
def na(why): "n/a (" + why + ")";
def median: map(select(type == "number")) | sort |
        if length == 0 then null
        elif length % 2 == 1 then .[(length - 1) / 2]
        else (.[length / 2 - 1] + .[length / 2]) / 2 end;
def r(n): if type == "number" then (. * pow(10; n) | round) / pow(10; n) else . end;
def or_na(why): if . == null then na(why) else . end;
# Loss of one direction: from the marker (sent - received), or, if the
# receiver timed out instead, from the sender'"'"'s own count.
def lost: if .recv == null then null
        elif .recv.end == "marker" then .recv.lost
        elif .send != null then (.send.sent - .recv.received)
        else null end;
def gap: .recv.max_gap_ms // null;
def cases(c): map(select(.case == c));
def flowstats(c; with_switch):
        cases(c) as $r |
        if ($r | length) == 0 then na("not measured")
        elif ($r | all(.unavailable == true)) then na($r[0].note)
        else
                ($r | map(select(.flows != null and .event_inside_flows != false))) as $f |
                {lost_g2s: ($f | map(.flows.g2s | lost) | median | or_na("no sample")),
                 lost_s2g: ($f | map(.flows.s2g | lost) | median | or_na("no sample")),
                 gap_g2s_ms: ($f | map(.flows.g2s | gap) | median | r(1) | or_na("no sample")),
                 gap_s2g_ms: ($f | map(.flows.s2g | gap) | median | r(1) | or_na("no sample")),
                 lossless_runs: ($f | map(select((.flows.g2s | lost) == 0 and (.flows.s2g | lost) == 0)) | length),
                 measured_runs: ($f | length),
                 every_run_lossless: (($f | length) > 0 and
                        ($f | all((.flows.g2s | lost) == 0 and (.flows.s2g | lost) == 0))),
                 failed_events: ($r | map(select(.note != null)) | length),
                 runs_event_outside_flows: ($r | map(select(.event_inside_flows == false)) | length)} +
                (if with_switch then {switch_ms: ($r | map(.times.cause_to_active_ms) | median | r(1) |
                        or_na("no carrier or removal event seen"))} else {} end)
        end;
def ratio(a; b; k):
        if (a | type) != "object" or (b | type) != "object" then na("one side not measured")
        elif (a[k] | type) != "number" or (b[k] | type) != "number" then na("one side not measured")
        elif b[k] == 0 and a[k] == 0 then na("both 0")
        elif b[k] == 0 then na("alternative is 0")
        else (a[k] / b[k]) | r(3) end;
def ratios(a; b): {lost_g2s: ratio(a; b; "lost_g2s"), lost_s2g: ratio(a; b; "lost_s2g"),
        gap_g2s_ms: ratio(a; b; "gap_g2s_ms"), gap_s2g_ms: ratio(a; b; "gap_s2g_ms")} +
        (if (a | type) == "object" and (a | has("switch_ms")) then {switch_ms: ratio(a; b; "switch_ms")} else {} end);
def timestat(c; k): cases(c) | map(.times[k]) | median | r(1) | or_na("no sample");
def hnvdstat(c; k): cases(c) | map(.hnvd[k] // null) | median | r(0) | or_na("no sample");
def flows_all: map(select(.flows != null) | .flows[] | select(. != null));
. as $all |
{
  meta: {schema: 1, date: $date, runner: $runner, kernel: $kernel, hnvd: $hnvd_version,
         backend: $backend, release_alternative: $alt,
         runs: $runs, quick: $quick, rate_pps_each_way: $rate, traffic_before_event_s: $pre_s,
         traffic_after_event_s: $post_s, scale_groups: $scale_groups,
         bench_wall_s: $bench_s,
         instrument: {
           sender_late_slots_max: ($all | flows_all | map(.send.late_slots // null) | max // null),
           sender_max_late_ms: ($all | flows_all | map(.send.max_late_ms // null) | max // null),
           receiver_socket_drops_max: ($all | flows_all | map(.recv.socket_drops // null) | max // null),
           receivers_not_ending_on_marker: ($all | flows_all | map(select(.recv == null or .recv.end != "marker")) | length)}},
  results: {
    baseline: flowstats("baseline"; false),
    release: (flowstats("release_hnv"; false) as $h | flowstats("release_nomaster"; false) as $n |
              {hnv: $h, nomaster: $n, ratio_hnv_over_nomaster: ratios($h; $n),
               hnv_command_to_released_ms: timestat("release_hnv"; "command_to_released_ms"),
               nomaster_command_to_released_ms: timestat("release_nomaster"; "command_to_released_ms"),
               hnvd_request_to_released_ms: timestat("release_hnv"; "request_to_released_ms")}),
    carrier: (flowstats("carrier_hnv"; true) as $h | flowstats("carrier_plain"; true) as $p |
              {hnv: $h, plain: $p, ratio_hnv_over_plain: ratios($h; $p)}),
    removal: (flowstats("remove_hnv"; true) as $h | flowstats("remove_plain"; true) as $p |
              {hnv: $h, plain: $p, ratio_hnv_over_plain: ratios($h; $p)}),
    return: (flowstats("return_hnv"; false) as $h | flowstats("return_plain"; false) as $p |
             {hnv: $h, plain: $p, ratio_hnv_over_plain: ratios($h; $p),
              hnv_command_to_active_ms: timestat("return_hnv"; "command_to_active_ms"),
              plain_command_to_active_ms: timestat("return_plain"; "command_to_active_ms")}),
    hotplug: {udev_to_active_ms: timestat("hotplug"; "udev_to_active_ms"),
              new_to_active_ms: timestat("hotplug"; "new_to_active_ms"),
              new_to_udev_ms: timestat("hotplug"; "new_to_udev_ms"),
              new_to_udevdb_ms: timestat("hotplug"; "new_to_udevdb_ms"),
              new_to_udev_event_ms: timestat("hotplug"; "new_to_udev_event_ms"),
              udev_to_hnvd_ms: timestat("hotplug"; "udev_to_hnvd_ms"),
              runs_hnvd_used_udevdb: (cases("hotplug") | map(select(.times.hnvd_used_udevdb == true)) | length)},
    scale: {groups: $scale_groups,
            start_to_all_active_ms: timestat("scale"; "start_to_all_active_ms"),
            ip_batch_to_all_active_ms: timestat("scale"; "ip_batch_to_all_active_ms"),
            ratio_hnv_over_ip_batch: (cases("scale") | map(select(.times.start_to_all_active_ms != null and
                        .times.ip_batch_to_all_active_ms != null and .times.ip_batch_to_all_active_ms > 0) |
                        .times.start_to_all_active_ms / .times.ip_batch_to_all_active_ms) | median | r(2) |
                        or_na("no sample")),
            hnvd_hwm_kb: hnvdstat("scale"; "hwm_kb"),
            hnvd_cpu_ms: hnvdstat("scale"; "cpu_ms")},
    hnvd: {hwm_kb_1_group: ($all | map(select(.case | test("_hnv$|^baseline$|^hotplug$"))) | map(.hnvd.hwm_kb // null) | median | r(0) | or_na("no sample")),
           cpu_ms_1_group_case: ($all | map(select(.case | test("_hnv$|^baseline$"))) | map(.hnvd.cpu_ms // null) | median | r(0) | or_na("no sample")),
           hwm_kb_scale: hnvdstat("scale"; "hwm_kb"),
           cpu_ms_scale_start: hnvdstat("scale"; "cpu_ms"),
           idle_wakeups_per_min_1_group: (cases("baseline") | map(.idle.wakeups_per_min // null) | median | r(1) | or_na("no sample")),
           idle_wakeups_per_min_scale: (cases("scale") | map(.idle.wakeups_per_min // null) | median | r(1) | or_na("no sample")),
           idle_rss_kb_1_group: (cases("baseline") | map(.idle.rss_kb // null) | median | r(0) | or_na("no sample")),
           idle_rss_kb_scale: (cases("scale") | map(.idle.rss_kb // null) | median | r(0) | or_na("no sample")),
           idle_anon_kb_1_group: (cases("baseline") | map(.idle.anon_kb // null) | median | r(0) | or_na("no sample")),
           idle_anon_kb_scale: (cases("scale") | map(.idle.anon_kb // null) | median | r(0) | or_na("no sample"))}
  },
  runs: $all
}' "$records" > "$HNV_RESULTS/bench.json" || fail "cannot summarise the results"

# ------------------------------------------------------------ the table

jq -r '
def f: if type == "number" then (if . == (. | floor) then tostring else ((. * 10 | round) / 10 | tostring) end)
        elif type == "boolean" then (if . then "yes" else "no" end)
        elif . == null then "-" else tostring end;
def g(o; k): if (o | type) == "object" then (o[k] | f) else (o | f) end;
def pair(o; a; b): if (o | type) == "object" then "\(o[a] | f) / \(o[b] | f)" else (o | f) end;
def every(o): if (o | type) == "object" then
        (if o.every_run_lossless then "yes" else "no" end) + " (\(o.lossless_runs)/\(o.measured_runs) lossless)"
        else (o | f) end;
def rat(o; k): if (o | type) != "object" then (o | f)
        else (o[k] // "n/a (not measured)" | if type == "number" then ((. * 100 | round) / 100 | tostring) else tostring end) end;
# The two rows every flow measurement has: datagrams lost and longest gap,
# hnv against the alternative, and their ratios.
def flowrows(h; a; q):
        (["  lost g->s / s->g", pair(h; "lost_g2s"; "lost_s2g"), pair(a; "lost_g2s"; "lost_s2g"),
          "\(rat(q; "lost_g2s")) / \(rat(q; "lost_s2g"))"] | @tsv),
        (["  longest gap ms g->s / s->g", pair(h; "gap_g2s_ms"; "gap_s2g_ms"), pair(a; "gap_g2s_ms"; "gap_s2g_ms"),
          "\(rat(q; "gap_g2s_ms")) / \(rat(q; "gap_s2g_ms"))"] | @tsv);
.meta as $m | .results as $r |
"hnv failover benchmark, backend \($m.backend // "kernel"): \($m.runs) run(s), medians; \($m.rate_pps_each_way) datagrams/s each way at once",
"(\($m.runner) guest, kernel \($m.kernel), \($m.date); figures are relative: compare the columns, not the machines)",
"",
(["measurement", "hnv", "alternative", "ratio hnv/alt"] | @tsv),
(["baseline, no event: lost g->s / s->g", pair($r.baseline; "lost_g2s"; "lost_s2g"), "", ""] | @tsv),
(["  longest gap ms g->s / s->g (noise floor)", pair($r.baseline; "gap_g2s_ms"; "gap_s2g_ms"), "", ""] | @tsv),
(["(a) planned release [alt: \($m.release_alternative // "ip link set vf0 nomaster")]", "", "", ""] | @tsv),
flowrows($r.release.hnv; $r.release.nomaster; $r.release.ratio_hnv_over_nomaster),
(["  every run 0 lost both ways", every($r.release.hnv), every($r.release.nomaster), ""] | @tsv),
(["  command -> VF released ms (with its exec)", ($r.release.hnv_command_to_released_ms | f),
  ($r.release.nomaster_command_to_released_ms | f),
  (if ($r.release.hnv_command_to_released_ms | type) == "number" and ($r.release.nomaster_command_to_released_ms | type) == "number"
        and $r.release.nomaster_command_to_released_ms > 0
   then ($r.release.hnv_command_to_released_ms / $r.release.nomaster_command_to_released_ms * 100 | round) / 100 | tostring
   else "" end)] | @tsv),
(["  of which hnvd: call received -> VF released ms", ($r.release.hnvd_request_to_released_ms | f), "", ""] | @tsv),
(["(b) VF carrier loss [alt: plain bond, miimon 100]", "", "", ""] | @tsv),
flowrows($r.carrier.hnv; $r.carrier.plain; $r.carrier.ratio_hnv_over_plain),
(["  carrier lost -> backup active ms (kernel)", g($r.carrier.hnv; "switch_ms"), g($r.carrier.plain; "switch_ms"),
  rat($r.carrier.ratio_hnv_over_plain; "switch_ms")] | @tsv),
(["(c) VF surprise removal [alt: plain bond]", "", "", ""] | @tsv),
flowrows($r.removal.hnv; $r.removal.plain; $r.removal.ratio_hnv_over_plain),
(["(f) return to the new VF [alt: plain bond, enslaved by hand]", "", "", ""] | @tsv),
flowrows($r.return.hnv; $r.return.plain; $r.return.ratio_hnv_over_plain),
(["  every run 0 lost both ways", every($r.return.hnv), every($r.return.plain), ""] | @tsv),
(["  VF appears -> VF active ms (with the command)", ($r.return.hnv_command_to_active_ms | f),
  ($r.return.plain_command_to_active_ms | f), ""] | @tsv),
(["(d) VF hotplug: udev ready -> VF active ms", ($r.hotplug.udev_to_active_ms | f), "", ""] | @tsv),
(["  device created -> VF active ms", ($r.hotplug.new_to_active_ms | f), "", ""] | @tsv),
(["  of which udev (created -> udev ready) ms", ($r.hotplug.new_to_udev_ms | f), "", ""] | @tsv),
(["(e) \($r.scale.groups) groups: start -> all VFs active ms [alt: one ip -batch]", ($r.scale.start_to_all_active_ms | f),
  ($r.scale.ip_batch_to_all_active_ms | f), ($r.scale.ratio_hnv_over_ip_batch | f)] | @tsv),
(["hnvd peak RSS (VmHWM) kB: 1 group / \($r.scale.groups) groups", "\($r.hnvd.hwm_kb_1_group | f) / \($r.hnvd.hwm_kb_scale | f)", "", ""] | @tsv),
(["hnvd CPU ms: per 1-group case / \($r.scale.groups)-group start", "\($r.hnvd.cpu_ms_1_group_case | f) / \($r.hnvd.cpu_ms_scale_start | f)", "", ""] | @tsv),
(["hnvd at rest, wakeups/min: 1 group / \($r.scale.groups) groups", "\($r.hnvd.idle_wakeups_per_min_1_group | f) / \($r.hnvd.idle_wakeups_per_min_scale | f)", "", ""] | @tsv),
(["hnvd at rest, RSS (VmRSS) kB: 1 group / \($r.scale.groups) groups", "\($r.hnvd.idle_rss_kb_1_group | f) / \($r.hnvd.idle_rss_kb_scale | f)", "", ""] | @tsv),
(["  of which its own (RssAnon) kB: 1 group / \($r.scale.groups) groups", "\($r.hnvd.idle_anon_kb_1_group | f) / \($r.hnvd.idle_anon_kb_scale | f)", "", ""] | @tsv),
"",
"instrument: worst sender lateness \($m.instrument.sender_max_late_ms | f) ms (\($m.instrument.sender_late_slots_max | f) slots skipped at most), socket drops \($m.instrument.receiver_socket_drops_max | f), receivers not ending on the marker: \($m.instrument.receivers_not_ending_on_marker)"
' "$HNV_RESULTS/bench.json" > "$W/table.tsv" || fail "cannot print the table"
echo
awk -F'\t' 'NF < 2 { print; next } { printf "%-52s %-18s %-18s %s\n", $1, $2, $3, $4 }' "$W/table.tsv" |
        tee "$HNV_RESULTS/table.txt"
echo
echo "JSON (every run's raw figures are in $HNV_RESULTS/bench.json):"
jq '{meta, results}' "$HNV_RESULTS/bench.json"
pass
