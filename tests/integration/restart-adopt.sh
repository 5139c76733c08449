#!/usr/bin/env bash
# hnvd killed with SIGKILL and started again: it adopts the bonds it finds
# and touches no port (not one link event), and a runtime group survives.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"

healthy_group web vf0 02:00:00:00:01:01 bk0 02:00:00:00:01:02
add_backup bk1 02:00:00:00:02:02
add_vf vf1 02:00:00:00:02:01
hnvctl add db --primary vf1 --backup bk1
assert_active bonddb vf1
wait_state db healthy

# After the record starts, which waits for the links to settle: the new
# bond's carrier reaches its flags through the kernel's linkwatch, and a
# snapshot taken at once had a NO-CARRIER the kernel then cleared.
watch_links_start /tmp/monitor.txt
snapshot_links /tmp/before.json
kill_hnvd
start_hnvd
wait_state web healthy
wait_state db healthy
test "$(group_field db source)" = runtime || fail "runtime group not restored"
# Give a wrong move the chance to happen: one more round trip through hnvd.
hnvctl reload >/dev/null
wait_state web healthy
snapshot_links /tmp/after.json

if watch_links_stop | grep -E "vf0|bk0|vf1|bk1|bondweb|bonddb"; then
        fail "a port or bond changed while hnvd restarted"
fi
assert_links_unchanged /tmp/before.json /tmp/after.json vf0 bk0 vf1 bk1 bondweb bonddb
test "$(bond_active bondweb)" = vf0 || fail "active changed"
restarted_log=$(awk '/hnvd .* running/{n++} n>=2' "$HNVD_LOG")
if grep -E "created bond|enslaved|set as primary|made active" <<<"$restarted_log"; then
        fail "the restarted hnvd acted on a working bond"
fi
pass
