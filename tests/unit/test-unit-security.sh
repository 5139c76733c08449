#!/bin/sh
# The units' sandbox, as systemd scores it (packaging/README.md): hnvd.service
# at most 2.5, hcn-init.service at most 3.5 (systemd-networkd's own unit
# scores 2.8 with the same capability). That the sandbox lets hnv work is
# the package tier's job (tests/pkg); this catches a directive dropped.
# And the descriptor limit the control socket's connection cap needs.
#   test-unit-security.sh BUILD_DIR
set -u
build=$1
command -v systemd-analyze >/dev/null || { echo "SKIP: no systemd-analyze"; exit 77; }
systemd-analyze security --help 2>/dev/null | grep -- --offline > /dev/null ||
        { echo "SKIP: systemd-analyze has no --offline (systemd < 250)"; exit 77; }
rc=0
check() { # UNIT_FILE MAX
        score=$(systemd-analyze security --offline=true "$1" 2>/dev/null |
                sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
        if [ -z "$score" ]; then
                echo "FAIL: no exposure score for $1"
                rc=1
        elif awk -v s="$score" -v m="$2" 'BEGIN { exit !(s <= m) }'; then
                echo "ok: $(basename "$1"): $score (at most $2)"
        else
                echo "FAIL: $(basename "$1"): exposure $score, more than $2"
                systemd-analyze security --offline=true "$1" 2>/dev/null | grep '✗'
                rc=1
        fi
}
check "$build/src/daemon/hnvd.service" 2.5
# The control socket's connection cap (512) must fit in hnvd's descriptors.
nofile=$(sed -n 's/^LimitNOFILE=\([0-9]*\)$/\1/p' "$build/src/daemon/hnvd.service")
if [ -n "$nofile" ] && [ "$nofile" -ge 1024 ]; then
        echo "ok: hnvd.service: LimitNOFILE=$nofile"
else
        echo "FAIL: hnvd.service: LimitNOFILE='$nofile', want at least 1024"
        rc=1
fi
if [ -f "$build/hcn-init/hcn-init.service" ]; then
        check "$build/hcn-init/hcn-init.service" 3.5
fi
exit $rc
