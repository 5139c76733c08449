#!/usr/bin/env bash
# Crash consistency: hnvd killed with SIGKILL at each of its kill points
# (HNV_CRASH_POINT, src/shared/util.h: before and after every action of a
# plan, between the steps of an address move, before the state file's
# rename) in each phase of a group's life: the boot that builds it from a
# backup that already carries the guest's address and a route, a planned
# release, its completion, and hnvctl remove. After each kill: the address
# and the route are still there. Then hnvd starts again, the console's
# command is repeated as a console would, and the group converges with the
# address and the route on the bond (on the backup after remove) and
# traffic flowing. The matrix goes to $HNV_RESULTS/crash-matrix.txt.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"

VF_MAC=02:00:00:00:01:01
BK_MAC=02:00:00:00:01:02
ROUTE=198.51.100.0/24

write_config "[group web]
primary = mac:$VF_MAC
backup = mac:$BK_MAC"
switch_setup
matrix=$HNV_RESULTS/crash-matrix.txt
printf '%-10s %-28s %s\n' phase "kill point" "after the kill / after the restart" > "$matrix"

# A guest before hnv: the backup carries the address and a route through it.
fresh_world() {
        if [ -n "$HNVD_PID" ]; then
                kill_hnvd
        fi
        ip link del bondweb 2>/dev/null || true
        for d in vf0 bk0; do
                if ip link show "$d" >/dev/null 2>&1; then
                        del_dev "$d"
                fi
        done
        rm -f /run/hnv/state.json
        add_backup bk0 $BK_MAC
        add_vf vf0 $VF_MAC
        ip link set bk0 up
        ip addr add 192.0.2.2/24 dev bk0
        ip route add $ROUTE via 192.0.2.1 dev bk0
}

# crash_start POINT: hnvd that kills itself at POINT.
crash_start() {
        _hnv_need_build
        echo "=== crash-points.sh: start with HNV_CRASH_POINT=$1" >> "$HNVD_LOG"
        HNV_CRASH_POINT=$1 "$HNVD" --foreground --log-level=debug >> "$HNVD_LOG" 2>&1 &
        HNVD_PID=$!
}

# expect_crash POINT: hnvd died there, and nothing of the guest's was lost.
expect_crash() {
        _hnv_wait_dead "$HNVD_PID" 20 || fail "hnvd did not reach kill point $1"
        wait "$HNVD_PID" 2>/dev/null || true
        HNVD_PID=
        grep -q "hnv: crash point $1\$" "$HNVD_LOG" || fail "hnvd died, but not at $1"
        ip -4 -o addr show | contains " inet 192.0.2.2/24 " || fail "$1: the address is gone"
        ip -4 route show $ROUTE | contains "via 192.0.2.1" || fail "$1: the route is gone"
}

# converged DEV: the address and the route on DEV, and traffic through it.
converged() {
        wait_until 10 "192.0.2.2 on $1" "ip -4 -o addr show dev $1 | contains ' inet 192.0.2.2/24 '"
        wait_until 10 "$ROUTE via $1" "ip -4 route show $ROUTE | contains 'dev $1'"
        wait_until 10 "ping across $1" ping_ok 192.0.2.1
}

healthy_now() {
        start_hnvd
        wait_state web healthy 20
        converged bondweb
}

kill_at() { # PHASE POINT
        local phase=$1 point=$2
        fresh_world
        case "$phase" in
        boot)
                crash_start "$point"
                ;;
        prepare|remove)
                healthy_now
                kill_hnvd
                crash_start "$point"
                wait_until 10 "hnvd answering" _hnvd_ready
                if [ "$phase" = prepare ]; then
                        hnvctl prepare-migration web >/dev/null 2>&1 || true
                else
                        hnvctl remove web >/dev/null 2>&1 || true
                fi
                ;;
        complete)
                healthy_now
                hnvctl prepare-migration web >/dev/null
                wait_state web migrating
                kill_hnvd
                crash_start "$point"
                wait_until 10 "hnvd answering" _hnvd_ready
                hnvctl complete-migration web >/dev/null 2>&1 || true
                ;;
        esac
        expect_crash "$point"

        # Again, as the console would after a command that got no answer.
        start_hnvd
        case "$phase" in
        boot)
                wait_state web healthy 20
                ;;
        prepare)
                hnvctl prepare-migration web >/dev/null || fail "$point: prepare-migration again failed"
                wait_state web migrating
                converged bondweb
                hnvctl complete-migration web >/dev/null || fail "$point: complete-migration failed"
                wait_state web healthy
                ;;
        complete)
                hnvctl complete-migration web >/dev/null || fail "$point: complete-migration again failed"
                wait_state web healthy
                ;;
        remove)
                hnvctl remove web >/dev/null || fail "$point: remove again failed"
                link_exists bondweb && fail "$point: bondweb still there after remove"
                converged bk0
                printf '%-10s %-28s %s\n' "$phase" "$point" "kept / dissolved, on bk0" >> "$matrix"
                return
                ;;
        esac
        test "$(bond_active bondweb)" = vf0 || fail "$point: vf0 is not active"
        converged bondweb
        printf '%-10s %-28s %s\n' "$phase" "$point" "kept / $(group_state web), on bondweb" >> "$matrix"
}

n=0
for point in before-create-bond after-create-bond before-move-addresses addresses-added routes-moved \
             after-move-addresses before-enslave after-enslave before-bond-up after-bond-up \
             before-set-primary after-set-primary before-set-active after-set-active \
             before-own-mac after-own-mac; do
        kill_at boot "$point"
        n=$((n + 1))
done
for point in before-all-ports-active after-all-ports-active before-take-bond-mac after-take-bond-mac \
             before-set-active after-set-active state-file-written before-release after-release; do
        kill_at prepare "$point"
        n=$((n + 1))
done
for point in before-enslave after-enslave after-set-primary before-all-ports-active; do
        kill_at complete "$point"
        n=$((n + 1))
done
for point in before-dissolve after-dissolve; do
        kill_at remove "$point"
        n=$((n + 1))
done
cat "$matrix"
log "$n kill points, each survived"
pass
