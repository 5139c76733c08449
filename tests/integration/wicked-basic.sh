#!/usr/bin/env bash
# backend=wicked, without wicked (Debian does not package it): a recording
# `wicked` first on PATH logs each call, and the ifcfg files go to a
# directory of the test's own. With real bonding and real udev: the bond and
# the files for hotplugged ports, the backup's own address lines moved from
# its file into the bond's, the commands in order, a loss-free planned
# release that leaves only the backup in the files, a new VF that becomes
# the files' primary, an hcnmgr bond file adopted, hnvctl remove that takes
# hnv's files and no one else's and gives the backup its address lines
# back, and a hung wicked that holds up nothing.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"

IFCFG=$HNV_RESULTS/ifcfg
FAKE=$HNV_RESULTS/fakebin
CALLS=$HNV_RESULTS/wicked.calls
mkdir -p "$IFCFG" "$FAKE"
: > "$CALLS"
# One line per call; with $FAKE/hang present it hangs as a stuck wicked
# would, and $FAKE/rc is its exit status.
cat > "$FAKE/wicked" <<EOF
#!/bin/sh
echo "\$*" >> "$CALLS"
if [ -e "$FAKE/hang" ]; then echo \$\$ > "$FAKE/hung.pid"; exec sleep 600; fi
exit \$(cat "$FAKE/rc" 2>/dev/null || echo 0)
EOF
chmod 755 "$FAKE/wicked"
export PATH=$FAKE:$PATH
kill_hung() {
        [ ! -e "$FAKE/hung.pid" ] || kill -KILL "$(cat "$FAKE/hung.pid")" 2>/dev/null || true
}
at_exit kill_hung

# ifcfg_get NAME KEY: the value hnv wrote (always single-quoted).
ifcfg_get() {
        sed -n "s/^$2='\(.*\)'\$/\1/p" "$IFCFG/ifcfg-$1"
}
# slaves NAME: the bond file's BONDING_SLAVE_* values, sorted (the order
# is the order the ports came in).
slaves() {
        sed -n "s/^BONDING_SLAVE_[0-9]*='\(.*\)'\$/\1/p" "$IFCFG/ifcfg-$1" | sort | paste -sd' '
}
opts_primary() {
        ifcfg_get "$1" BONDING_MODULE_OPTS | tr ' ' '\n' | sed -n 's/^primary=//p'
}
calls_after() { # the calls from line $1 on
        tail -n "+$1" "$CALLS" | paste -sd'|'
}
n_calls() {
        wc -l < "$CALLS"
}
assert_port_file() {
        test "$(head -n1 "$IFCFG/ifcfg-$1")" = "# Managed by hnv" || fail "ifcfg-$1 has no marker"
        test "$(ifcfg_get "$1" STARTMODE)" = hotplug || fail "ifcfg-$1: STARTMODE"
        test "$(ifcfg_get "$1" BOOTPROTO)" = none || fail "ifcfg-$1: BOOTPROTO"
}

# What others wrote: an admin's file, and the bond hcnmgr left.
printf "# the admin's\nBOOTPROTO='static'\nIPADDR='192.0.2.99/24'\n" > "$IFCFG/ifcfg-eth9"
cp "$IFCFG/ifcfg-eth9" "$HNV_RESULTS/eth9.orig"
# The backup's, as the installer left it before hnv: its address and route.
printf "# the installer's\nBOOTPROTO='static'\nIPADDR='198.51.100.50/24'\nSTARTMODE='auto'\nNAME='virtio'\n" \
        > "$IFCFG/ifcfg-bk0"
printf "default 198.51.100.1 - bk0\n" > "$IFCFG/ifroute-bk0"
cp "$IFCFG/ifcfg-bk0" "$HNV_RESULTS/bk0.orig"
cp "$IFCFG/ifroute-bk0" "$HNV_RESULTS/ifroute-bk0.orig"
cp "$HNV_SRC/tests/golden/wicked/hcnmgr-bond.in" "$IFCFG/ifcfg-bond333e80f5"

write_config "[global]
backend = wicked
ifcfg-dir = $IFCFG
[group web]
primary = mac:02:00:00:00:01:01
backup = mac:02:00:00:00:01:02
[group 333e80f5]
primary = mac:02:00:00:00:02:01
backup = mac:02:00:00:00:02:02"
switch_setup
start_hnvd
hnvctl status | contains "^Backend: wicked" || fail "hnvctl status does not say Backend: wicked"

# --- a VF and a backup hotplugged
plug_group web vf0 02:00:00:00:01:01 bk0 02:00:00:00:01:02
wait_eq 10 "bondweb's file names both ports" "bk0 vf0" slaves bondweb
test "$(head -n1 "$IFCFG/ifcfg-bondweb")" = "# Managed by hnv" || fail "ifcfg-bondweb has no marker"
test "$(ifcfg_get bondweb BONDING_MASTER)" = yes || fail "BONDING_MASTER"
test "$(ifcfg_get bondweb STARTMODE)" = auto || fail "STARTMODE"
# The backup's address lines are the bond's now, its route too.
test "$(ifcfg_get bondweb BOOTPROTO)" = static || fail "BOOTPROTO: $(cat "$IFCFG/ifcfg-bondweb")"
test "$(ifcfg_get bondweb IPADDR)" = 198.51.100.50/24 || fail "IPADDR: $(cat "$IFCFG/ifcfg-bondweb")"
test "$(cat "$IFCFG/ifroute-bondweb")" = "default 198.51.100.1 - bondweb" || fail "ifroute-bondweb"
test ! -e "$IFCFG/ifroute-bk0" || fail "ifroute-bk0 still there"
test "$(opts_primary bondweb)" = vf0 || fail "primary in the file: $(opts_primary bondweb)"
for w in mode=active-backup miimon=100 fail_over_mac=follow num_grat_arp=3 num_unsol_na=3; do
        ifcfg_get bondweb BONDING_MODULE_OPTS | tr ' ' '\n' | contains -x "$w" || fail "no $w in BONDING_MODULE_OPTS"
done
assert_port_file vf0
# The installer's file stays the admin's: no marker, only hnv's keys changed.
test "$(cat "$IFCFG/ifcfg-bk0")" = "# the installer's
BOOTPROTO='none'
STARTMODE='hotplug'
NAME='virtio'" || fail "ifcfg-bk0: $(cat "$IFCFG/ifcfg-bk0")"
# Each change of the files (the bond with bk0, then vf0 as primary) is
# followed by a reload of the bond, and nothing else is asked of wicked.
wait_until 10 "wicked ifreload bondweb" grep -qx "ifreload bondweb" "$CALLS"
grep -vx "ifreload bondweb" "$CALLS" && fail "unexpected wicked calls"
log "wicked calls so far: $(calls_after 1)"

# --- hcnmgr's bond file is adopted, its stale ports replaced in place
add_backup bk1 02:00:00:00:02:02
add_vf vf1 02:00:00:00:02:01
assert_active bond333e80f5 vf1
wait_state 333e80f5 healthy
wait_eq 10 "bond333e80f5's file names vf1 and bk1" "bk1 vf1" slaves bond333e80f5
test "$(head -n1 "$IFCFG/ifcfg-bond333e80f5")" = "# Managed by hnv" || fail "hcnmgr's file not adopted"
test "$(opts_primary bond333e80f5)" = vf1 || fail "primary in the hcnmgr file"
wait_until 10 "wicked ifreload bond333e80f5" grep -qx "ifreload bond333e80f5" "$CALLS"
# hcnmgr's file has no address for the bond: said before a reboot shows it.
wait_until 10 "the warning about bond333e80f5's address" \
        grep -q "ifcfg-bond333e80f5 has no IP configuration: after a reboot the bond has no address" "$HNVD_LOG"

# --- the planned release: loss-free; then only the backup in the files
before=$(( $(n_calls) + 1 ))
traffic_start 192.0.2.2 400 0.005
wait_until 10 "traffic flowing" sw_ping_ok 192.0.2.2
expect_exit 0 hnvctl prepare-migration web
test "$(bond_active bondweb)" = bk0 || fail "active is $(bond_active bondweb)"
test -z "$(link_master vf0)" || fail "vf0 still enslaved"
traffic_wait
test "$TRAFFIC_LOST" -eq 0 || fail "lost $TRAFFIC_LOST packets during prepare"
wait_eq 10 "bondweb's file names only bk0" "bk0" slaves bondweb
test -z "$(opts_primary bondweb)" || fail "the file still has primary=$(opts_primary bondweb)"
test ! -e "$IFCFG/ifcfg-vf0" || fail "ifcfg-vf0 not removed"
# As hcnmgr's rmdev: the released port down in wicked, then the bond.
wait_eq 10 "wicked calls for the release" "ifdown vf0|ifreload bondweb" calls_after "$before"

# --- the destination's VF, under a new name, is the files' primary
before=$(( $(n_calls) + 1 ))
del_dev vf0
add_vf enP7p1s0 02:00:00:00:01:01
assert_active bondweb enP7p1s0
wait_state web healthy
wait_eq 10 "bondweb's file names enP7p1s0" "bk0 enP7p1s0" slaves bondweb
test "$(opts_primary bondweb)" = enP7p1s0 || fail "primary in the file: $(opts_primary bondweb)"
assert_port_file enP7p1s0
wait_eq 10 "wicked calls for the new VF" "ifreload bondweb" calls_after "$before"

# --- hnvctl remove: hnv's files go, the admin's stays byte for byte
before=$(( $(n_calls) + 1 ))
expect_exit 0 hnvctl remove web
for f in bondweb enP7p1s0; do
        test ! -e "$IFCFG/ifcfg-$f" || fail "ifcfg-$f survived hnvctl remove"
done
# bk0, which keeps the addresses, has its lines back where they were.
sed "s/^STARTMODE='auto'/STARTMODE='hotplug'/" "$HNV_RESULTS/bk0.orig" | cmp - "$IFCFG/ifcfg-bk0" ||
        fail "ifcfg-bk0 after remove: $(cat "$IFCFG/ifcfg-bk0")"
cmp "$HNV_RESULTS/ifroute-bk0.orig" "$IFCFG/ifroute-bk0" || fail "ifroute-bk0 not given back"
test ! -e "$IFCFG/ifroute-bondweb" || fail "ifroute-bondweb survived hnvctl remove"
cmp "$HNV_RESULTS/eth9.orig" "$IFCFG/ifcfg-eth9" || fail "the admin's ifcfg-eth9 changed"
test -e "$IFCFG/ifcfg-bond333e80f5" || fail "another group's file went too"
wait_eq 10 "wicked told to forget bondweb" "ifreload bondweb" calls_after "$before"

# --- a failing wicked: logged once with the interface name, files still
# written. (An unplugged VF stays in the files until another takes its
# place: no wicked call for each of a VF's comings and goings.)
echo 3 > "$FAKE/rc"
del_dev vf1
assert_active bond333e80f5 bk1
add_vf vf2 02:00:00:00:02:01
assert_active bond333e80f5 vf2
wait_eq 10 "bond333e80f5's file names vf2" "bk1 vf2" slaves bond333e80f5
wait_until 10 "the failure logged" grep -q "bond333e80f5: wicked ifreload bond333e80f5 failed: exit status 3" "$HNVD_LOG"
rm "$FAKE/rc"

# --- a hung wicked holds up neither failover nor the files
touch "$FAKE/hang"
before=$(( $(n_calls) + 1 ))
del_dev vf2
assert_active bond333e80f5 bk1
add_vf vf3 02:00:00:00:02:01
assert_active bond333e80f5 vf3
wait_eq 10 "the hung reload" "ifreload bond333e80f5" calls_after "$before"
wait_eq 10 "bond333e80f5's file names vf3" "bk1 vf3" slaves bond333e80f5
# While wicked hangs, failover is the kernel's at once, both ways.
vf_carrier vf3 off
assert_active bond333e80f5 bk1
vf_carrier vf3 on
assert_active bond333e80f5 vf3
wait_state 333e80f5 healthy
test "$(bond_primary bond333e80f5)" = vf3 || fail "primary is $(bond_primary bond333e80f5)"
test "$(calls_after "$before")" = "ifreload bond333e80f5" || fail "calls beside the hung one: $(calls_after "$before")"
hnvctl status 333e80f5 | contains healthy || fail "hnvctl status"
stop_hnvd
test "$HNVD_EXIT" -eq 0 || fail "hnvd exited with $HNVD_EXIT"
pass
