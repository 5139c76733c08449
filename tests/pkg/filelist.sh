#!/usr/bin/env bash
# Prints a package's files under the names they have on every family, so
# that the .deb and the .rpm of one package can be compared line by line.
# What differs on purpose is mapped here, and only here:
#   /lib/systemd, /lib/udev (Debian 12)      -> /usr/lib/...   (RPM)
#   /usr/lib/<multiarch>/hnv (Debian)        -> /usr/lib64/hnv (RPM)
#   /usr/sbin/hcn* (Debian: powerpc-ibm-utils' copies diverted)
#                                            -> /usr/libexec/hnv/hcn* (RPM:
#      powerpc-utils-core owns /usr/sbin/hcn*; the scriptlets point them here)
#   hcn-init.service, hcnmgr.8 (Debian)      -> hnv-hcn-init.service,
#      hnv-hcnmgr.8 (RPM: powerpc-utils-core has both names)
#   docs: /usr/share/doc/hnv/X.gz (Debian)   -> /usr/share/doc/hnv-VERSION/X
# and what one family has alone is left out: Debian's changelog.Debian and
# copyright, RPM's build-id links, the preset (Debian enables from the
# maintainer scripts) and the drop-in for Fedora's own hcn-init.service.
#   tests/pkg/filelist.sh deb|rpm PACKAGE_FILE
set -euo pipefail
kind=$1 file=$2
case $kind in
deb) dpkg-deb --fsys-tarfile "$file" | tar -t | sed 's|^\./|/|' ;;
rpm) rpm -qlp --nosignature "$file" 2>/dev/null ;;
*) echo "filelist.sh: deb or rpm" >&2; exit 2 ;;
esac | sed -E \
        -e 's|/$||' \
        -e 's|^/lib/(systemd\|udev)(/\|$)|/usr/lib/\1\2|' \
        -e 's|^/usr/lib/[a-z0-9_]+-linux-gnu[a-z0-9_]*(/\|$)|/usr/lib64\1|' \
        -e 's|^/usr/sbin/(hcn[a-z]+)$|/usr/libexec/hnv/\1|' \
        -e 's|/hcn-init\.service$|/hnv-hcn-init.service|' \
        -e 's|/man8/hcnmgr\.8|/man8/hnv-hcnmgr.8|' \
        -e 's|^/usr/share/doc/hnv-[0-9][^/]*|/usr/share/doc/hnv|' \
        -e 's|^(/usr/share/doc/.*)\.gz$|\1|' |
        grep -vE '^(/usr/share/doc/[^/]+/(changelog\.Debian|copyright)|/usr/lib/\.build-id.*|/usr/lib/systemd/system-preset.*|/usr/lib/systemd/system/hcn-init\.service\.d.*)$' |
        # Directories that only one family lists (dpkg lists every parent).
        grep -vxE '|/|/etc|/lib|/usr|/usr/(bin|sbin|lib|lib64|libexec|share)|/usr/share/(doc|man)|/usr/share/man/man[0-9]|/usr/lib/(systemd|udev)|/usr/lib/systemd/system|/usr/lib/udev/rules.d|/usr/share/doc/hnv(-[a-z]+)?|/usr/libexec/hnv' |
        sort
