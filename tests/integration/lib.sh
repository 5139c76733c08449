# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# Generic helpers for the integration scenarios (hnv-specific ones live in
# hnv-lib.sh). Sourced by a scenario that runs as root under one of the
# runners in tests/vm/: uml-run (a UML guest) or netns-run (fresh network and
# mount namespaces on the host). Both give the scenario:
#   HNV_SRC      the source root
#   HNV_BUILD    the meson build dir (needed only to run hnvd/hnvctl)
#   HNV_RESULTS  a writable dir for logs, kept after a failed run
#   HNV_RUNNER   uml | netns
#   HNV_NO_UDEV  1 when no udev runs (netns runner without a private udevd)
# and a private /run, /etc/hnv and (UML) a private everything else.
#
# Rules for scenarios (docs/style.md, habit 9): assert what the kernel
# reports; wait for a condition with a bound (wait_until, wait_eq,
# assert_active), never a fixed sleep; never pass or fail on a time.
#
# Network model (docs/performance.md, "The network around the guest"): a
# namespace "sw" holds the upstream switch, bridge br0 (02:00:00:00:00:02,
# 192.0.2.1/24, 2001:db8::1/64), and the adapter's embedded switch, bridge
# ebr0 (02:00:00:00:00:03), joined to br0 by a veth uplink that never goes
# down.
# add_vf puts a port's far end on ebr0, add_backup on br0. The guest side of
# every port stays in the root namespace, down and unconfigured: that is
# hnvd's job. Far ends are named by peer_name (p-NAME).
#
# VF kinds (HNV_VF_KIND, set by the runner's caller): veth (the default) or
# netdevsim, a simulated "hardware" device on the netdevsim bus with a driver
# and a device link, as a VF has (see "netdevsim" below). netdevsim has
# no datapath and its carrier is always up: steps that need frames through
# the VF or a carrier flap ask vf_can first, which logs the step it skips.

if [ -z "${BASH_VERSION:-}" ] || [ "${BASH_VERSINFO[0]}" -lt 5 ]; then
        echo "FAIL: lib.sh needs bash >= 5" >&2
        exit 1
fi

HNV_SCENARIO_NAME=${HNV_SCENARIO_NAME:-$(basename "$0" .sh)}
HNV_RUNNER=${HNV_RUNNER:-unknown}
if [ -z "${HNV_RESULTS:-}" ]; then
        HNV_RESULTS=$(mktemp -d "/tmp/hnv-$HNV_SCENARIO_NAME.XXXXXX")
        echo "lib.sh: HNV_RESULTS not set (not run by a runner?); using $HNV_RESULTS" >&2
fi
export HNV_RESULTS HNV_SCENARIO_NAME HNV_RUNNER
HNVD_LOG=$HNV_RESULTS/hnvd.log
HNV_SOCKET=${HNV_SOCKET:-/run/hnv/io.hnv}
HNVD_PID=
_hnv_t0=${EPOCHREALTIME/./}
_hnv_failed=0
_hnv_at_exit=()
_hnv_diag_hooks=()
_hnv_err_where=
_hnv_rule_n=0

# ---------------------------------------------------------------- reporting

# Seconds since the scenario started, for log lines (informational only).
_hnv_elapsed() {
        local us=$(( ${EPOCHREALTIME/./} - _hnv_t0 ))
        printf '%d.%03d' $((us / 1000000)) $(((us / 1000) % 1000))
}

log() {
        printf '[%s] %s\n' "$(_hnv_elapsed)" "$*"
}

# What the kernel (and hnvd) looked like when something went wrong. Most
# telling first, in a few lines each: a CI log keeps only the beginning and
# the end of a long failure.
_hnv_diag() {
        echo "--- diagnosis ($HNV_RUNNER runner)"
        echo "--- ip -br link; ip -br addr"
        ip -br link 2>&1
        ip -br addr 2>&1
        if [ -s "$HNVD_LOG" ]; then
                # The debug lines repeat each try of a step that waits;
                # what it waits for is in the other lines.
                echo "--- $HNVD_LOG: last 25 lines above debug, last 10 lines"
                grep -v '] debug: ' "$HNVD_LOG" | tail -n 25
                echo "..."
                tail -n 10 "$HNVD_LOG"
        fi
        local f
        for f in "${_hnv_diag_hooks[@]}"; do
                "$f" 2>&1
        done
        for f in /proc/net/bonding/*; do
                [ -e "$f" ] || continue
                echo "--- $f"
                cat "$f" 2>&1
        done
        if [ -e /run/netns/sw ]; then
                echo "--- switch (ip -n sw -br link)"
                ip -n sw -br link 2>&1
        fi
        echo "--- ip -d link"
        ip -d link 2>&1
        echo "---"
}

# diag_hook FUNCTION: FUNCTION adds its own lines to a failure's diagnosis
# (a network stack's view of the devices).
diag_hook() {
        _hnv_diag_hooks+=("$1")
}

# fail MSG: the scenario failed. Exits 1.
fail() {
        _hnv_failed=1
        echo "FAIL: $HNV_SCENARIO_NAME: $*"
        _hnv_diag
        exit 1
}

# skip MSG: the scenario cannot run here. Exits 77 (meson's skip).
skip() {
        _hnv_failed=1
        echo "SKIP: $HNV_SCENARIO_NAME: $*"
        exit 77
}

# pass: the end of every scenario.
pass() {
        echo "PASS: $HNV_SCENARIO_NAME"
        exit 0
}

# at_exit CMD...: run CMD when the scenario exits (in reverse order of
# registration, before hnvd is stopped). Use it instead of `trap ... EXIT`,
# which would replace lib.sh's own.
at_exit() {
        _hnv_at_exit+=("$(printf '%q ' "$@")")
}

_hnv_on_err() {
        # Where a command failed; reported if set -e makes it the last one.
        local i where="line ${BASH_LINENO[0]}: $BASH_COMMAND"
        for ((i = 1; i < ${#FUNCNAME[@]}; i++)); do
                where+=" <- ${FUNCNAME[i]}@${BASH_SOURCE[i]##*/}:${BASH_LINENO[i]}"
        done
        _hnv_err_where=$where
}

_hnv_on_exit() {
        local rc=$? i
        trap - ERR
        set +e
        # 100: a package-tier guest script asking for a reboot (tests/pkg).
        if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ "$_hnv_failed" = 0 ] &&
                ! { [ "$rc" -eq 100 ] && [ "$HNV_RUNNER" = pkg ]; }; then
                echo "FAIL: $HNV_SCENARIO_NAME: exited with status $rc${_hnv_err_where:+ after a failed command ($_hnv_err_where)}"
                _hnv_diag
        fi
        for ((i = ${#_hnv_at_exit[@]} - 1; i >= 0; i--)); do
                eval "${_hnv_at_exit[i]}"
        done
        [ -z "${TRAFFIC_PID:-}" ] || kill -INT "$TRAFFIC_PID" 2>/dev/null
        if [ -n "$HNVD_PID" ] && _hnv_alive "$HNVD_PID"; then
                kill -TERM "$HNVD_PID" 2>/dev/null
                _hnv_wait_dead "$HNVD_PID" 5 || kill -KILL "$HNVD_PID" 2>/dev/null
        fi
        exit "$rc"
}
# The runners bound every scenario and end it with SIGTERM (to its process
# group) when the bound is reached: say so, and leave a diagnosis.
_hnv_on_signal() {
        trap - TERM INT
        _hnv_failed=1
        echo "FAIL: $HNV_SCENARIO_NAME: killed by SIG$1 (the runner's time limit?)${_hnv_where_now:+ while waiting for: $_hnv_where_now}"
        _hnv_diag
        exit 143
}
set -o errtrace
trap _hnv_on_err ERR
trap _hnv_on_exit EXIT
trap '_hnv_on_signal TERM' TERM
trap '_hnv_on_signal INT' INT

# ----------------------------------------------------------------- waiting

# A pause without a process (default 20 ms): read(1) with a timeout on a
# pipe that never has data. A sleep(1) per poll would cost a process each
# time, which in UML is most of the budget.
_hnv_pause() {
        if [ -z "${_hnv_pause_fd:-}" ]; then
                # (the group's 2>/dev/null is temporary; a redirection on
                # exec itself would silence the scenario for good)
                { exec {_hnv_pause_fd}<> <(:); } 2>/dev/null || _hnv_pause_fd=none
        fi
        if [ "$_hnv_pause_fd" = none ]; then
                sleep "${1:-0.02}"
        else
                read -r -t "${1:-0.02}" -u "$_hnv_pause_fd" _ || true
        fi
}

# Seconds (decimals allowed) to microseconds.
_hnv_us() {
        local s=${1%%.*} f=0
        [[ $1 == *.* ]] && f=${1#*.}
        f=${f}000000
        echo $(( ${s:-0} * 1000000 + 10#${f:0:6} ))
}

# Is PID a live process (not gone, not a zombie waiting to be reaped)?
_hnv_alive() {
        local stat
        read -r stat 2>/dev/null < "/proc/$1/stat" || return 1
        stat=${stat##*) }
        [ "${stat:0:1}" != Z ]
}

# _hnv_wait_dead PID SECONDS: bounded wait for PID to end (the caller
# reaps it with wait, which then returns at once).
_hnv_wait_dead() {
        local deadline=$(( ${EPOCHREALTIME/./} + $(_hnv_us "$2") ))
        while _hnv_alive "$1"; do
                (( ${EPOCHREALTIME/./} < deadline )) || return 1
                _hnv_pause
        done
}

# contains GREP-ARGS...: grep -q for the end of a pipeline, reading its
# input to the end. grep -q exits at the first match; a writer still
# writing (ip writes each line apart) then dies of SIGPIPE, and pipefail
# fails the pipeline: "the address is gone" while it was there, at random.
# tests/unit/test-scripts.sh keeps grep -q out of pipelines.
contains() {
        local r=0
        grep "$@" > /dev/null || r=$?
        cat > /dev/null
        return "$r"
}

# wait_until TIMEOUT_S DESCRIPTION CMD [ARGS...]
# Re-runs CMD until it succeeds, for at most TIMEOUT_S seconds; then fails
# with DESCRIPTION, CMD's last output and the kernel's state. The pause
# between tries is 20 ms after the first, twice as long after each next, up
# to 320 ms: every try starts processes, and in UML a process costs tens of
# milliseconds of host CPU, so polling every 20 ms kept the guest's CPU busy
# for the whole wait, taken from what is awaited (hnvd, udevd) and from the
# guest beside it.
# With a single CMD argument it is evaluated as shell code on every try, so
#     wait_until 10 "vf0 enslaved" 'test "$(link_master vf0)" = bondweb'
# re-reads the master each time. (Beware: in the multi-word form the shell
# expands "$(...)" once, before wait_until is called; use wait_eq for a
# value that must change.)
wait_until() {
        local timeout=$1 desc=$2 out rc deadline pause=20 secs
        shift 2
        [ $# -ge 1 ] || fail "wait_until: no command"
        deadline=$(( ${EPOCHREALTIME/./} + $(_hnv_us "$timeout") ))
        _hnv_where_now=$desc
        while :; do
                if [ $# -eq 1 ]; then
                        out=$(eval "$1" 2>&1) && { _hnv_where_now=; return 0; }
                else
                        out=$("$@" 2>&1) && { _hnv_where_now=; return 0; }
                fi
                rc=$?
                if (( ${EPOCHREALTIME/./} >= deadline )); then
                        _hnv_failed=1
                        echo "FAIL: $HNV_SCENARIO_NAME: timed out after ${timeout}s waiting for: $desc"
                        echo "--- last try: $* (status $rc), output:"
                        printf '%s\n' "$out"
                        _hnv_diag
                        exit 1
                fi
                printf -v secs '0.%03d' "$pause"
                _hnv_pause "$secs"
                (( pause >= 320 )) || pause=$(( pause * 2 ))
        done
}

# wait_eq TIMEOUT_S DESCRIPTION EXPECTED CMD [ARGS...]
# Like wait_until, until CMD's output (stdout) is exactly EXPECTED.
wait_eq() {
        local timeout=$1 desc=$2 want=$3
        shift 3
        wait_until "$timeout" "$desc (want '$want')" _hnv_output_is "$want" "$@"
}
_hnv_output_is() {
        local want=$1 got
        shift
        got=$("$@" 2>/dev/null)
        [ "$got" = "$want" ] && return 0
        echo "got '$got'"
        return 1
}

# ------------------------------------------------------------ the network

# sw CMD...: run CMD in the switch namespace.
sw() {
        ip netns exec sw "$@"
}

# peer_name NAME: the far end of the guest's port NAME, in namespace sw.
# p-NAME, or for names too long for IFNAMSIZ p- + 8 chars + 5 hex of a hash.
peer_name() {
        local n="p-$1" h
        if [ ${#n} -gt 15 ]; then
                h=$(printf '%s' "$1" | cksum)
                n=$(printf 'p-%s%05x' "${1:0:8}" $(( ${h%% *} & 0xfffff )))
        fi
        printf '%s\n' "$n"
}

switch_setup() {
        ip netns add sw || fail "ip netns add sw"
        switch_bridges
}

# switch_dhcp: a DHCP server on the switch's br0 (dnsmasq) that gives the
# MAC 02:00:00:00:01:01 (the scenarios' VF) 192.0.2.123, stopped at exit;
# its log is in the results. Skips without dnsmasq.
switch_dhcp() {
        command -v dnsmasq >/dev/null || skip "dnsmasq is not installed"
        ip netns exec sw dnsmasq --keep-in-foreground --user=root --group=root --port=0 --no-resolv \
                --interface=br0 --bind-interfaces --dhcp-range=192.0.2.100,192.0.2.150,255.255.255.0,1h \
                --dhcp-host=02:00:00:00:01:01,192.0.2.123 --dhcp-leasefile=/run/dnsmasq.leases \
                --pid-file=/run/dnsmasq.pid --log-dhcp --log-facility="$HNV_RESULTS/dnsmasq.log" &
        at_exit kill "$!"
}

# switch_bridges: the switch's bridges and addresses, in an existing "sw".
switch_bridges() {
        # One ip(8) for the whole switch: processes are expensive in UML.
        # Fixed bridge MACs: a bridge otherwise takes its lowest port MAC,
        # which changes when ports come and go, and traffic to the old MAC is
        # flooded instead of delivered. No multicast snooping: IPv6 neighbour
        # discovery must reach a port that just became active without waiting
        # for a new MLD report.
        ip -n sw -batch - <<-EOF || fail "switch setup"
	link set lo up
	link add br0 address 02:00:00:00:00:02 type bridge mcast_snooping 0
	link add ebr0 address 02:00:00:00:00:03 type bridge mcast_snooping 0
	link add up-br0 type veth peer name up-ebr0
	link set up-br0 master br0 up
	link set up-ebr0 master ebr0 up
	link set br0 up
	link set ebr0 up
	addr add 192.0.2.1/24 dev br0
	addr add 2001:db8::1/64 dev br0 nodad
	EOF
}

_hnv_add_port() {
        local name=$1 mac=$2 bridge=$3 peer
        [ ${#name} -le 15 ] || fail "interface name too long: $name"
        peer=$(peer_name "$name")
        ip link add "$name" address "$mac" type veth peer name "$peer" netns sw ||
                fail "cannot create $name ($mac)"
        ip -n sw link set "$peer" master "$bridge" up || fail "cannot attach $peer to $bridge"
}

# add_vf NAME MAC: a VF appears (its far end on the adapter bridge ebr0;
# with HNV_VF_KIND=netdevsim, a netdevsim device with one port, which has no
# far end).
add_vf() {
        case "${HNV_VF_KIND:-veth}" in
        veth) _hnv_add_port "$1" "$2" ebr0 ;;
        netdevsim) nsim_add_vf "$1" "$2" ;;
        *) fail "unknown HNV_VF_KIND '$HNV_VF_KIND' (veth or netdevsim)" ;;
        esac
}

# add_backup NAME MAC: a backup (paravirtual) NIC appears (far end on br0).
# Always a veth: the backup is the path that carries traffic while the VF is
# away, whatever the VF is.
add_backup() {
        _hnv_add_port "$1" "$2" br0
}

# del_dev NAME: the port is unplugged (both ends of the veth go). Deletes
# the far end, so it works after udev renamed the guest side. A netdevsim
# port goes with its whole device, as a VF goes on a PCI hot-unplug.
del_dev() {
        local peer
        if nsim_is_port "$1"; then
                nsim_del_device "$1"
                return
        fi
        peer=$(peer_name "$1")
        if ip -n sw link show "$peer" >/dev/null 2>&1; then
                ip -n sw link del "$peer" || fail "cannot delete $peer"
        else
                ip link del "$1" || fail "cannot delete $1"
        fi
}

# vf_carrier NAME on|off: the port's link partner goes up or down; veth
# carries that across, so the guest side gains or loses carrier at once.
vf_carrier() {
        local state
        case "$2" in
        on|up) state=up ;;
        off|down) state=down ;;
        *) fail "vf_carrier $1: want on or off, got '$2'" ;;
        esac
        ! nsim_is_port "$1" || fail "vf_carrier $1: a netdevsim port has no carrier to take (ask vf_can carrier first)"
        ip -n sw link set "$(peer_name "$1")" "$state" || fail "vf_carrier $1 $2"
}

# vf_can traffic|carrier STEP: whether a VF of this run's kind can do what
# STEP needs: carry frames, or lose and regain carrier (vf_carrier). When
# it cannot (netdevsim: no datapath, carrier always up), logs that STEP is
# skipped for this kind and returns 1; the scenario goes on with the rest.
#   if vf_can traffic "ping across the VF"; then wait_until ...; fi
vf_can() {
        case "${HNV_VF_KIND:-veth}" in
        veth) return 0 ;;
        esac
        case "$1" in
        traffic) log "step skipped with $HNV_VF_KIND VFs: $2 (netdevsim has no datapath)" ;;
        carrier) log "step skipped with $HNV_VF_KIND VFs: $2 (netdevsim's carrier is always up)" ;;
        *) fail "vf_can: want traffic or carrier, got '$1'" ;;
        esac
        return 1
}

# ------------------------------------------------------------ netdevsim
#
# netdevsim (CONFIG_NETDEVSIM) makes devices on its own bus from sysfs:
# "ID N" written to /sys/bus/netdevsim/new_device creates netdevsimID with N
# port netdevs (driver netdevsim, phys_port_name pK, a device link, no
# physfn and no PCI address), in the network namespace of the writer; the
# device's new_port and del_port add and remove ports there. Its ports come
# with a random MAC and no permanent one, and hnvd takes the first MAC it
# sees on a free device as its identity (no permanent MAC to go by), as a
# VF's MAC is the one the hypervisor set before the guest saw it. So ports
# are made in a namespace "hw" (the adapter before the hot-plug), given
# their name and MAC there and only then moved into the guest's namespace.

_hnv_nsim_id=0
NSIM_ID=
_hnv_nsim_waiting=

# nsim_ready: the netdevsim bus and namespace "hw", or skip.
nsim_ready() {
        [ -w /sys/bus/netdevsim/new_device ] ||
                skip "no netdevsim in this kernel (tools/uml-kernel builds one that has it)"
        [ -e /run/netns/hw ] || ip netns add hw || fail "ip netns add hw"
}

# nsim_new_device [PORTS]: a new netdevsim device with PORTS ports (default
# 1) in namespace hw; its id in NSIM_ID. netdevsim devices are global, not
# per namespace: ids taken by a parallel test on the same kernel are skipped,
# and what is left at exit is deleted (its ports would otherwise fall back
# to the host's namespace when ours goes).
nsim_new_device() {
        nsim_ready
        local id=$((_hnv_nsim_id + 1)) end=$((_hnv_nsim_id + 50))
        for ((; id <= end; id++)); do
                [ ! -e "/sys/bus/netdevsim/devices/netdevsim$id" ] || continue
                # The writer's namespace is where the ports appear.
                # shellcheck disable=SC2016 # expanded by the inner sh
                if ip netns exec hw sh -c 'echo "$1 $2" > /sys/bus/netdevsim/new_device' sh "$id" "${1:-1}"; then
                        _hnv_nsim_id=$id
                        NSIM_ID=$id
                        at_exit _hnv_nsim_gone "$id"
                        return 0
                fi
        done
        fail "cannot create a netdevsim device (ids up to $end taken or refused)"
}

_hnv_nsim_gone() {
        [ ! -e "/sys/bus/netdevsim/devices/netdevsim$1" ] || echo "$1" > /sys/bus/netdevsim/del_device
}

# _hnv_nsim_port ID [PORTNAME]: the name of a port of netdevsim device ID
# (with phys_port_name PORTNAME) that waits in hw, in _hnv_nsim_waiting.
_hnv_nsim_port() {
        _hnv_nsim_waiting=$(ip -n hw -j -d link show | jq -r --arg d "netdevsim$1" --arg p "${2:-}" \
                'first(.[] | select(.parentdev == $d and ($p == "" or .phys_port_name == $p)) | .ifname) // empty')
        [ -n "$_hnv_nsim_waiting" ]
}

# nsim_take ID NAME MAC [PORTNAME]: the port of device ID waiting in hw
# (the only one, unless PORTNAME picks one by phys_port_name: every other
# port is moved out as soon as it is made) gets NAME and MAC and moves into
# this namespace, which hnvd watches. Two steps: a move first would show
# hnvd the random MAC.
nsim_take() {
        local id=$1 name=$2 mac=$3
        [ ${#name} -le 15 ] || fail "interface name too long: $name"
        # wait_until runs its command in a subshell: once more here for the name.
        wait_until 10 "a port ${4:-} of netdevsim$id in namespace hw" _hnv_nsim_port "$id" "${4:-}"
        _hnv_nsim_port "$id" "${4:-}" || fail "netdevsim$id's port left namespace hw"
        ip -n hw -batch - <<-EOF || fail "cannot move netdevsim$id's $_hnv_nsim_waiting in as $name ($mac)"
	link set dev $_hnv_nsim_waiting name $name address $mac
	link set dev $name netns $$
	EOF
}

# nsim_add_vf NAME MAC: a VF that is a netdevsim device of one port.
nsim_add_vf() {
        nsim_new_device 1
        nsim_take "$NSIM_ID" "$1" "$2"
}

# nsim_add_rep NAME MAC: a VF representor as the VF: a device of one port
# put in switchdev mode, one VF made (sriov_numvfs), and its representor
# (phys_port_name pf0vf0, devlink flavour pcivf) taken; the device's port
# stays in hw. nsim_del_rep NAME takes the VFs away (sriov_numvfs 0).
nsim_add_rep() {
        nsim_new_device 1
        ip netns exec hw devlink dev eswitch set "netdevsim/netdevsim$NSIM_ID" mode switchdev ||
                fail "netdevsim$NSIM_ID: no switchdev mode"
        echo 1 > "/sys/bus/netdevsim/devices/netdevsim$NSIM_ID/sriov_numvfs" ||
                fail "netdevsim$NSIM_ID: sriov_numvfs 1 refused"
        nsim_take "$NSIM_ID" "$1" "$2" pf0vf0
}

nsim_del_rep() {
        nsim_dev "$1"
        echo 0 > "/sys/bus/netdevsim/devices/netdevsim$NSIM_ID/sriov_numvfs" ||
                fail "netdevsim$NSIM_ID: sriov_numvfs 0 refused"
}

# nsim_new_port ID INDEX NAME MAC: port INDEX added to device ID (new_port),
# named NAME, with MAC; its phys_port_name is p<INDEX + 1>.
nsim_new_port() {
        echo "$2" > "/sys/bus/netdevsim/devices/netdevsim$1/new_port" ||
                fail "netdevsim$1: new_port $2 refused"
        nsim_take "$1" "$3" "$4"
}

# nsim_is_port NAME: NAME is a netdevsim port in this namespace.
nsim_is_port() {
        local d
        # A veth has no device link: no readlink process for it.
        [ -e "/sys/class/net/$1/device/driver" ] || return 1
        d=$(readlink "/sys/class/net/$1/device/driver" 2>/dev/null) && [ "${d##*/}" = netdevsim ]
}

# nsim_dev NAME: the id of the netdevsim device NAME is a port of, in
# NSIM_ID.
nsim_dev() {
        local d
        d=$(readlink "/sys/class/net/$1/device" 2>/dev/null) || fail "$1 has no device link"
        d=${d##*/}
        [ "${d#netdevsim}" != "$d" ] || fail "$1 is not a netdevsim port (device $d)"
        NSIM_ID=${d#netdevsim}
}

# nsim_del_port NAME: the port alone goes (del_port), its device stays.
# phys_port_name is pN with N the port's index + 1 (devlink's port number).
nsim_del_port() {
        local n
        nsim_dev "$1"
        n=$(_hnv_read "/sys/class/net/$1/phys_port_name") || fail "$1 has no phys_port_name"
        n=${n#p}
        [[ $n =~ ^[0-9]+$ ]] || fail "$1: phys_port_name p$n is not pN"
        echo "$((n - 1))" > "/sys/bus/netdevsim/devices/netdevsim$NSIM_ID/del_port" ||
                fail "netdevsim$NSIM_ID: del_port $((n - 1)) refused"
}

# nsim_del_device NAME: the device of port NAME goes whole, every port with
# it (del_device): a PCI hot-unplug.
nsim_del_device() {
        nsim_dev "$1"
        echo "$NSIM_ID" > /sys/bus/netdevsim/del_device || fail "netdevsim$NSIM_ID: del_device refused"
}

# ------------------------------------------------------------------- udev

have_udev() {
        [ "${HNV_NO_UDEV:-0}" != 1 ] && [ -S /run/udev/control ]
}

require_udev() {
        have_udev || skip "needs udev, which this runner ($HNV_RUNNER) does not have"
}

# udev_ping: bounded wait until udevd answers on its control socket, which
# it does only after handling whatever it was sent before.
# Why retries: udevd (systemd 252) accepts a control connection and only then
# sets SO_PASSCRED on it; a message that udevadm sends in between arrives
# with uid 65534 and is dropped ("Invalid sender uid 65534, ignoring
# message"), while udevadm still exits 0 (--reload) or waits in vain
# (--ping, settle). Rare on a quiet machine, seen in ~4% of messages with
# two UML guests running in parallel.
udev_ping() {
        local i
        for i in 1 2 3 4 5 6; do
                udevadm control --ping --timeout=5 2>/dev/null && return 0
        done
        fail "udevd does not answer pings"
}

# udev_reload: udevd re-reads its rules before it handles another event.
# SIGHUP, not `udevadm control --reload`, which can be dropped silently (see
# udev_ping). The ping that follows needs a new control connection (accept,
# then read: two turns of udevd's event loop), so the already pending
# SIGHUP has been handled by the time it is answered.
udev_reload() {
        require_udev
        local pid=
        [ -r /run/hnv-test/udevd.pid ] && read -r pid < /run/hnv-test/udevd.pid
        if [ -n "$pid" ] && kill -HUP "$pid" 2>/dev/null; then
                udev_ping
        else
                udevadm control --reload || fail "udevadm control --reload"
                udev_ping
        fi
}

# udev_rule TEXT: a test-only rule file in /run/udev/rules.d, in force for
# devices that appear after this returns (write rules before the device).
# 60-: after udev's defaults, before 80-net-setup-link (so a NAME= here wins)
# and before rules an installed hnv would ship.
udev_rule() {
        require_udev
        _hnv_rule_n=$((_hnv_rule_n + 1))
        local f
        f=$(printf '/run/udev/rules.d/60-hnv-test-%02d.rules' "$_hnv_rule_n")
        mkdir -p /run/udev/rules.d
        printf '%s\n' "$1" > "$f"
        udev_reload
}

# udev_rule_group NAME|MAC GROUP ROLE: pair a device through HNV_GROUP= and
# HNV_ROLE= properties, matched by kernel name or by MAC address.
udev_rule_group() {
        local match
        if [[ $1 =~ ^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$ ]]; then
                match="ATTR{address}==\"${1,,}\""
        else
                match="KERNEL==\"$1\""
        fi
        udev_rule "SUBSYSTEM==\"net\", ACTION!=\"remove\", $match, ENV{HNV_GROUP}=\"$2\", ENV{HNV_ROLE}=\"$3\""
}

# udev_settle [TIMEOUT_S]: wait (at most TIMEOUT_S, default 30) until udev has
# handled every queued event.
# Retried for the reason given at udev_ping (settle pings udevd first).
udev_settle() {
        have_udev || return 0
        local i tries=$(( (${1:-30} + 9) / 10 ))
        for ((i = 0; i < tries; i++)); do
                udevadm settle --timeout=10 2>/dev/null && return 0
        done
        fail "udevadm settle: udevd still busy or not answering after $((tries * 10)) s"
}

# udev_prop DEV KEY: a property of DEV in udev's database (empty if none).
udev_prop() {
        udevadm info --query=property --property="$2" --value "/sys/class/net/$1" 2>/dev/null
}

# ------------------------------------------------- what the kernel reports

_hnv_read() {
        local v
        [ -r "$1" ] || return 1
        read -r v 2>/dev/null < "$1" || [ -n "$v" ] || true
        printf '%s\n' "$v"
}

# bond_active BOND: the active port, as the bonding driver reports it.
bond_active() {
        _hnv_read "/sys/class/net/$1/bonding/active_slave"
}

bond_primary() {
        _hnv_read "/sys/class/net/$1/bonding/primary"
}

# bond_ports BOND: the ports, space separated, in the driver's order.
bond_ports() {
        _hnv_read "/sys/class/net/$1/bonding/slaves"
}

# bond_option BOND OPTION: any bonding sysfs option (mode, miimon, ...).
bond_option() {
        _hnv_read "/sys/class/net/$1/bonding/$2"
}

# assert_active BOND PORT [TIMEOUT_S]: PORT becomes (or is) the active port.
assert_active() {
        wait_eq "${3:-10}" "active port of $1 is $2" "$2" bond_active "$1"
}

# link_master PORT: its master's name, or nothing. From sysfs with shell
# builtins only: ip and jq cost two processes, a second of host CPU on a
# busy machine in UML. The master is the upper device its "master" link
# points to (a port can have other uppers, such as VLANs).
link_master() {
        local u
        [ -e "/sys/class/net/$1/master" ] || return 0
        for u in "/sys/class/net/$1"/upper_*; do
                if [ "$u" -ef "/sys/class/net/$1/master" ]; then
                        printf '%s\n' "${u##*/upper_}"
                        return 0
                fi
        done
}

link_exists() {
        [ -e "/sys/class/net/$1" ]
}

# link_operstate DEV: up, down, lowerlayerdown, ...
link_operstate() {
        _hnv_read "/sys/class/net/$1/operstate"
}

# link_carrier DEV: 1 or 0 (empty while DEV is down).
link_carrier() {
        _hnv_read "/sys/class/net/$1/carrier" 2>/dev/null
}

# snapshot_links FILE: the kernel's view of every link, to compare later.
# There is no per-link up/down counter in the kernel that survives this
# usefully (carrier_changes counts carrier only), so tests that must prove
# "nothing was touched" compare snapshots and/or record `ip monitor link`.
snapshot_links() {
        ip -j -d link show > "$1" || fail "ip link show"
}

# _hnv_links_quiet FILE: returns once FILE, written by `ip -o monitor link`,
# has had no new line for 1.5 s (at most 15 s); _hnv_quiet_lines is its
# line count then. Earlier changes finish announcing themselves late:
# operstate reaches rtnetlink through the kernel's linkwatch up to a second
# after the change, and a bond sends its peer notifications over
# num_peer_notif miimon ticks.
_hnv_links_quiet() {
        local n=-1 c i
        for ((i = 0; i < 10; i++)); do
                sleep 1.5
                c=$(wc -l < "$1")
                [ "$c" != "$n" ] || break
                n=$c
        done
        [ "$i" -lt 10 ] || fail "link events did not stop for 15 s"
        _hnv_quiet_lines=$n
}

# snapshot_links_settled FILE: snapshot_links once the links have settled
# (_hnv_links_quiet): the view to compare when a test proves that nothing
# was touched. Taken at once, it may hold a bond's NO-CARRIER that the
# kernel clears a moment later by itself.
snapshot_links_settled() {
        local mon pid
        mon=$(mktemp)
        ip -o monitor link > "$mon" &
        pid=$!
        _hnv_links_quiet "$mon"
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null || true
        rm -f "$mon"
        snapshot_links "$1"
}

# watch_links_start FILE / watch_links_stop: record every link event in
# between (`ip -o monitor link`), to prove that nothing was touched. The
# record starts only once the links have settled (_hnv_links_quiet);
# watch_links_stop prints the events after that point.
watch_links_start() {
        _hnv_watch_file=$1
        ip -o monitor link > "$_hnv_watch_file" &
        _hnv_watch_pid=$!
        at_exit _hnv_watch_end
        _hnv_links_quiet "$_hnv_watch_file"
        _hnv_watch_from=$((_hnv_quiet_lines + 1))
}
_hnv_watch_end() {
        kill "$_hnv_watch_pid" 2>/dev/null
        wait "$_hnv_watch_pid" 2>/dev/null || true
}
watch_links_stop() {
        _hnv_watch_end
        tail -n "+$_hnv_watch_from" "$_hnv_watch_file"
}

# assert_links_unchanged BEFORE AFTER DEV...: same ifindex, flags and master.
assert_links_unchanged() {
        local before=$1 after=$2 dev a b
        shift 2
        for dev in "$@"; do
                b=$(jq -c --arg d "$dev" '.[] | select(.ifname == $d) | [.ifindex, .flags, .master]' "$before")
                a=$(jq -c --arg d "$dev" '.[] | select(.ifname == $d) | [.ifindex, .flags, .master]' "$after")
                [ "$a" = "$b" ] || fail "$dev changed: $b -> $a"
        done
}

# -------------------------------------------------------------- traffic

# ping_ok IP: one echo from the guest (root namespace) answered.
ping_ok() {
        ping -n -q -c 1 -W 1 "$1" >/dev/null 2>&1
}

# sw_ping_ok IP: one echo from the switch to the guest answered.
sw_ping_ok() {
        ip netns exec sw ping -n -q -c 1 -W 1 "$1" >/dev/null 2>&1
}

# traffic_start [IP] [COUNT] [INTERVAL_S]: a bounded ping flood from the
# switch to the guest (default 192.0.2.2, 1000 packets, every 10 ms).
# traffic_wait then reads the loss; it ends on ping's own end of stream
# (every reply received or given up on), not on a wall-clock window.
traffic_start() {
        local ip=${1:-192.0.2.2} count=${2:-1000} interval=${3:-0.01}
        [ -z "${TRAFFIC_PID:-}" ] || fail "traffic already running"
        TRAFFIC_LOG=$(mktemp "$HNV_RESULTS/traffic.XXXXXX")
        ip netns exec sw ping -n -i "$interval" -c "$count" -W 1 "$ip" > "$TRAFFIC_LOG" 2>&1 &
        TRAFFIC_PID=$!
        TRAFFIC_COUNT=$count
        TRAFFIC_INTERVAL=$interval
}

_hnv_traffic_done() {
        grep -q 'packets transmitted' "$TRAFFIC_LOG"
}

_hnv_traffic_result() {
        wait "$TRAFFIC_PID" 2>/dev/null
        TRAFFIC_PID=
        local line
        line=$(grep 'packets transmitted' "$TRAFFIC_LOG") || fail "no ping summary in $TRAFFIC_LOG"
        TRAFFIC_SENT=$(sed -E 's/^([0-9]+) packets transmitted.*/\1/' <<<"$line")
        TRAFFIC_RECEIVED=$(sed -E 's/.* ([0-9]+) (packets )?received.*/\1/' <<<"$line")
        TRAFFIC_LOST=$((TRAFFIC_SENT - TRAFFIC_RECEIVED))
        log "traffic: sent $TRAFFIC_SENT, received $TRAFFIC_RECEIVED, lost $TRAFFIC_LOST"
}

# traffic_wait [TIMEOUT_S]: wait for the flood to finish; sets TRAFFIC_SENT,
# TRAFFIC_RECEIVED, TRAFFIC_LOST.
# shellcheck disable=SC2120 # the argument is optional
traffic_wait() {
        [ -n "${TRAFFIC_PID:-}" ] || fail "no traffic running"
        local bound=${1:-$(awk -v c="$TRAFFIC_COUNT" -v i="$TRAFFIC_INTERVAL" 'BEGIN { printf "%d", c * i * 3 + 30 }')}
        wait_until "$bound" "the traffic to end" _hnv_traffic_done
        _hnv_traffic_result
}

# traffic_stop: end the flood now (SIGINT; replies in flight count as lost)
# and read the loss as traffic_wait does.
traffic_stop() {
        [ -n "${TRAFFIC_PID:-}" ] || fail "no traffic running"
        kill -INT "$TRAFFIC_PID" 2>/dev/null
        wait_until 10 "ping to print its summary" _hnv_traffic_done
        _hnv_traffic_result
}

# ------------------------------------------------------------------ hnv

_hnv_need_build() {
        # The package tier (tests/pkg) uses these helpers on a guest where
        # hnv is installed from its packages and run by systemd.
        if [ "${HNV_INSTALLED:-0}" = 1 ]; then
                HNVD=/usr/sbin/hnvd
                HNVCTL=/usr/bin/hnvctl
                return 0
        fi
        [ -n "${HNV_BUILD:-}" ] ||
                fail "HNV_BUILD is not set: run through 'meson test' or export HNV_BUILD=<meson build dir>"
        HNVD=$HNV_BUILD/src/daemon/hnvd
        HNVCTL=$HNV_BUILD/src/ctl/hnvctl
        # hnvd loads its NetworkManager backend from the build tree.
        export HNV_MODULE_DIR=${HNV_MODULE_DIR:-$HNV_BUILD/src/backends}
        [ -x "$HNVD" ] || fail "hnvd is not built: no $HNVD"
        [ -x "$HNVCTL" ] || fail "hnvctl is not built: no $HNVCTL"
}

# hnvctl ARGS...: the built hnvctl.
hnvctl() {
        _hnv_need_build
        "$HNVCTL" "$@"
}

_hnvd_ready() {
        if ! _hnv_alive "$HNVD_PID"; then
                echo "hnvd (pid $HNVD_PID) exited"
                return 0 # stop waiting; start_hnvd reports it
        fi
        [ -S "$HNV_SOCKET" ] && "$HNVCTL" status >/dev/null
}

# start_hnvd ARGS...: hnvd in the foreground with debug logging, appended to
# $HNVD_LOG; returns once its control socket answers.
start_hnvd() {
        _hnv_need_build
        if [ -n "$HNVD_PID" ] && _hnv_alive "$HNVD_PID"; then
                fail "start_hnvd: hnvd already runs (pid $HNVD_PID)"
        fi
        echo "=== lib.sh: start $HNVD --foreground --log-level=debug $* at +$(_hnv_elapsed)s" >> "$HNVD_LOG"
        "$HNVD" --foreground --log-level=debug "$@" >> "$HNVD_LOG" 2>&1 &
        HNVD_PID=$!
        wait_until 10 "hnvd's control socket $HNV_SOCKET to answer" _hnvd_ready
        if ! _hnv_alive "$HNVD_PID"; then
                local rc=0
                wait "$HNVD_PID" || rc=$?
                HNVD_PID=
                fail "hnvd exited during start-up with status $rc"
        fi
        log "hnvd running (pid $HNVD_PID)"
}

# stop_hnvd: SIGTERM, and hnvd must exit (bounded); HNVD_EXIT is its status.
stop_hnvd() {
        [ -n "$HNVD_PID" ] || fail "stop_hnvd: hnvd not started"
        kill -TERM "$HNVD_PID" 2>/dev/null || true
        _hnv_wait_dead "$HNVD_PID" 10 || fail "hnvd did not exit within 10 s of SIGTERM"
        HNVD_EXIT=0
        wait "$HNVD_PID" 2>/dev/null || HNVD_EXIT=$?
        export HNVD_EXIT
        HNVD_PID=
}

# kill_hnvd: SIGKILL (a crash); whatever hnvd left behind stays.
kill_hnvd() {
        [ -n "$HNVD_PID" ] || fail "kill_hnvd: hnvd not started"
        kill -KILL "$HNVD_PID" 2>/dev/null || true
        _hnv_wait_dead "$HNVD_PID" 10 || fail "hnvd survived SIGKILL"
        wait "$HNVD_PID" 2>/dev/null || true
        HNVD_PID=
}

# ------------------------------------------------------- guest packages

# guest_install_deb PACKAGE: the package's files unpacked into this guest's
# root, which vanishes with the guest (uml-init's overlay), for a stack the
# host must not have installed: ifupdown's udev rule would run its hotplug
# script for every device of every other scenario. tools/install-deps
# downloads the .deb; no maintainer script runs (the scenario does what
# they would).
guest_install_deb() {
        local debs
        [ "${HNV_RUNNER:-}" = uml ] || skip "guest_install_deb writes into the root: UML guests only"
        shopt -s nullglob
        debs=("${HNV_CACHE_DIR:-/var/cache/hnv-tests}/debs/$1"_*.deb)
        shopt -u nullglob
        [ ${#debs[@]} -gt 0 ] || fail "no $1 package in ${HNV_CACHE_DIR:-/var/cache/hnv-tests}/debs: run tools/install-deps"
        # Not dpkg-deb -x: its tar would replace the merged-/usr links
        # (/lib -> usr/lib) with directories, and the guest's loader with them.
        dpkg-deb --fsys-tarfile "${debs[-1]}" | tar -x --keep-directory-symlink -C / ||
                fail "cannot unpack ${debs[-1]}"
}
