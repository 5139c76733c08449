#!/usr/bin/env bash
# A VF that is a device with a bus and a driver: a netdevsim port. netdevsim
# has no physfn and no PCI parent, so automatic pairing never takes it for a
# VF (an unknown kind of device is left alone); a configured group claims it
# by its driver, as udev reports it. Then the hardware comes and goes: a port
# removed (del_port), a new port under a new name (new_port), the whole
# device removed as on a PCI hot-unplug; then a VF representor of a device
# in switchdev mode, the second kind. netdevsim carries no frames, so no
# step here pings through the VF; every port change is checked in the bond.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"

# The group below matches on udev's ID_NET_DRIVER.
require_udev
nsim_ready

# veth as the paravirtual driver: automatic pairing would then take a VF
# candidate and a veth of one MAC for a group; a netdevsim port is no VF
# candidate (no PCI parent), nor is a dummy.
write_config "[global]
paravirt-drivers = veth"
switch_setup
start_hnvd

nsim_add_vf nsim9 02:00:00:00:09:01
add_backup pv9 02:00:00:00:09:01
ip link add unk0 address 02:00:00:00:09:01 type dummy
udev_settle
# What hnvd sees of a netdevsim port: a driver and a device, no physfn.
test "$(udev_prop nsim9 ID_NET_DRIVER)" = netdevsim || fail "nsim9's ID_NET_DRIVER is '$(udev_prop nsim9 ID_NET_DRIVER)'"
test ! -e /sys/class/net/nsim9/device/physfn || fail "nsim9 has a physfn"
log "nsim9: driver netdevsim, device $(readlink /sys/class/net/nsim9/device), port $(_hnv_read /sys/class/net/nsim9/phys_port_name)"
hnvctl reload >/dev/null # one more full reconcile pass through hnvd
for d in nsim9 pv9 unk0; do
        test -z "$(link_master "$d")" || fail "$d was enslaved to $(link_master "$d") without a group for it"
done
test "$(hnvctl --json status | jq '.groups | length')" = 0 || fail "a group formed: $(hnvctl status)"
del_dev nsim9
wait_until 10 "nsim9 gone" '! link_exists nsim9'

# By configuration: any netdevsim port is this group's VF.
write_config "[global]
paravirt-drivers = veth

[group nsim]
primary = udev:ID_NET_DRIVER=netdevsim
backup = mac:02:00:00:00:01:02"
hnvctl reload >/dev/null
add_backup bk0 02:00:00:00:01:02
nsim_new_device 1
id=$NSIM_ID
nsim_take "$id" vf0 02:00:00:00:01:01
assert_active bondnsim vf0
wait_state nsim healthy
test "$(bond_primary bondnsim)" = vf0 || fail "primary is '$(bond_primary bondnsim)', want vf0"
test "$(group_field nsim source)" = config || fail "source is $(group_field nsim source)"

# A port goes (del_port): the backup takes over.
nsim_del_port vf0
wait_until 10 "vf0 gone" '! link_exists vf0'
assert_active bondnsim bk0
wait_state nsim degraded
test "$(group_field nsim reason)" = "VF missing" || fail "reason: $(group_field nsim reason)"

# A new port of the same device, under a new name: the VF again.
nsim_new_port "$id" 1 enP9s1np1 02:00:00:00:01:01
assert_active bondnsim enP9s1np1
wait_state nsim healthy
test "$(bond_primary bondnsim)" = enP9s1np1 || fail "primary is '$(bond_primary bondnsim)', want enP9s1np1"
test "$(_hnv_read /sys/class/net/enP9s1np1/phys_port_name)" = p2 || fail "the new port is not p2"

# The whole device goes (a PCI hot-unplug): the group stays, on its backup.
nsim_del_device enP9s1np1
wait_until 10 "netdevsim$id gone" test ! -e "/sys/bus/netdevsim/devices/netdevsim$id"
assert_active bondnsim bk0
wait_state nsim degraded
test "$(bond_ports bondnsim)" = bk0 || fail "ports: '$(bond_ports bondnsim)'"

# Another device, another name: back to healthy.
nsim_add_vf vf2 02:00:00:00:01:01
assert_active bondnsim vf2
wait_state nsim healthy

# The second netdevsim kind: a VF representor (switchdev mode), which the
# same group takes for its VF by the same driver; the VFs taken away
# (sriov_numvfs 0) is another unplug.
nsim_del_device vf2
assert_active bondnsim bk0
wait_state nsim degraded
nsim_add_rep rep0 02:00:00:00:01:01
test "$(_hnv_read /sys/class/net/rep0/phys_port_name)" = pf0vf0 || fail "rep0 is not pf0vf0"
assert_active bondnsim rep0
wait_state nsim healthy
nsim_del_rep rep0
wait_until 10 "rep0 gone" '! link_exists rep0'
assert_active bondnsim bk0
wait_state nsim degraded

# The unknown kinds were left alone throughout.
for d in pv9 unk0; do
        test -z "$(link_master "$d")" || fail "$d was enslaved to $(link_master "$d")"
done
test "$(hnvctl --json status | jq '.groups | length')" = 1 || fail "groups: $(hnvctl status)"
pass
