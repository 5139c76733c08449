#!/usr/bin/env bash
# lintian on hnv's .debs (tests/pkg/prepare ran it): no error, and every
# warning one of those packaging/README.md accepts, with its reason.
#   tests/pkg/lintian.sh LINTIAN_OUTPUT
set -euo pipefail
out=${1:?usage: lintian.sh LINTIAN_OUTPUT}
[ -s "$out" ] || { echo "FAIL: no lintian output in $out"; exit 1; }
cat "$out"
accepted='initial-upload-closes-no-bugs'
rc=0
if grep -q '^E: ' "$out"; then
        echo "FAIL: lintian reports errors"
        rc=1
fi
if grep '^W: ' "$out" | grep -vE ": ($accepted)( |$)"; then
        echo "FAIL: lintian warnings not accepted in packaging/README.md"
        rc=1
fi
[ "$rc" -ne 0 ] || echo "ok: lintian: no errors, only accepted warnings"
exit "$rc"
