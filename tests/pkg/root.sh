#!/usr/bin/env bash
# Prints the path of a Debian 12 (bookworm) minbase root tarball with systemd,
# building it with mmdebstrap only when the cache has none for this package
# list.
#
# Usage: tests/pkg/root.sh [EXTRA_PACKAGE...]
#   tests/pkg/root.sh                    # the plain root
#   tests/pkg/root.sh network-manager    # a second cached root with NM
#
# Cache: ${HNV_CACHE_DIR:-/var/cache/hnv-tests}/bookworm-<key>.tar, where key
# is the sha256 of the package list, the mmdebstrap options, this script's
# variant string and the machine's apt sources (a different mirror snapshot
# is a different root). Delete the directory to force rebuilds.
# Exit 77 (meson's "skipped") when this machine cannot build: not root, no
# mmdebstrap.
set -euo pipefail
# shellcheck source=group.sh
. "$(dirname "$0")/group.sh"

# Bump when the way a root is made changes in a way the options do not show.
variant=hnv-pkg-root-1
suite=bookworm
cache=${HNV_CACHE_DIR:-/var/cache/hnv-tests}
# mmdebstrap downloads some 100 MB on a busy machine: bound it, generously.
build_timeout=${HNV_ROOT_TIMEOUT:-1800}

# What a systemd guest needs to boot and to run network tests. apt-utils
# brings apt-ftparchive, so the guest can index a local .deb repository
# itself; jq reads hnvctl --json for the scenario helpers; ca-certificates
# is left out: the guest has no network.
base=(systemd systemd-sysv udev dbus kmod iproute2 iputils-ping procps
      apt-utils jq)

[ "$(id -u)" = 0 ] || { echo "root.sh: skipped: needs root" >&2; exit 77; }
command -v mmdebstrap >/dev/null || { echo "root.sh: skipped: needs mmdebstrap" >&2; exit 77; }

pkgs=$(printf '%s\n' "${base[@]}" "$@" | sort -u | paste -sd, -)

# shellcheck disable=SC2016  # the hook's $1 is for mmdebstrap's shell
opts=(
        --variant=minbase
        --include="$pkgs"
        # The machine's mirror may be a dated snapshot whose Release files
        # are past Valid-Until; the host's own apt configuration says the same.
        --aptopt='Acquire::Check-Valid-Until "false"'
        --aptopt='Acquire::Languages "none"'
        # No test reads documentation: a smaller root unpacks faster.
        --dpkgopt='path-exclude=/usr/share/man/*'
        --dpkgopt='path-exclude=/usr/share/doc/*'
        --dpkgopt='path-include=/usr/share/doc/*/copyright'
        --dpkgopt='path-exclude=/usr/share/locale/*'
        --dpkgopt='path-exclude=/usr/share/info/*'
        # The guest has no network: sources it cannot reach only make apt
        # slow and noisy there. Tests add their own local repository.
        # ($1 is the root's path, expanded by mmdebstrap's hook shell.)
        --customize-hook='rm -f "$1"/etc/apt/sources.list "$1"/etc/apt/sources.list.d/*'
)

# The machine's configured sources, as apt reads them (mmdebstrap pastes an
# existing file given as MIRROR into the root's sources).
sources=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [ -s "$f" ] && sources+=("$f")
done
[ ${#sources[@]} -gt 0 ] || { echo "root.sh: no apt sources configured" >&2; exit 1; }

key=$( {
        echo "$variant $suite"
        printf '%s\n' "${opts[@]}"
        cat "${sources[@]}"
} | sha256sum | cut -c1-16)
tarball=$cache/$suite-$key.tar

if [ -s "$tarball" ]; then
        echo "root.sh: cached $tarball ($pkgs)" >&2
        echo "$tarball"
        exit 0
fi

mkdir -p "$cache"
# One build at a time: two would download the same packages and the slower
# rename would win anyway.
exec 9>"$cache/.lock"
flock -w "$build_timeout" 9 || { echo "root.sh: timed out waiting for $cache/.lock" >&2; exit 1; }
if [ -s "$tarball" ]; then # built by whoever held the lock
        echo "$tarball"
        exit 0
fi
# Holding the lock, any temporary file left is from a killed build.
rm -f "$cache"/.tmp-*

tmp=$cache/.tmp-$key-$$.tar
trap 'rm -f "$tmp"' EXIT
start=$(date +%s)
echo "root.sh: building $tarball ($pkgs)" >&2
# No orphaned build may go on holding the lock.
rc=0
run_group timeout -k 30 "$build_timeout" mmdebstrap --quiet "${opts[@]}" "$suite" "$tmp" "${sources[@]}" >&2 || rc=$?
[ "$rc" = 0 ] || { echo "root.sh: mmdebstrap failed (exit $rc)" >&2; exit 1; }
# The key's inputs, for a human wondering what a tarball holds.
{
        echo "packages: $pkgs"
        echo "variant: $variant"
        printf 'option: %s\n' "${opts[@]}"
} >"$tarball.info"
mv -f "$tmp" "$tarball"
trap - EXIT
echo "root.sh: built $tarball in $(($(date +%s) - start)) s ($(du -h "$tarball" | cut -f1))" >&2
echo "$tarball"
