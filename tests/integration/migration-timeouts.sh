#!/usr/bin/env bash
# Nothing waits forever: complete-migration with no VF to come back ends
# with exit 7 and says which group is still without one; a prepare whose
# timeout is shorter than the bond's announcements is refused and rolled
# back; a migration nobody completes ends by itself after migration-timeout.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"

write_config "[global]
migration-timeout = 4

[group web]
primary = mac:02:00:00:00:01:01
backup = mac:02:00:00:00:01:02"
switch_setup
start_hnvd
add_backup bk0 02:00:00:00:01:02
add_vf vf0 02:00:00:00:01:01
assert_active bondweb vf0
wait_state web healthy

# 3 notifications x 100 ms miimon do not fit in 50 ms: refused, rolled back.
expect_exit 7 hnvctl prepare-migration web --timeout 0.05
assert_active bondweb vf0
test "$(link_master vf0)" = bondweb || fail "a timed-out prepare left the VF out"
wait_state web healthy

expect_exit 0 hnvctl prepare-migration web
del_dev vf0
start=$SECONDS
expect_exit 7 hnvctl complete-migration web --timeout 1.5
grep -q "still without a VF" <<<"$out" || fail "complete-migration said: $out"
test $((SECONDS - start)) -lt 10 || fail "complete-migration did not honour its timeout"

# Nobody completes the next one: hnvd ends it after migration-timeout.
add_vf vf1 02:00:00:00:01:01
assert_active bondweb vf1
wait_state web healthy
expect_exit 0 hnvctl prepare-migration web
wait_state web migrating
wait_until 20 "the migration to end by itself" grep -q "migration ended: not completed within 4 s" "$HNVD_LOG"
assert_active bondweb vf1
wait_state web healthy
pass
