#!/usr/bin/env bash
# A hostile local user against the real hnvd (ASan/UBSan build, a network
# namespace of its own): as nobody, 2,000 connections held open, each
# pipelining calls it never reads the replies of, or sending an oversized or
# an invalid message. Root's hnvctl must still be answered within 1 s, and
# once the user lets go, hnvd's descriptors and memory come back and it
# exits clean.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for a network namespace"; exit 77; }
if [ -z "${HNV_IN_NETNS:-}" ]; then
        HNV_IN_NETNS=1 exec unshare --net -- "$0" "$@"
fi

build=${HNV_BUILD:?} src=${HNV_SRC:?}
pid="" abuser=""
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'kill "$pid" "$abuser" 2>/dev/null || true; rm -rf "$tmp"' EXIT
export HNV_SOCKET=$tmp/run/io.hnv
hnvctl() { "$build/src/ctl/hnvctl" "$@"; }
fail() { echo "FAIL: $*"; echo "--- hnvd log (tail)"; tail -n 40 "$tmp/hnvd.log"; exit 1; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }

ip link set lo up
printf '[group web]\nprimary = name:vf0\nbackup = name:bk0\n' > "$tmp/hnv.conf"
mkdir -p "$tmp/conf.d"
# The unit's LimitNOFILE=4096 (the 2,000 connections are the user's, not hnvd's).
ulimit -n 4096
# ASan keeps up to 256 MiB of freed memory in quarantine: RSS would measure
# that, not hnvd.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1 \
        "$build/src/daemon/hnvd" --foreground --log-level=info --rundir "$tmp/run" --config "$tmp/hnv.conf" \
        --config-dir "$tmp/conf.d" >"$tmp/hnvd.log" 2>&1 &
pid=$!
for _ in $(seq 100); do hnvctl status >/dev/null 2>&1 && break; sleep 0.05; done
hnvctl status >/dev/null || fail "hnvd did not come up"
fds0=$(ls "/proc/$pid/fd" | wc -l)
rss0=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")

# The user holds everything open until its stdin (a FIFO) is closed.
mkfifo "$tmp/hold"
setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 "$src/tests/host/abuse.py" "$HNV_SOCKET" 2000 \
        <"$tmp/hold" >"$tmp/abuse.out" 2>&1 &
abuser=$!
exec 9>"$tmp/hold"
for _ in $(seq 600); do grep -q "^abuse:" "$tmp/abuse.out" && break; sleep 0.1; done
grep -q "^abuse:" "$tmp/abuse.out" || fail "the abuser did not get going: $(cat "$tmp/abuse.out")"
cat "$tmp/abuse.out"
fds1=$(ls "/proc/$pid/fd" | wc -l)
# The peak (VmHWM): streamed input is freed when a connection is dropped.
rss1=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
echo "hnvd under abuse: $fds1 descriptors (idle $fds0), peak RSS $rss1 KiB (idle $rss0 KiB)"

# Root is served, within a second, every time.
worst=0
for _ in $(seq 10); do
        t0=$(ms)
        hnvctl status >/dev/null || fail "root's hnvctl status failed under abuse"
        t=$(( $(ms) - t0 ))
        [ "$t" -le "$worst" ] || worst=$t
done
echo "root's hnvctl status under abuse: worst of 10 calls $worst ms"
[ "$worst" -le 1000 ] || fail "root waited $worst ms"
hnvctl reload >/dev/null || fail "root's reload failed under abuse"
[ "$fds1" -le 600 ] || fail "hnvd holds $fds1 descriptors: its connection cap did not hold"
[ "$rss1" -le $(( rss0 + 32 * 1024 )) ] || fail "hnvd's RSS went from $rss0 to $rss1 KiB"

# The user lets go: hnvd comes back to where it was.
exec 9>&-
wait "$abuser" || true
abuser=""
for _ in $(seq 100); do [ "$(ls "/proc/$pid/fd" | wc -l)" -le "$fds0" ] && break; sleep 0.05; done
fds2=$(ls "/proc/$pid/fd" | wc -l)
echo "hnvd after the abuse: $fds2 descriptors"
[ "$fds2" -le "$fds0" ] || fail "hnvd kept $fds2 descriptors, $fds0 before"
hnvctl status >/dev/null || fail "status after the abuse"

kill -TERM "$pid"
set +e; wait "$pid"; rc=$?; set -e
pid=""
[ "$rc" -eq 0 ] || fail "hnvd exited $rc (sanitizer report?)"
! grep -E "AddressSanitizer|LeakSanitizer|runtime error" "$tmp/hnvd.log" || fail "sanitizer report"
lines=$(wc -l < "$tmp/hnvd.log")
echo "hnvd wrote $lines log lines in all"
echo "PASS: hnvd-abuse"
