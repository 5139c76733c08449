#!/usr/bin/env bash
# Anyone may read status; only root may change state, and hnvd (not hnvctl)
# enforces it, with a clear message and hnvctl's documented exit code 4.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"

healthy_group web vf0 02:00:00:00:01:01 bk0 02:00:00:00:01:02
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$HNV_BUILD/src/ctl/hnvctl" "$@"; }

nobody status web | contains healthy || fail "a non-root user cannot read status"
nobody --json status | jq -e '.groups | length == 1' >/dev/null || fail "non-root JSON status"

for cmd in "add db --primary vf0 --backup bk0" "remove web" "remove-port vf0" "reload"; do
        set +e
        # shellcheck disable=SC2086
        out=$(nobody $cmd 2>&1)
        rc=$?
        set -e
        test $rc -eq 4 || fail "'hnvctl $cmd' as nobody: exit $rc, want 4 ($out)"
        grep -qi "permission denied" <<<"$out" || fail "'hnvctl $cmd' as nobody said: $out"
done

test "$(group_state web)" = healthy || fail "group disturbed"
test "$(bond_active bondweb)" = vf0 || fail "bond disturbed"
test "$(link_master vf0)" = bondweb || fail "vf0 released"
pass
