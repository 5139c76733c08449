#!/usr/bin/env bash
# The RPMs: built from this tree with packaging/rpm/hnv.spec, signed with a
# throwaway key (a distribution signs what it publishes; rpmlint wants a
# signature it can check), rpmlint with no error, the same files as the
# .debs (tests/pkg/filelist.sh maps each family's paths), and the
# powerpc-utils coexistence (packaging/README.md) carried out by the
# scriptlets in a scratch root against a stand-in powerpc-utils-core.
#   tests/pkg/rpm.sh DEBDIR WORKDIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
debs=${1:?usage: rpm.sh DEBDIR WORKDIR}
work=${2:?usage: rpm.sh DEBDIR WORKDIR}
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
fail=0
check() { # MESSAGE COMMAND...
        local what=$1; shift
        if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=1; fi
}

RPM_NOCHECK=1 "$top/packaging/build-rpm" "$work/rpms"

# A private home: the throwaway key and an rpm database of this test's own,
# which rpmlint's signature check (rpm -K) reads through ~/.rpmmacros.
export HOME=$work/home GNUPGHOME=$work/home/gnupg
mkdir -p "$GNUPGHOME" && chmod 700 "$GNUPGHOME"
printf '%%_dbpath %s/rpmdb\n' "$HOME" > "$HOME/.rpmmacros"
gpg --batch --quiet --passphrase '' --quick-gen-key "hnv test <hnv-test@hnv.invalid>" default default never
gpg --batch --quiet --armor --export hnv-test@hnv.invalid > "$work/key.asc"
rpm --initdb
rpm --import "$work/key.asc"
rpmsign --addsign --define "__gpg $(command -v gpg)" --define "_gpg_name hnv-test@hnv.invalid" \
        "$work"/rpms/*.rpm >/dev/null

rpmlint "$work"/rpms/*.rpm > "$work/rpmlint.txt" 2>&1 || true
cat "$work/rpmlint.txt"
check "rpmlint: no errors" sh -c "! grep -q ': E: ' '$work/rpmlint.txt'"

for p in hnv hnv-networkmanager hnv-powervm; do
        "$here/filelist.sh" deb "$debs/${p}_"*.deb > "$work/$p.deb.list"
        "$here/filelist.sh" rpm "$work/rpms/$p-"[0-9]*.rpm > "$work/$p.rpm.list"
        check "$p: the same files in the .deb and the .rpm" diff -u "$work/$p.deb.list" "$work/$p.rpm.list"
done

# The scriptlets, for real, in a root with a shell: rpm runs them there
# under chroot.
root=$work/root
mkdir -p "$root"/usr/sbin "$root"/bin "$root"/dev "$root"/var/tmp
mknod -m 666 "$root/dev/null" c 1 3
for tool in sh readlink mv ln rm; do
        bin=$(readlink -f "$(command -v $tool)")
        cp "$bin" "$root/bin/$tool"
        for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
                cp --parents -L "$lib" "$root/"
        done
done
rpmroot() { rpm --root "$root" --dbpath /var/lib/rpm --nodeps --nosignature "$@"; }
rpm --root "$root" --dbpath /var/lib/rpm --initdb

# powerpc-utils-core as Fedora ships the names: a real hcnmgr and five
# links, built as an RPM of its own, in two versions for an update.
ppc_rpm() { # VERSION
        local d=$work/ppc-$1
        mkdir -p "$d/SPECS"
        cat > "$d/SPECS/ppc.spec" <<SPEC
Name: powerpc-utils-core
Version: $1
Release: 1
Summary: stand-in for the test
License: GPL-2.0-or-later
BuildArch: noarch
%description
Stand-in.
%install
mkdir -p %{buildroot}/usr/sbin
printf '#!/bin/sh\necho predecessor $1\n' > %{buildroot}/usr/sbin/hcnmgr
chmod 755 %{buildroot}/usr/sbin/hcnmgr
for n in hcncfgdrc hcnqrydev hcnrmdev hcnrmhcn hcnversion; do ln -s hcnmgr %{buildroot}/usr/sbin/\$n; done
%files
/usr/sbin/hcn*
SPEC
        rpmbuild -bb --quiet --define "_topdir $d" "$d/SPECS/ppc.spec" >/dev/null 2>&1
        ls "$d"/RPMS/noarch/*.rpm
}
ppc1=$(ppc_rpm 1.3.13)
ppc2=$(ppc_rpm 1.3.14)
ours() { [ "$(readlink "$root/usr/sbin/$1")" = /usr/libexec/hnv/$1 ]; }
all_ours() { for n in hcnmgr hcncfgdrc hcnqrydev hcnrmdev hcnrmhcn hcnversion; do ours $n || return 1; done; }
predecessor_kept() { grep -q "predecessor $1" "$root/usr/sbin/hcnmgr.powerpc-utils"; }

rpmroot -i "$ppc1"
rpmroot -i "$work"/rpms/hnv-[0-9]*.rpm "$work"/rpms/hnv-powervm-*.rpm
check "installed beside powerpc-utils-core: no file conflict, the names are hnv's" all_ours
check "powerpc-utils' hcnmgr kept beside them" predecessor_kept 1.3.13
rpmroot -U "$ppc2"
check "after a powerpc-utils-core update the names are hnv's again" all_ours
check "and the updated hcnmgr is the one kept" predecessor_kept 1.3.14
rpmroot -e hnv-powervm
check "hnv-powervm removed: powerpc-utils' hcnmgr is back" grep -q "predecessor 1.3.14" "$root/usr/sbin/hcnmgr"
check "and its links" test "$(readlink "$root/usr/sbin/hcnrmdev")" = hcnmgr
check "nothing of hnv's left in /usr/sbin" sh -c "! ls '$root'/usr/sbin/*.powerpc-utils 2>/dev/null | grep . > /dev/null"
rpmroot -i "$work"/rpms/hnv-powervm-*.rpm
rpmroot -e powerpc-utils-core
check "powerpc-utils-core removed under hnv-powervm: the names stay hnv's" all_ours
check "and its kept copies are gone" sh -c "! ls '$root'/usr/sbin/*.powerpc-utils 2>/dev/null | grep . > /dev/null"
rpmroot -e hnv-powervm
check "without powerpc-utils, removing hnv-powervm leaves no name behind" sh -c "! ls '$root'/usr/sbin/hcn* 2>/dev/null | grep . > /dev/null"

exit $fail
