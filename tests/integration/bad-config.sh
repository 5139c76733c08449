#!/usr/bin/env bash
# A bad configuration: --check and reload say where the error is (file:line),
# the running configuration stays, and no working bond is touched.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"

healthy_group web vf0 02:00:00:00:01:01 bk0 02:00:00:00:01:02
watch_links_start /tmp/monitor.txt

mkdir -p /etc/hnv/conf.d
printf '[group db]\nprimary = mac:02:00:00:00:02:01\nbakup = mac:02:00:00:00:02:02\n' > /etc/hnv/conf.d/10-db.conf

if out=$("$HNV_BUILD/src/daemon/hnvd" --check 2>&1); then
        fail "--check accepted a bad file: $out"
fi
grep -q "/etc/hnv/conf.d/10-db.conf:3:" <<<"$out" || fail "--check did not say file:line: $out"

set +e
out=$(hnvctl reload 2>&1)
rc=$?
set -e
test $rc -ne 0 || fail "reload of a bad file succeeded"
grep -q "10-db.conf:3:" <<<"$out" || fail "reload did not say file:line: $out"
grep -q "reload refused, keeping the running configuration" "$HNVD_LOG" || fail "hnvd did not log the refusal"

# An overlong interface name in a group is refused just as clearly.
printf '[group db]\nprimary = mac:02:00:00:00:02:01\nbackup = mac:02:00:00:00:02:02\nbond = bond-name-too-long0\n' > /etc/hnv/conf.d/10-db.conf
if hnvctl reload 2>/dev/null; then fail "reload accepted an overlong bond name"; fi

test "$(group_state web)" = healthy || fail "group web disturbed"
hnvctl status db >/dev/null 2>&1 && fail "group db exists although its file was refused"

# Fixed: the reload goes through.
printf '[group db]\nprimary = mac:02:00:00:00:02:01\nbackup = mac:02:00:00:00:02:02\n' > /etc/hnv/conf.d/10-db.conf
"$HNV_BUILD/src/daemon/hnvd" --check | contains "configuration OK" || fail "--check of a good file"
hnvctl reload >/dev/null || fail "reload of a good file failed"
test "$(group_state db)" = pending || fail "group db not pending"

if watch_links_stop | grep -E "vf0|bk0|bondweb"; then
        fail "the running bond was touched"
fi
test "$(bond_active bondweb)" = vf0 || fail "active changed"
pass
