#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# src/compat/drmgr-pmig-hnv with a fake hnvctl: which call each PHASE makes,
# and which exit status drmgr sees. Only check may fail, and only when
# hnvctl says "not safe" (6) or that hnvd runs but does not answer (8);
# hnvd not running (5) or any other trouble of ours never blocks a
# migration. Each case runs the hook the way drmgr does:
# cleared environment, stdin on /dev/null. With HNV_BUILD_DIR, check also
# runs once against the real hnvctl with no hnvd behind the socket.
set -u

here=$(cd "$(dirname "$0")" && pwd)
hook=${HNV_DRMGR_HOOK:-$here/../../src/compat/drmgr-pmig-hnv}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-drmgr-hook.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

failures=0
n=0

ok() {
        n=$((n + 1))
        echo "ok $n - $*"
}

not_ok() {
        n=$((n + 1))
        failures=$((failures + 1))
        echo "not ok $n - $*"
}

# The fake records its arguments, prints a line on each stream, and exits
# with FAKE_RC. Builtins only: the hook may run it without a PATH.
fake=$tmp/bin/hnvctl
mkdir -p "$tmp/bin"
cat >"$fake" <<'FAKE'
#!/bin/sh
printf '%s\n' "$*" >>"$FAKE_LOG"
printf 'fake stdout: %s\n' "$*"
printf 'fake stderr\n' >&2
exit "${FAKE_RC:-0}"
FAKE
chmod +x "$fake"

# run SHELL PHASE RC [HNVCTL]: runs the hook; sets $status, $calls, $out
# (stdout) and $err (stderr).
run() {
        : >"$tmp/log"
        env -i PHASE="$2" ACTION=migrate DRC_TYPE=pmig DRC_COUNT=0 \
                HNVCTL="${4-$fake}" FAKE_LOG="$tmp/log" FAKE_RC="$3" \
                "$1" "$hook" </dev/null >"$tmp/out" 2>"$tmp/err"
        status=$?
        calls=$(cat "$tmp/log")
        out=$(cat "$tmp/out")
        err=$(cat "$tmp/err")
}

# expect SHELL PHASE RC STATUS CALL [TEXT]: STATUS is "0" or "nonzero";
# CALL is the expected hnvctl command line ("" for none); TEXT must appear
# in what the hook printed.
expect() {
        sh_=$1 phase=$2 rc=$3 want=$4 call=$5 text=${6-}
        what="$sh_: PHASE=$phase, hnvctl exits $rc"

        run "$sh_" "$phase" "$rc"
        case $want in
        0) [ "$status" -eq 0 ] || { not_ok "$what: exit $status, expected 0 ($err)"; return; } ;;
        nonzero) [ "$status" -ne 0 ] || { not_ok "$what: exit 0, expected a veto"; return; } ;;
        esac
        [ "$calls" = "$call" ] || { not_ok "$what: called '$calls', expected '$call'"; return; }
        [ -z "$out" ] || { not_ok "$what: wrote to stdout: $out"; return; }
        if [ -n "$text" ]; then
                case $err in
                *"$text"*) ;;
                *) not_ok "$what: output lacks '$text': $err"; return ;;
                esac
        fi
        ok "$what: exit $status"
}

shells=
for s in sh dash bash; do
        command -v "$s" >/dev/null 2>&1 && shells="$shells $(command -v "$s")"
done

for s in $shells; do
        q="query-migration --all" p="prepare-migration --all" c="complete-migration --all"

        expect "$s" check 0 0 "$q"
        expect "$s" check 6 nonzero "$q" "vetoing the migration"
        expect "$s" check 5 0 "$q" "hnvd is not running"
        expect "$s" check 8 nonzero "$q" "hnvd runs but does not answer"
        expect "$s" check 1 0 "$q" "exited 1); not vetoing"
        expect "$s" check 2 0 "$q" "not vetoing"
        expect "$s" check 7 0 "$q" "not vetoing"

        expect "$s" undocheck 6 0 ""

        for rc in 0 1 4 5 6 7; do
                expect "$s" pre "$rc" 0 "$p"
                expect "$s" post "$rc" 0 "$c"
        done
        expect "$s" pre 5 0 "$p" "nothing to prepare"
        expect "$s" post 7 0 "$c" "not every group is back on a VF"

        expect "$s" bogus 6 0 "" "unknown PHASE 'bogus'"
        expect "$s" "" 6 0 "" "unknown PHASE ''"

        # hnvctl's lines come before the hook's verdict, on one stream.
        run "$s" check 6
        case $err in
        "fake stdout: $q"*"vetoing"*) ok "$s: check prints hnvctl's lines, then the veto" ;;
        *) not_ok "$s: check's output out of order: $err" ;;
        esac

        # No hnvctl at all: our confusion, not a veto.
        run "$s" check 0 "$tmp/no-such-hnvctl"
        if [ "$status" -eq 0 ]; then
                ok "$s: check without hnvctl does not veto"
        else
                not_ok "$s: check without hnvctl exited $status"
        fi

        # Without HNVCTL the hook finds hnvctl on PATH.
        : >"$tmp/log"
        env -i PHASE=pre PATH="$tmp/bin" FAKE_LOG="$tmp/log" "$s" "$hook" </dev/null >/dev/null 2>&1
        status=$?
        if [ "$status" -eq 0 ] && [ "$(cat "$tmp/log")" = "$p" ]; then
                ok "$s: hnvctl found on PATH"
        else
                not_ok "$s: hnvctl on PATH: exit $status, called '$(cat "$tmp/log")'"
        fi
done

# The real hnvctl, no hnvd: exit 5, and check lets the migration go.
real=${HNV_BUILD_DIR:+$HNV_BUILD_DIR/src/ctl/hnvctl}
if [ -n "$real" ] && [ -x "$real" ]; then
        env -i PHASE=check HNVCTL="$real" HNV_SOCKET="$tmp/no-hnvd.sock" sh "$hook" </dev/null \
                >"$tmp/out" 2>"$tmp/err"
        status=$?
        if [ "$status" -eq 0 ] && grep -q "hnvd is not running" "$tmp/err"; then
                ok "real hnvctl without hnvd: check does not veto"
        else
                not_ok "real hnvctl without hnvd: exit $status: $(cat "$tmp/err")"
        fi
else
        echo "# skipping the real hnvctl (HNV_BUILD_DIR not set or hnvctl not built)"
fi

echo "1..$n"
[ "$failures" -eq 0 ] || echo "# $failures of $n failed"
[ "$failures" -eq 0 ]
