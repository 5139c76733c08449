# The HMC's side of Hybrid Network Virtualization, for the scenarios: the
# hcn commands as the console calls them (hcnmgr(8)), each timed, and the
# DLPAR operations around them modelled with device-tree fixtures (dt-lib.sh)
# and veth devices.
# shellcheck shell=bash

# The program under all six names, as installed.
_hmc_need_build() {
        _hnv_need_build
        HCNMGR=$HNV_BUILD/src/compat/hcnmgr
        [ -x "$HCNMGR" ] || fail "hcnmgr is not built: no $HCNMGR"
        HMC_TIMINGS=${HMC_TIMINGS:-$HNV_RESULTS/hmc-timings.txt}
}

# hcn NAME ARGS...: runs the command NAME (hcncfgdrc, hcnqrydev, ...) the
# way DynamicRM does: argv[0] is the name. Output in $out, status in $rc,
# wall time in $hcn_ms.
hcn() {
        _hmc_need_build
        local name=$1 t0 t1
        shift
        t0=${EPOCHREALTIME/./}
        rc=0
        out=$(exec -a "$name" "$HCNMGR" "$@" 2>&1) || rc=$?
        t1=${EPOCHREALTIME/./}
        hcn_ms=$(((t1 - t0) / 1000))
        log "$name $*: exit $rc after ${hcn_ms} ms: $out"
}

# hmc_step STEP STATUS NAME ARGS...: hcn, which must exit STATUS; the time
# goes to $HMC_TIMINGS as "STEP MS" (bench/hmc.sh reads it).
hmc_step() {
        local step=$1 want=$2
        shift 2
        hcn "$@"
        [ "$rc" -eq "$want" ] || fail "$step: $1 exited $rc, want $want: $out"
        echo "$step $hcn_ms" >> "$HMC_TIMINGS"
}

# expect_hcn STATUS PATTERN NAME ARGS...: hcn, which must exit STATUS with
# output matching PATTERN (grep -E).
expect_hcn() {
        local want=$1 pattern=$2
        shift 2
        hcn "$@"
        [ "$rc" -eq "$want" ] || fail "$1 $*: exit $rc, want $want: $out"
        grep -qE -- "$pattern" <<<"$out" || fail "$1 $*: output lacks /$pattern/: $out"
}

# The fixture of one HNV group: hcn-id, a VF in a pci slot, an ibmveth backup.
HMC_HCN=333e80f5
HMC_BOND=bond$HMC_HCN
HMC_VF_SLOT=pci@800000020000011
HMC_VF_DRC=8000003a
HMC_BK_DRC=30000002

# hmc_dlpar_add_backup IFNAME MAC: the backup's node, then its netdev.
hmc_dlpar_add_backup() {
        dt_add_backup l-lan "" "$HMC_HCN" "$HMC_BK_DRC"
        dt_link_devspec "$1" "/vdevice/l-lan@$HMC_BK_DRC"
        add_backup "$1" "$2"
}

# hmc_dlpar_add_vf IFNAME MAC SLOT DRC: a VF in a pci slot.
hmc_dlpar_add_vf() {
        dt_add_vf "$3/ethernet@0" "$HMC_HCN" "$4"
        dt_link_devspec "$1" "/$3/ethernet@0"
        add_vf "$1" "$2"
}

# hmc_dlpar_remove_vf IFNAME SLOT: the netdev goes, then the slot's nodes.
hmc_dlpar_remove_vf() {
        del_dev "$1"
        dt_remove_node "$2"
}

# hmc_group_added: the console's DLPAR adds of the group's backup bk0 and
# VF vf0, each then found in the bond by hcncfgdrc.
hmc_group_added() {
        hmc_dlpar_add_backup bk0 02:00:00:00:01:02
        hmc_dlpar_add_vf vf0 02:00:00:00:01:01 "$HMC_VF_SLOT" "$HMC_VF_DRC"
        expect_hcn 0 "is in $HMC_BOND" hcncfgdrc DRC_INDEX=$HMC_VF_DRC
        expect_hcn 0 "is in $HMC_BOND" hcncfgdrc DRC_INDEX=$HMC_BK_DRC
}

# hmc_vf_swapped_offline: an inactive migration, with hnvd (and any
# connection manager) stopped by the caller: vf0 and its slot go, and the
# destination's VF vf1 is there at the next boot.
hmc_vf_swapped_offline() {
        hmc_dlpar_remove_vf vf0 "$HMC_VF_SLOT"
        hmc_dlpar_add_vf vf1 02:00:00:00:01:03 pci@800000020000012 8000003b
        udev_settle
}

# hmc_recording_tool NAME: a stand-in NAME first on PATH that only records
# its arguments, a line per call, in $HNV_RESULTS/NAME.calls.
hmc_recording_tool() {
        mkdir -p "$HNV_RESULTS/fakebin"
        printf '#!/bin/sh\necho "$*" >> "%s/%s.calls"\n' "$HNV_RESULTS" "$1" > "$HNV_RESULTS/fakebin/$1"
        chmod 755 "$HNV_RESULTS/fakebin/$1"
        case ":$PATH:" in
        *":$HNV_RESULTS/fakebin:"*) ;;
        *) export PATH=$HNV_RESULTS/fakebin:$PATH ;;
        esac
}

# hmc_nm_unmanaged_rule: on a partition, 89-hnv.rules starts a port whose
# device-tree node carries ibm,hcn-id unmanaged by NetworkManager (a TEST
# on /proc/device-tree and the netdev's devspec attribute). The fixtures'
# veths have no devspec attribute for udev to read, so the same property
# comes from their MACs, in a rule after nm_model_real_nics' 86- one.
hmc_nm_unmanaged_rule() {
        printf '%s\n' 'SUBSYSTEM=="net", ACTION!="remove", ENV{DEVTYPE}!="bond", ATTR{address}=="02:00:00:00:01:0[123]", ENV{HNV_HCN_PORT}="1", ENV{NM_UNMANAGED}="1"' \
                > /run/udev/rules.d/88-hnv-test-hcn.rules
        udev_reload
}

# hmc_setup [HNV_CONF_LINES]: fixture roots, hnv.conf pointing at them
# (plus the lines given), the switch. hnvd is the scenario's to start.
hmc_setup() {
        require_udev
        dt_setup
        write_config "$DT_CONFIG${1:+
$1}"
        switch_setup
}

# hmc_nm_setup: hmc_setup for the networkmanager backend, with a real
# NetworkManager and hnvd running.
hmc_nm_setup() {
        require_nm
        hmc_setup "backend = networkmanager"
        nm_model_real_nics
        hmc_nm_unmanaged_rule
        start_nm
        start_hnvd
}

# hmc_sequence: the console's sequence, end to end, with traffic through
# the release: configure the backup and the VF, query, release with no
# loss, unplug, a new VF with the same hcn-id and a new DRC index,
# configure it, dissolve. The caller has written hnv.conf and started hnvd
# (and NetworkManager); $1 says how the bond gets its address:
# "kernel" (ip addr) or "nm" (the bond's profile).
hmc_sequence() {
        local how=$1
        hmc_dlpar_add_backup bk0 02:00:00:00:01:02
        hmc_step cfgdrc-backup 0 hcncfgdrc DRC_INDEX=$HMC_BK_DRC
        test "$(link_master bk0)" = "$HMC_BOND" || fail "bk0 is not in $HMC_BOND after hcncfgdrc"

        hmc_dlpar_add_vf vf0 02:00:00:00:01:01 "$HMC_VF_SLOT" "$HMC_VF_DRC"
        hmc_step cfgdrc-vf 0 hcncfgdrc DRC_INDEX=$HMC_VF_DRC
        test "$(link_master vf0)" = "$HMC_BOND" || fail "vf0 is not in $HMC_BOND after hcncfgdrc"
        assert_active "$HMC_BOND" vf0 30
        test "$(bond_primary "$HMC_BOND")" = vf0 || fail "primary is '$(bond_primary "$HMC_BOND")', want vf0"
        wait_state "$HMC_HCN" healthy 30
        test "$(group_field "$HMC_HCN" source)" = devicetree || fail "the group's source is not the device tree"
        # Again: already in its bond, so at once and nothing changes.
        hmc_step cfgdrc-again 0 hcncfgdrc DRC_INDEX=$HMC_VF_DRC

        case "$how" in
        kernel) ip addr add 192.0.2.2/24 dev "$HMC_BOND" ;;
        nm)
                nmcli connection modify "$HMC_BOND" ipv4.method manual ipv4.addresses 192.0.2.2/24 >/dev/null
                nmcli device reapply "$HMC_BOND" >/dev/null
                ;;
        *) fail "hmc_sequence: kernel or nm, not '$how'" ;;
        esac
        wait_until 30 "ping across $HMC_BOND" ping_ok 192.0.2.1

        hmc_step qrydev 0 hcnqrydev DRC_INDEX=$HMC_VF_DRC HCN_ID=$HMC_HCN
        grep -q "may be removed" <<<"$out" || fail "hcnqrydev said: $out"

        # The release for the migration, with traffic both ways.
        traffic_start 192.0.2.2 600 0.005
        ping -n -i 0.005 -c 600 -W 1 192.0.2.1 > "$HNV_RESULTS/out.ping" 2>&1 &
        local outbound=$!
        wait_until 10 "traffic flowing" sw_ping_ok 192.0.2.2
        hmc_step rmdev 0 hcnrmdev DRC_INDEX=$HMC_VF_DRC HCN_ID=$HMC_HCN
        test "$(bond_active "$HMC_BOND")" = bk0 || fail "active is $(bond_active "$HMC_BOND") after hcnrmdev"
        wait_until 30 "vf0 out of $HMC_BOND" sh -c 'test -z "$(ip -j link show dev vf0 | jq -r ".[0].master // empty")"'
        traffic_wait
        wait "$outbound" || true
        local out_ok
        out_ok=$(sed -nE 's/.* ([0-9]+) received.*/\1/p' "$HNV_RESULTS/out.ping")
        log "hcnrmdev: switch -> guest lost $TRAFFIC_LOST, guest -> switch lost $((600 - out_ok))"
        test "$TRAFFIC_LOST" -eq 0 || fail "switch -> guest lost $TRAFFIC_LOST packets during hcnrmdev"
        test "$out_ok" -eq 600 || fail "guest -> switch lost $((600 - out_ok)) packets during hcnrmdev"

        # Asked again, a released VF may go; then DLPAR takes it and its slot.
        expect_hcn 0 "may be removed" hcnqrydev DRC_INDEX=$HMC_VF_DRC
        hmc_dlpar_remove_vf vf0 "$HMC_VF_SLOT"
        # Its DRC index is gone with it: a clear no, nothing changed.
        expect_hcn 1 "error code 19" hcnqrydev DRC_INDEX=$HMC_VF_DRC
        ping_ok 192.0.2.1 || fail "no ping on the backup"

        # The destination's VF: same hcn-id, another slot and DRC index.
        hmc_dlpar_add_vf vf1 02:00:00:00:01:03 pci@800000020000012 8000003b
        hmc_step cfgdrc-new-vf 0 hcncfgdrc DRC_INDEX=8000003b
        assert_active "$HMC_BOND" vf1 30
        wait_state "$HMC_HCN" healthy 30
        test "$(bond_primary "$HMC_BOND")" = vf1 || fail "primary is '$(bond_primary "$HMC_BOND")', want vf1"
        wait_until 30 "ping on the new VF" ping_ok 192.0.2.1

        # The VF carries the traffic: the backup may go.
        expect_hcn 0 "may be removed" hcnqrydev DRC_INDEX=$HMC_BK_DRC

        hmc_step rmhcn 0 hcnrmhcn HCN_ID=$HMC_HCN
        wait_until 30 "$HMC_BOND gone" sh -c "! ip link show dev $HMC_BOND >/dev/null 2>&1"
        # Gone means gone: the console may call it twice.
        expect_hcn 0 "nothing to remove" hcnrmhcn HCN_ID=$HMC_HCN
}
