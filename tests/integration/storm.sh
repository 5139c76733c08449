#!/usr/bin/env bash
# A storm on the real driver: for a minute, VFs of 8 groups appear and
# vanish at 200 or more kernel events a second (each a netdev added or
# deleted), while root's hnvctl asks for status in a loop. hnvd must answer
# every call, leak no descriptor and no memory, leave no group stuck, and
# end with every bond on its VF once the storm is over.
#
# udev stays, but with the distribution's rules masked for the storm: in
# UML each of those rule sets costs the guest's only CPU about 15 ms an
# event, which caps udev near 50 events a second (80 dummy adds took 1.1-1.5 s
# with them, 0.23-0.4 s without; the kernel alone, udev stopped, 0.1 s).
# They name devices and describe hardware; hnvd needs neither, only udev's
# word that it is done with a device, which it still gets for every one.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"

# Paced a little above the 200 a second to reach: the pacing falls behind
# a few percent, and every event more is udev's to work off afterwards.
groups=8 seconds=${HNV_STORM_SECONDS:-60} pace=${HNV_STORM_RATE:-220} rate=200
write_config "$(numbered_groups $groups 05)"
switch_setup
for i in $(seq 1 $groups); do
        add_backup bk$i "02:00:00:05:$(printf %02x "$i"):02"
done
start_hnvd
for i in $(seq 1 $groups); do
        wait_state g$i degraded 30
done

hnvd_fds() { local f=(/proc/$HNVD_PID/fd/*); echo ${#f[@]}; }
hnvd_rss() { awk '/^VmRSS:/ {print $2}' "/proc/$HNVD_PID/status"; }
# Microseconds, and a sleep, without a process: in UML every fork and exec
# costs milliseconds, hundreds under load, and would be the storm's pace.
# (A $(function) is a fork too: these set NOW instead.)
now_us() { local t=${EPOCHREALTIME/./}; NOW=$((10#$t)); }
mkfifo /run/storm-nap
exec 8<>/run/storm-nap
nap_us() {
        local s
        [ "$1" -gt 0 ] || return 0
        printf -v s '%d.%06d' $(($1 / 1000000)) $(($1 % 1000000))
        read -r -t "$s" -u 8 || true
}

require_udev
for f in /lib/udev/rules.d/*.rules; do
        : > "/run/udev/rules.d/${f##*/}"
done
udev_reload

# One ip(8) for the whole storm, fed a line at a time: it runs each command
# as it reads it. -force: a delete racing hnvd's enslave may fail; the
# storm goes on.
exec 7> >(exec ip -force -batch - >/run/storm-ip.log 2>&1)
# Dummies, not veths: one device each and no second namespace, so the
# guest's one CPU spends the storm on the events, not on making pairs.
storm_round() { # every VF added, then every VF deleted
        local i
        for ((i = 1; i <= groups; i++)); do
                printf 'link add vf%d address 02:00:00:05:%02x:01 type dummy\n' "$i" "$i" >&7
        done
        for ((i = 1; i <= groups; i++)); do
                printf 'link del vf%d\n' "$i" >&7
        done
}

# One round first, then the baseline: the allocator's and libudev's first
# growth is not a leak.
storm_round
nap_us 2000000
fds0=$(hnvd_fds) rss0=$(hnvd_rss)
log "before the storm: hnvd has $fds0 descriptors, RSS $rss0 KiB"

# Root's calls in parallel, each timed; every one must succeed.
calls_log=/run/storm-calls
: > "$calls_log"
(
        while [ ! -e "$calls_log.stop" ]; do
                now_us
                t0=$NOW rc=0
                "$HNVCTL" --json status >/dev/null 2>&1 || rc=$?
                now_us
                echo "$rc $((NOW - t0))" >> "$calls_log"
                # A console asks every few seconds; a call back to back
                # only takes the guest's CPU from the storm.
                nap_us 300000
        done
) &
caller=$!

# Kernel events counted by the kernel: rtnetlink's own monitor.
ip monitor link > /run/storm-events 2>/dev/null &
monitor=$!

# Rounds of 2 x groups events, paced to the rate: a round every
# 2 * groups / rate seconds, the next one late rather than skipped.
per_round_us=$(( 2 * groups * 1000000 / pace ))
now_us
start=$NOW rounds=0
end=$(( start + seconds * 1000000 ))
while now_us && [ "$NOW" -lt "$end" ]; do
        rounds=$((rounds + 1))
        storm_round
        now_us
        nap_us $(( start + rounds * per_round_us - NOW ))
done
exec 7>&-
now_us
elapsed_us=$(( NOW - start ))
touch "$calls_log.stop"
wait "$caller" || true
kill "$monitor" 2>/dev/null || true
wait "$monitor" 2>/dev/null || true
# A device added is a new ifindex; hnvd's own changes to it (enslave,
# release) come as more lines for the same one and are not counted.
adds=$(awk -F: '/^[0-9]+: vf[0-9]+[:@]/ {print $1}' /run/storm-events | sort -u | wc -l)
dels=$(grep -cE '^Deleted [0-9]+: vf[0-9]+[:@]' /run/storm-events || true)
achieved=$(( (adds + dels) * 1000000 / elapsed_us ))
refused=$(grep -c . /run/storm-ip.log || true)
log "storm: $rounds rounds in $((elapsed_us / 1000)) ms; the kernel reported $adds VF adds and $dels deletes ($achieved a second); ip(8) said $refused lines of refusal"
[ "$achieved" -ge "$rate" ] || fail "the storm reached $achieved events a second, not $rate"

# Every call answered, none slower than 5 s.
ncalls=$(wc -l < "$calls_log")
nfail=$(awk '$1 != 0' "$calls_log" | wc -l)
lat=$(awk '{print $2}' "$calls_log" | sort -n)
median=$(sed -n "$(( (ncalls + 1) / 2 ))p" <<<"$lat")
max=$(tail -n 1 <<<"$lat")
# (latencies in microseconds)
log "hnvctl status during the storm: $ncalls calls, $nfail failed, median $((median / 1000)) ms, max $((max / 1000)) ms"
[ "$ncalls" -ge 10 ] || fail "only $ncalls calls completed during the storm"
[ "$nfail" -eq 0 ] || fail "$nfail of $ncalls hnvctl calls failed during the storm"
[ "$max" -le 5000000 ] || fail "an hnvctl call took $((max / 1000)) ms"

# The storm is over: udev works through what is left, gets its rules back,
# and each group gets its VF for good, with a switch port, and must come
# back to it.
now_us
settle_start=$NOW
udevadm settle --timeout=120 || fail "udev did not finish the storm's events in 120 s"
now_us
log "udev done with the storm's events $(( (NOW - settle_start) / 1000 )) ms after it"
for f in /lib/udev/rules.d/*.rules; do
        rm -f "/run/udev/rules.d/${f##*/}"
done
udev_reload
for i in $(seq 1 $groups); do
        ip link show vf$i >/dev/null 2>&1 && ip link del vf$i
        add_vf vf$i "02:00:00:05:$(printf %02x "$i"):01"
done
for i in $(seq 1 $groups); do
        wait_eq 60 "bondg$i active vf$i" vf$i bond_active bondg$i
        wait_state g$i healthy 30
done
now_us
log "every group healthy on its VF $(( (NOW - settle_start) / 1000 )) ms after the storm"
ip addr add 192.0.2.2/24 dev bondg1
wait_until 10 "ping across bondg1" ping_ok 192.0.2.1

# No leak: descriptors back to the baseline, memory within 1 MiB of it.
nap_us 1000000
fds1=$(hnvd_fds) rss1=$(hnvd_rss)
log "after the storm: hnvd has $fds1 descriptors (before: $fds0), RSS $rss1 KiB (before: $rss0 KiB)"
[ "$fds1" -le "$fds0" ] || fail "hnvd has $fds1 descriptors after the storm, $fds0 before"
[ "$rss1" -le $(( rss0 + 1024 )) ] || fail "hnvd's RSS grew from $rss0 to $rss1 KiB"
pass
