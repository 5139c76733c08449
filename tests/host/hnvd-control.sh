#!/usr/bin/env bash
# hnvd on the host under ASan/UBSan, in a network namespace of its own (so it
# never sees the host's links): start-up, the control socket, errors and
# refusals, reload, and a clean exit with no leak. The host kernel may have no
# bonding driver; that is one more error path hnvd must survive.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for a network namespace"; exit 77; }
if [ -z "${HNV_IN_NETNS:-}" ]; then
        HNV_IN_NETNS=1 exec unshare --net -- "$0" "$@"
fi

build=${HNV_BUILD:?}
pid=""
tmp=$(mktemp -d)
chmod 755 "$tmp" # non-root callers must reach the socket
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
export HNV_SOCKET=$tmp/run/io.hnv
hnvctl() { "$build/src/ctl/hnvctl" "$@"; }
fail() { echo "FAIL: $*"; echo "--- hnvd log"; cat "$tmp/hnvd.log"; exit 1; }
wait_for() { # TIMEOUT_S CMD...
        local end=$((SECONDS + $1)); shift
        until "$@" >/dev/null 2>&1; do
                [ $SECONDS -lt $end ] || return 1
                sleep 0.05
        done
}
expect_exit() { # WANT CMD...
        local want=$1 rc; shift
        set +e; out=$("$@" 2>&1); rc=$?; set -e
        [ "$rc" -eq "$want" ] || fail "$*: exit $rc, want $want: $out"
}

ip link set lo up
mkdir -p "$tmp/conf.d"
cat > "$tmp/hnv.conf" <<'CONF'
[global]
bond-options = miimon=100

[group web]
primary = name:vf0
backup = name:bk0
CONF
hnvd=("$build/src/daemon/hnvd" --foreground --log-level=debug --rundir "$tmp/run" --config "$tmp/hnv.conf"
      --config-dir "$tmp/conf.d")

"${hnvd[@]}" --check | grep "configuration OK: 1 group" > /dev/null || fail "--check of a good file"
printf '[group db]\nprimry = name:x\n' > "$tmp/conf.d/10-db.conf"
expect_exit 1 "${hnvd[@]}" --check
grep -q "10-db.conf:2:" <<<"$out" || fail "--check message lacks file:line: $out"
rm "$tmp/conf.d/10-db.conf"

"${hnvd[@]}" >"$tmp/hnvd.log" 2>&1 &
pid=$!
wait_for 10 hnvctl status || fail "hnvd did not come up"

hnvctl status | grep "web" > /dev/null || fail "status lacks group web"
[ "$(hnvctl --json status web | jq -r '.groups[0].state')" = pending ] || fail "web not pending"
expect_exit 3 hnvctl status nosuch
expect_exit 3 hnvctl add db --primary nosuchdev --backup lo
expect_exit 2 hnvctl add db --primary abcdefghijklmnopq --backup lo
expect_exit 2 hnvctl frobnicate
expect_exit 4 setpriv --reuid=65534 --regid=65534 --clear-groups "$build/src/ctl/hnvctl" reload
setpriv --reuid=65534 --regid=65534 --clear-groups "$build/src/ctl/hnvctl" status >/dev/null ||
        fail "non-root status refused"

# The ports appear; on a kernel without bonding the bond cannot be made:
# hnvd says so and keeps running.
ip link add vf0 type veth peer name vf0p
ip link add bk0 type veth peer name bk0p
wait_for 10 grep -qE "vf0|bk0" "$tmp/hnvd.log" || fail "hnvd did not see the ports"
wait_for 10 hnvctl --json status web || fail "status after hotplug"
[ "$(hnvctl --json status web | jq '.groups[0].ports | map(select(.present)) | length')" = 2 ] ||
        fail "ports not in the group: $(hnvctl --json status web)"

printf '[group db]\nprimary = name:x\nbackup = name:y\nbond = waytoolongbondname\n' > "$tmp/conf.d/10-db.conf"
expect_exit 1 hnvctl reload
grep -q "10-db.conf" <<<"$out" || fail "reload error lacks the file: $out"
expect_exit 3 hnvctl status db
rm "$tmp/conf.d/10-db.conf"
hnvctl reload >/dev/null || fail "good reload"

# Unknown methods and garbage on the socket do not hurt the daemon.
printf '{"method":"io.hnv.Nope"}\0' | timeout 2 socat - "UNIX-CONNECT:$HNV_SOCKET" >/dev/null 2>&1 || true
printf 'not json\0' | timeout 2 socat - "UNIX-CONNECT:$HNV_SOCKET" >/dev/null 2>&1 || true
hnvctl status >/dev/null || fail "hnvd hurt by bad clients"

kill -TERM "$pid"
set +e; wait "$pid"; rc=$?; set -e
[ "$rc" -eq 0 ] || fail "hnvd exited $rc (sanitizer report?)"
if grep -E "AddressSanitizer|LeakSanitizer|runtime error" "$tmp/hnvd.log"; then
        fail "sanitizer report"
fi
# backend=wicked: a missing ifcfg directory stops the start with one clear
# line; with one, hnvd runs the wicked backend and leaves no leak behind.
printf '[global]\nbackend = wicked\nifcfg-dir = %s\n[group web]\nprimary = name:vf0\nbackup = name:bk0\n' \
        "$tmp/ifcfg" > "$tmp/hnv.conf"
expect_exit 1 "${hnvd[@]}"
grep -q "cannot open the ifcfg directory $tmp/ifcfg" <<<"$out" || fail "no line about the ifcfg directory: $out"
mkdir "$tmp/ifcfg"
"${hnvd[@]}" >"$tmp/hnvd.log" 2>&1 &
pid=$!
wait_for 10 hnvctl status || fail "hnvd with backend=wicked did not come up"
hnvctl status | grep "^Backend: wicked" > /dev/null || fail "status does not say Backend: wicked"
kill -TERM "$pid"
set +e; wait "$pid"; rc=$?; set -e
[ "$rc" -eq 0 ] || fail "hnvd (wicked) exited $rc (sanitizer report?)"
if grep -E "AddressSanitizer|LeakSanitizer|runtime error" "$tmp/hnvd.log"; then
        fail "sanitizer report (wicked)"
fi
# backend=networkmanager where the module is not installed (a guest without
# the hnv-networkmanager package): the start fails naming the package.
printf '[global]\nbackend = networkmanager\n' > "$tmp/hnv.conf"
mkdir "$tmp/no-modules"
HNV_MODULE_DIR=$tmp/no-modules expect_exit 1 "${hnvd[@]}"
grep -q "install the hnv-networkmanager package" <<<"$out" || fail "the error does not name the package: $out"
echo "PASS: hnvd-control"
