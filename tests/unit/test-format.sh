#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The one formatting style docs/style.md promises: every C file git tracks
# under src/, tests/ and bench/ is as clang-format writes it (.clang-format).
# Each file that is not is named, with the first places that differ;
# `clang-format -i FILE` fixes it.
# Skips (77) without clang-format ($CLANG_FORMAT picks another binary) and
# outside a git checkout (a release tarball, a package build): which files
# count is git's answer. Styles move between clang-format releases; CI's is
# Debian 12's (14).
#   test-format.sh SOURCE_ROOT
set -u
src=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
clang_format=${CLANG_FORMAT:-clang-format}

command -v "$clang_format" >/dev/null || { echo "SKIP: no $clang_format"; exit 77; }
if ! git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        echo "SKIP: $src is not a git checkout"
        exit 77
fi
cd "$src" || exit 1
echo "# $("$clang_format" --version)"

# Deleted but not yet committed: nothing to check.
files=$(git ls-files -- 'src/*.[ch]' 'tests/*.[ch]' 'bench/*.[ch]' | while read -r f; do
        [ -f "$f" ] && echo "$f"
done)
[ -n "$files" ] || { echo "FAIL: git lists no C files under $src"; exit 1; }

# One run for all files: it goes on past the first file that differs.
# shellcheck disable=SC2086 # file names from git ls-files, without blanks
if out=$("$clang_format" --dry-run --Werror $files 2>&1); then
        echo "ok: $(echo "$files" | wc -l) files"
        exit 0
fi

bad=$(printf '%s\n' "$out" | sed -n 's/^\([^ :]*\):[0-9]*:[0-9]*: \(error\|warning\): .*/\1/p' | uniq)
if [ -z "$bad" ]; then
        # Not a difference clang-format reports per line (a broken .clang-format, say).
        printf '%s\n' "$out"
        exit 1
fi
for f in $bad; do
        echo "FAIL: $f, places that differ: $(printf '%s\n' "$out" | grep -c "^$f:[0-9]*:[0-9]*: "); the first:"
        printf '%s\n' "$out" | grep -A2 "^$f:[0-9]*:[0-9]*: " | head -n 9
done
echo "Not as clang-format writes them; fix with:"
# shellcheck disable=SC2086 # one file a word
echo "  clang-format -i" $bad
exit 1
