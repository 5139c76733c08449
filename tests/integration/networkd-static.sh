#!/usr/bin/env bash
# backend=networkd against a real systemd-networkd. A guest installed
# before hnv: the installer's .network gives the VF a static IPv4 and IPv6
# address. hnvd forms the group and writes its files; networkd, reloaded,
# applies hnv's files to the ports and the bond and leaves the admin's
# alone. Then a reboot (hnvd and networkd started again from their files
# alone, /run emptied, no bond): the address is on the bond, never on a
# port, and pings flow. The VF released for a migration is left alone by
# networkd. hnvctl remove: hnv's files go, and the admin's file gives the
# VF its address again.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"
. "$HNV_SRC/tests/integration/nm-lib.sh"
. "$HNV_SRC/tests/integration/networkd-lib.sh"

require_networkd
switch_setup
networkd_setup
ND=/etc/systemd/network

# Before hnv: the installer's file, by MAC as netplan writes it.
ADMIN="[Match]
MACAddress=02:00:00:00:01:01

[Network]
Address=192.0.2.2/24
Address=2001:db8::2/64
IPv6AcceptRA=no"
printf '%s\n' "$ADMIN" > "$ND/10-installer.network"
start_networkd
add_vf vf0 02:00:00:00:01:01
wait_until 60 "vf0's address from networkd" 'ip -4 addr show dev vf0 | contains 192.0.2.2/24'
wait_eq 30 "networkd's file for vf0" "$ND/10-installer.network" networkd_file vf0

# hnv arrives.
write_config "[global]
backend = networkd
[group web]
primary = mac:02:00:00:00:01:01
backup = mac:02:00:00:00:01:02"
guest_ping_start
start_hnvd
add_backup bk0 02:00:00:00:01:02
assert_active bondweb vf0 90
wait_state web healthy 60
wait_eq 60 "networkd applies hnv's file to vf0" "$ND/00-hnv-vf0.network" networkd_file vf0
wait_eq 60 "networkd applies hnv's file to bk0" "$ND/00-hnv-bk0.network" networkd_file bk0
wait_eq 60 "networkd applies hnv's file to bondweb" "$ND/00-hnv-bondweb.network" networkd_file bondweb
# networkd takes each port down and sets its master again as it configures
# it, and replaces the bond's address hnvd moved with its own: wait until
# it is done.
for l in bondweb vf0 bk0; do
        wait_eq 60 "networkd configured $l" configured networkd_setup_state "$l"
done
guest_ping_stop "while the group formed"
grep -qx "Address=192.0.2.2/24" "$ND/00-hnv-bondweb.network" || fail "no address in the bond's file: $(cat "$ND/00-hnv-bondweb.network")"
grep -qx "Address=2001:db8::2/64" "$ND/00-hnv-bondweb.network" || fail "no IPv6 address in the bond's file"
grep -q "networkctl reload (bondweb): done" "$HNVD_LOG" || fail "no networkctl reload in hnvd's log"
assert_only_on bondweb 192.0.2.2/24 vf0 bk0
test "$(printf '%s\n' "$ADMIN")" = "$(cat "$ND/10-installer.network")" || fail "the admin's file changed"
wait_until 30 "ping across bondweb" ping_ok 192.0.2.1

# A reboot: only the files are left.
networkd_reboot bondweb vf0 bk0
assert_active bondweb vf0 90
wait_state web healthy 60
wait_until 60 "bondweb's address from networkd" 'ip -4 addr show dev bondweb | contains 192.0.2.2/24'
wait_until 60 "bondweb's IPv6 address from networkd" 'ip -6 addr show dev bondweb | contains 2001:db8::2/64'
wait_eq 60 "networkd's file for vf0 after the reboot" "$ND/00-hnv-vf0.network" networkd_file vf0
wait_eq 60 "networkd's file for bondweb after the reboot" "$ND/00-hnv-bondweb.network" networkd_file bondweb
for l in bondweb vf0 bk0; do
        wait_eq 60 "networkd configured $l" configured networkd_setup_state "$l"
done
assert_active bondweb vf0 60
assert_only_on bondweb 192.0.2.2/24 vf0 bk0
assert_only_on bondweb 2001:db8::2/64 vf0 bk0
test "$(link_master vf0)" = bondweb || fail "networkd took vf0 out of the bond"
test "$(link_master bk0)" = bondweb || fail "networkd took bk0 out of the bond"
wait_until 30 "ping across bondweb after the reboot" ping_ok 192.0.2.1

# The VF released before a migration: out of the bond, and networkd must
# not give it the installer's address (the bond has it): hnv's file for it
# stays, and says to leave it alone.
expect_exit 0 hnvctl prepare-migration web
wait_state web migrating 30
test -z "$(link_master vf0)" || fail "vf0 still enslaved"
wait_until 30 "networkd told of the release" sh -c "[ \$(grep -c 'networkctl reload (bondweb): done' '$HNVD_LOG') -ge 2 ]"
wait_eq 30 "networkd leaves the released vf0 alone" unmanaged networkd_setup_state vf0
ip addr show dev vf0 | contains "inet 192.0.2.2/" && fail "the released vf0 got the installer's address"
assert_only_on bondweb 192.0.2.2/24 vf0 bk0
wait_until 30 "ping across bondweb through bk0" ping_ok 192.0.2.1

# The group dissolved: hnv's files go, the admin's applies to the VF again.
expect_exit 0 hnvctl remove web
wait_until 30 "bondweb gone" sh -c '! ip link show bondweb >/dev/null 2>&1'
for f in 00-hnv-bondweb.netdev 00-hnv-bondweb.network 00-hnv-vf0.network 00-hnv-bk0.network; do
        test ! -e "$ND/$f" || fail "$f survived hnvctl remove"
done
test "$(printf '%s\n' "$ADMIN")" = "$(cat "$ND/10-installer.network")" || fail "the admin's file changed"
wait_eq 60 "networkd applies the admin's file to vf0 again" "$ND/10-installer.network" networkd_file vf0
wait_until 60 "vf0's address back" 'ip -4 addr show dev vf0 | contains 192.0.2.2/24'
log "after remove: $(ip -br addr show | paste -sd'|')"
wait_until 30 "ping from vf0" ping_ok 192.0.2.1
pass
