#!/usr/bin/env bash
# prepare-migration --all over 16 groups; hnvd killed in the middle of the
# migration and started again resumes it (the released VFs stay out); a VF
# of another group appearing meanwhile is not taken by a migrating group;
# the destination's VFs end every migration.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"

n=16
conf="$(numbered_groups $n 02)
"
conf+="[group other]
primary = mac:02:00:00:03:00:01
backup = mac:02:00:00:03:00:02
"
write_config "$conf"
switch_setup
start_hnvd
for i in $(seq 1 $n); do
        add_backup "bk$i" "02:00:00:02:$(printf %02x "$i"):02"
        add_vf "vf$i" "02:00:00:02:$(printf %02x "$i"):01"
done
for i in $(seq 1 $n); do assert_active "bondg$i" "vf$i"; done
for i in $(seq 1 $n); do wait_state "g$i" healthy 30; done

expect_exit 0 hnvctl prepare-migration --all --timeout 20
for i in $(seq 1 $n); do
        test "$(bond_active "bondg$i")" = "bk$i" || fail "bondg$i active $(bond_active "bondg$i")"
        test -z "$(link_master "vf$i")" || fail "vf$i still enslaved"
done
test "$(hnvctl --json status | jq '[.groups[] | select(.state == "migrating")] | length')" = $n ||
        fail "not every group migrating"

kill_hnvd
start_hnvd
for i in $(seq 1 $n); do wait_state "g$i" migrating; done
test -z "$(link_master vf3)" || fail "the restarted hnvd took a released VF back"

# Another group's VF appears: it goes to its own group, not to a migrating one.
add_vf vfother 02:00:00:03:00:01
wait_until 10 "vfother belongs to group other" grep -q "vfother: belongs to group other" "$HNVD_LOG"
for i in $(seq 1 $n); do
        test "$(group_state "g$i")" = migrating || fail "g$i left migrating because of another group's VF"
done

# The destination's VFs.
for i in $(seq 1 $n); do
        del_dev "vf$i"
        add_vf "nvf$i" "02:00:00:02:$(printf %02x "$i"):01"
done
for i in $(seq 1 $n); do assert_active "bondg$i" "nvf$i"; done
expect_exit 0 hnvctl complete-migration --all --timeout 30
pass
