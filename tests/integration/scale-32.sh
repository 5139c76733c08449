#!/usr/bin/env bash
# 32 groups hotplugged at once (64 devices in one burst): every bond forms
# with its VF active.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"

n=32
conf=""
for i in $(seq 1 $n); do
        conf+="[group g$i]
primary = name:vf$i
backup = name:bk$i
"
done
write_config "$conf"
switch_setup
start_hnvd

# One ip(8) batch, so the devices arrive as close together as the kernel allows.
batch=$(mktemp)
for i in $(seq 1 $n); do
        printf 'link add bk%d address 02:00:00:01:%02x:02 type veth peer name p-bk%d netns sw\n' "$i" "$i" "$i"
        printf 'link add vf%d address 02:00:00:01:%02x:01 type veth peer name p-vf%d netns sw\n' "$i" "$i" "$i"
done > "$batch"
start=$(date +%s%N)
ip -batch "$batch"
for i in $(seq 1 $n); do
        ip -n sw link set p-bk$i master br0 up
        ip -n sw link set p-vf$i master ebr0 up
done
for i in $(seq 1 $n); do
        wait_eq 60 "bondg$i active vf$i" "vf$i" bond_active "bondg$i"
done
end=$(date +%s%N)
log "32 groups healthy $(( (end - start) / 1000000 )) ms after the burst (UML, informational)"
healthy=$(hnvctl --json status | jq '[.groups[] | select(.state == "healthy")] | length')
test "$healthy" = $n || fail "$healthy of $n groups healthy"
pass
