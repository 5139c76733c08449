# PowerVM device-tree fixtures for the scenarios: a directory laid out like
# /proc/device-tree (docs/devicetree.md) and the sysfs devspec attributes
# that tie netdevs to its nodes, both under /run (private to every runner).
# hnvd reads them through [global] device-tree-root= and sysfs-root=
# ($DT_CONFIG), so veth devices stand in for the VF and its backups.
# shellcheck shell=bash

DT_BASE=/run/hnv-dt
DT_ROOT=$DT_BASE/device-tree
DT_SYSFS=$DT_BASE/sys

# dt_setup: empty fixture roots; $DT_CONFIG is the [global] section that
# points hnvd at them (append more [global] keys after it).
dt_setup() {
        rm -rf "$DT_BASE"
        mkdir -p "$DT_ROOT/vdevice" "$DT_SYSFS/class/net" || fail "cannot create $DT_BASE"
        DT_CONFIG="[global]
device-tree-root = $DT_ROOT
sysfs-root = $DT_SYSFS"
}

# dt_set_u32 NODE PROP HEX8: a 4-byte big-endian property, as the firmware
# writes ibm,hcn-id and ibm,my-drc-index ("333e80f5").
dt_set_u32() {
        [[ $3 =~ ^[0-9a-f]{8}$ ]] || fail "dt_set_u32 $1 $2: want 8 lowercase hex digits, got '$3'"
        dt_set_raw "$1" "$2" "$3"
}

# dt_set_raw NODE PROP HEX: a property of any length, from hex digits
# ("3e80f5" is 3 bytes): for malformed nodes.
dt_set_raw() {
        local node=$1 prop=$2 hex=$3 esc= i
        for ((i = 0; i < ${#hex}; i += 2)); do
                esc+="\\x${hex:i:2}"
        done
        mkdir -p "$DT_ROOT/$node" || fail "cannot create node $node"
        printf "$esc" > "$DT_ROOT/$node/$prop" || fail "cannot write $node/$prop"
}

# dt_set_str NODE PROP STRING: a string property with its NUL, as the
# kernel exports it ("primary\0").
dt_set_str() {
        mkdir -p "$DT_ROOT/$1" || fail "cannot create node $1"
        printf '%s\0' "$3" > "$DT_ROOT/$1/$2" || fail "cannot write $1/$2"
}

# dt_set_hcn NODE HCNID MODE: the two properties the console (HMC) writes on
# every device of an HNV group. MODE: primary | backup.
dt_set_hcn() {
        dt_set_u32 "$1" ibm,hcn-id "$2"
        dt_set_str "$1" ibm,hcn-mode "$3"
}

# dt_add_vf NODE HCNID DRC: an SR-IOV VF, NODE below the root
# ("pci@800000020000011/ethernet@0"), primary of HCNID. Its DRC index sits
# on the parent pci node (the slot), as on a real LPAR.
dt_add_vf() {
        local node=$1
        [[ $node == pci*/ethernet* ]] || fail "dt_add_vf: '$node' is not pci*/ethernet*"
        dt_set_u32 "${node%/*}" ibm,my-drc-index "$3"
        dt_set_hcn "$node" "$2" primary
        dt_set_str "$node" ibm,loc-code "U78D3.ND1.FGD006M-P1-C7-T1-S$3"
}

# dt_add_backup KIND NODE HCNID DRC: a paravirtual backup of HCNID. KIND:
# l-lan (ibmveth) | vnic (ibmvnic). NODE below the root, or "" for the usual
# vdevice/KIND@DRC.
dt_add_backup() {
        local kind=$1 node=${2:-vdevice/$1@$4}
        case "$kind" in
        l-lan|vnic) ;;
        *) fail "dt_add_backup: KIND is l-lan or vnic, not '$kind'" ;;
        esac
        dt_set_hcn "$node" "$3" backup
        dt_set_u32 "$node" ibm,my-drc-index "$4"
        dt_set_str "$node" ibm,loc-code "U9080.HEX.134C1E8-V5-C${4: -1}"
}

# dt_remove_node NODE: the node and everything below it go (a DLPAR remove
# takes the whole pci slot of a VF: pass "pci@...").
dt_remove_node() {
        [ -n "$1" ] && [ -d "$DT_ROOT/$1" ] || fail "dt_remove_node: no node '$1'"
        rm -rf "${DT_ROOT:?}/$1"
}

# dt_link_devspec IFNAME DEVSPEC: the netdev IFNAME's device/devspec, as the
# kernel shows it (with a newline). DEVSPEC: "/pci@.../ethernet@0", or "" and
# "(null)" for a device without a node. Write it before the netdev appears:
# hnvd reads it once, when udev is done with the device.
dt_link_devspec() {
        mkdir -p "$DT_SYSFS/class/net/$1/device" || fail "cannot create the sysfs fixture for $1"
        printf '%s\n' "$2" > "$DT_SYSFS/class/net/$1/device/devspec"
}
