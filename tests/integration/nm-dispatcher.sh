#!/usr/bin/env bash
# The NetworkManager dispatcher hook, run by NetworkManager's own dispatcher:
# an admin's "nmcli connection up bond<id>" makes hnvd reconcile the group
# (the VF primary and active again); a bond that is not hnv's is ignored.
set -euo pipefail
. "$HNV_SRC/tests/integration/lib.sh"
. "$HNV_SRC/tests/integration/hnv-lib.sh"
. "$HNV_SRC/tests/integration/nm-lib.sh"

require_nm
hook=$HNV_BUILD/nm-dispatcher/90-hnv
[ -r "$hook" ] || fail "the hook is not built: $hook"
nm_healthy_group web vf0 02:00:00:00:01:01 bk0 02:00:00:00:01:02

# The hook as installed, calling hnvctl where it is installed (the guest's
# root is a throw-away overlay). A recorder runs after it: once it has seen
# an event, the hook has finished with that event.
sbin=$(sed -nE 's/^HNVCTL=\$\{HNV_DISPATCHER_HNVCTL:-(.*)\/hnvctl\}$/\1/p' "$hook")
mkdir -p "$sbin"
ln -sf "$HNV_BUILD/src/ctl/hnvctl" "$sbin/hnvctl"
cp "$hook" /etc/NetworkManager/dispatcher.d/90-hnv
printf '#!/bin/sh\necho "$1 $2" >> /run/dispatched\n' > /etc/NetworkManager/dispatcher.d/99-record
chmod 755 /etc/NetworkManager/dispatcher.d/90-hnv /etc/NetworkManager/dispatcher.d/99-record

# The admin re-activates the bond: NetworkManager rebuilds it, the hook
# tells hnvd, and the VF ends up primary and active.
before=$(hnvd_log_count "group web: reconcile requested")
nmcli connection up bondweb >/dev/null
wait_until 60 "the dispatcher to run for bondweb" grep -qx "bondweb up" /run/dispatched
wait_until 30 "hnvd asked to reconcile web" \
        sh -c "test \$(grep -c 'group web: reconcile requested' '$HNVD_LOG') -gt $before"
assert_active bondweb vf0 30
test "$(bond_primary bondweb)" = vf0 || fail "primary after nmcli con up: $(bond_primary bondweb)"
wait_state web healthy 30

# A bond that is not hnv's: the hook lets it pass without a word to hnvd.
n=$(hnvd_log_count "reconcile of")
nmcli connection add type bond con-name other ifname bondother bond.options mode=active-backup \
        ipv4.method disabled ipv6.method ignore >/dev/null
nmcli connection up other >/dev/null
wait_until 60 "the dispatcher to run for bondother" grep -qx "bondother up" /run/dispatched
test "$(hnvd_log_count "reconcile of")" -eq "$n" || fail "hnvd was asked about a foreign bond"

# How long the hook takes for a connection that is not hnv's.
file=$(nmcli -g connection.uuid connection show other)
file=$(grep -l "$file" "$NM_RUN"/system-connections/* | head -1)
start=${EPOCHREALTIME/./}
for _ in 1 2 3 4 5 6 7 8 9 10; do
        CONNECTION_FILENAME=$file /etc/NetworkManager/dispatcher.d/90-hnv bondother up
done
log "hook for a foreign connection: $(( (${EPOCHREALTIME/./} - start) / 10000 )) ms per run (mean of 10, UML)"
pass
