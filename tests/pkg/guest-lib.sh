# Helpers for the package tier's guest scripts (tests/pkg/guest-*.sh), which
# run inside a user-mode Linux guest booted by systemd from a Debian root
# with hnv installed from its packages (tests/pkg/boot.sh). The scenario
# helpers of the other tiers (lib.sh, hnv-lib.sh) come along and act on the
# installed hnvd and hnvctl (HNV_INSTALLED=1).
# shellcheck shell=bash

here=/usr/local/lib/hnv-test
export HNV_INSTALLED=1 HNV_RUNNER=pkg
HNV_RESULTS=/var/lib/hnv-test/results.d
mkdir -p "$HNV_RESULTS"
export HNV_RESULTS
# shellcheck source=../integration/lib.sh
. "$here/lib.sh"
# shellcheck source=../integration/hnv-lib.sh
. "$here/hnv-lib.sh"
# hnvd logs to the journal under systemd.
HNVD_LOG=$HNV_RESULTS/hnvd.log
at_exit _pkg_journal

_pkg_journal() {
        journalctl -b -u hnvd -u hcn-init -u NetworkManager --no-pager -o short-monotonic > "$HNVD_LOG" 2>&1 || true
}

# figure NAME VALUE: a measured figure, reported by the test (never checked
# against a threshold).
figure() {
        echo "FIGURE $1 = $2"
        echo "$1 = $2" >> /var/lib/hnv-test/figures
}

# apt_repo DIR...: apt's only sources are these directories under
# /srv/hnv-repo (the guest has no network), each indexed here as a flat
# repository of its own.
apt_repo() {
        local d list=/etc/apt/sources.list.d/hnv-test.list
        : > "$list"
        for d in "$@"; do
                (cd "/srv/hnv-repo/$d" && apt-ftparchive packages . > Packages) || fail "cannot index $d"
                echo "deb [trusted=yes] file:/srv/hnv-repo/$d ./" >> "$list"
        done
        apt-get update -qq -o Acquire::Languages=none >/dev/null || fail "apt-get update"
}

# apt_do ARGS...: apt-get, quiet, its output kept for a failure.
apt_do() {
        apt-get -y -q -o Dpkg::Options::=--force-confold "$@" > "$HNV_RESULTS/apt.log" 2>&1 ||
                { cat "$HNV_RESULTS/apt.log"; fail "apt-get $*"; }
}

installed() {
        [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

unit_prop() { # UNIT PROPERTY
        systemctl show -P "$2" "$1"
}

# seq_start: the switch pings the guest's bond address every 10 ms until
# seq_stop, which sets LOST to the replies missing among the requests sent
# before the last reply (read from icmp_seq, so a request still in flight
# at the end is not counted as lost).
seq_start() {
        SEQ_LOG=$(mktemp "$HNV_RESULTS/seq.XXXXXX")
        ip netns exec sw ping -n -i 0.01 -W 1 192.0.2.2 > "$SEQ_LOG" 2>&1 &
        SEQ_PID=$!
        at_exit _seq_kill "$SEQ_PID"
        wait_until 10 "the first reply" grep -q icmp_seq "$SEQ_LOG"
}
_seq_kill() {
        kill "$1" 2>/dev/null || true
}
seq_stop() {
        local last got
        kill -INT "$SEQ_PID" 2>/dev/null || true
        wait "$SEQ_PID" 2>/dev/null || true
        last=$(sed -n 's/.*icmp_seq=\([0-9]*\).*/\1/p' "$SEQ_LOG" | sort -n | tail -n 1)
        got=$(sed -n 's/.*icmp_seq=\([0-9]*\).*/\1/p' "$SEQ_LOG" | sort -un | wc -l)
        # ping numbers from 1.
        LOST=$((last - got))
        SENT=$last
}

# group_healthy_with GROUP VF: the group is healthy and VF its active port.
group_healthy_with() {
        [ "$(group_state "$1")" = healthy ] && [ "$(bond_active "bond$1")" = "$2" ]
}

# ready_after_ports GROUP PORT...: hnvd reported READY=1 only once each
# PORT was in GROUP's bond, so the connection managers, ordered after
# hnvd.service, find the bond of the devices present at boot. Two ways:
# hnvd logs each port joining before the "running" line it logs as it
# reports READY=1 (one process, one socket: the journal keeps its order;
# not systemd's "Started", which may come through the kernel's buffer and
# be read apart), and the first unit ordered after hnvd.service
# (links_at_boot's) found each PORT in the bond.
ready_after_ports() {
        local j ready line g=$1 seen=/run/hnv-test-after-hnvd
        shift
        j=$(journalctl -b -u hnvd -o short-monotonic --no-pager)
        ready=$(grep -n -m 1 "hnvd .* running, backend" <<<"$j" | cut -d: -f1)
        [ -n "$ready" ] || fail "hnvd never logged that it was running"
        [ -s "$seen" ] || fail "the unit ordered after hnvd.service did not run ($seen)"
        for p in "$@"; do
                line=$(grep -n -m 1 "group $g: $p: enslaved to" <<<"$j" | cut -d: -f1)
                [ -n "$line" ] || fail "hnvd never logged $p joining group $g"
                [ "$line" -lt "$ready" ] ||
                        fail "hnvd reported ready before $p joined group $g: $(sed -n "${ready}p;${line}p" <<<"$j")"
                grep -qE "^[0-9]+: $p(@[^:]*)?: .* master bond$g " "$seen" ||
                        fail "the unit after hnvd.service found $p outside bond$g: $(grep -E "^[0-9]+: $p[@:]" "$seen")"
        done
}

# boot_to_healthy GROUP: seconds from kernel start to hnvd's log line that
# made GROUP healthy in this boot (journal monotonic time).
boot_to_healthy() {
        journalctl -b -u hnvd -o short-monotonic --no-pager |
                grep -m 1 "group $1: .* -> healthy" | sed -E 's/^\[ *([0-9.]+)\].*/\1/'
}

# oneshot_unit NAME WANTED_BY UNIT_LINES COMMAND: an enabled oneshot unit
# NAME.service that runs COMMAND once per boot.
oneshot_unit() {
        printf '[Unit]\n%s\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=%s\n[Install]\nWantedBy=%s\n' \
                "$3" "$4" "$2" > "/etc/systemd/system/$1.service"
        systemctl enable "$1.service" >/dev/null 2>&1 || fail "enable $1.service"
}

# links_at_boot GROUP VF VF_MAC BK BK_MAC: a unit that plugs the group's
# devices while the guest boots, before hnvd and the connection manager
# start, as a guest's NICs appear at boot (and keeps the switch model),
# udev done with them; and a unit that records the links as the first unit
# ordered after hnvd.service finds them (ready_after_ports).
links_at_boot() {
        cat > /usr/local/lib/hnv-test/links <<EOS
#!/bin/bash
. /usr/local/lib/hnv-test/guest-lib.sh
switch_setup
add_backup $4 $5
add_vf $2 $3
ip netns exec sw ip link set lo up
udevadm settle -t 30
EOS
        chmod 755 /usr/local/lib/hnv-test/links
        oneshot_unit hnv-test-links sysinit.target "Description=the test guest's NICs
DefaultDependencies=no
After=systemd-udevd.service systemd-modules-load.service
Before=hnvd.service NetworkManager.service systemd-networkd.service hcn-init.service" \
                /usr/local/lib/hnv-test/links
        oneshot_unit hnv-test-after-hnvd multi-user.target "Description=the links as the first unit after hnvd finds them
DefaultDependencies=no
After=hnvd.service
Before=network-pre.target NetworkManager.service systemd-networkd.service" \
                "/bin/sh -c 'ip -o link show > /run/hnv-test-after-hnvd'"
}
