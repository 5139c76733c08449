#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# One trap of the shell scripts hnv tracks, kept out: `grep -q` at the end
# of a pipeline. grep -q exits at its first match; a writer that goes on
# writing (ip writes each line apart, journalctl, uml --showconfig) dies of
# SIGPIPE, and under `set -o pipefail` the pipeline fails although the text
# was there. It failed a CI run at random ("the address is gone" with the
# address in plain sight). Use lib.sh's `contains`, which reads to the end,
# or `grep PATTERN > /dev/null`, which GNU grep drains too.
# Skips (77) outside a git checkout: which files count is git's answer.
#   test-scripts.sh SOURCE_ROOT
set -u
src=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
if ! git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        echo "SKIP: $src is not a git checkout"
        exit 77
fi
cd "$src" || exit 1

# Shell scripts: by name, and by their first line for those without a suffix.
scripts=$(git ls-files | while read -r f; do
        [ -f "$f" ] || continue
        case "$f" in
        *.sh) echo "$f" ;;
        *.*) ;;
        *) case $(head -n 1 "$f") in '#!'*sh*) echo "$f" ;; esac ;;
        esac
done)
[ -n "$scripts" ] || { echo "FAIL: git lists no shell scripts under $src"; exit 1; }

# shellcheck disable=SC2086 # file names from git ls-files, without blanks
if bad=$(grep -nE '\|[[:space:]]*grep[[:space:]]+(-[A-Za-z]*q|--quiet|--silent)' $scripts); then
        echo "FAIL: grep -q at the end of a pipeline (use contains, or grep ... > /dev/null):"
        printf '%s\n' "$bad"
        exit 1
fi
echo "ok: $(echo "$scripts" | wc -l) scripts"
