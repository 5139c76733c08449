/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <NetworkManager.h>
#include <stdbool.h>

#include "group.h"

/* The NetworkManager profiles hnv keeps, built as libnm objects with no D-Bus
 * in sight, so unit tests read back exactly what NetworkManager will be
 * given. Names follow the predecessor, hcnmgr, so a guest set up by it keeps
 * working: the bond's profile is called like the bond ("bond<id>"), a port's
 * "<bond>-<ifname>". */

/* The user-data key that marks a profile as hnv's; its value is the group's
 * name. hnv changes or deletes only profiles that carry it, or that it
 * adopted (the predecessor's, recognised by name and type, get it then). */
#define NM_PROFILE_MARKER "hnv.group"

/* "<bond>-<ifname>"; NULL on ENOMEM. */
char *nm_profile_port_name(const char *bond_name, const char *ifname);

/* A new bond profile for the group: bond.options from the group's options
 * and primary (may be NULL), autoconnect, no IP configuration of its own
 * until one is moved in (nm_profile_copy_ip). */
NMConnection *nm_profile_new_bond(const GroupSpec *spec, const char *primary);
/* A new port profile: an ethernet profile bound to ifname, a port of bond. */
NMConnection *nm_profile_new_port(const char *group, const char *bond_name, const char *ifname);
/* A standalone profile for ifname carrying from's IP configuration: what a
 * port keeps when its group is dissolved. */
NMConnection *nm_profile_new_standalone(const char *ifname, NMConnection *from);

/* Makes c's bond.options say what spec and primary say (primary NULL: keep
 * whatever primary c names) and marks c as the group's. Returns 1 if it
 * changed anything, 0 if c already said it. */
int nm_profile_update_bond(NMConnection *c, const GroupSpec *spec, const char *primary);
/* Marks an adopted port profile. 1 if changed. */
int nm_profile_update_port(NMConnection *c, const char *group);

/* The group that marked c, or NULL. */
const char *nm_profile_group(NMConnection *c);

/* The interface a profile is for, when the profile is hnv's (marked) or
 * hcnmgr's (a bond "bond<8 hex digits>" of mode active-backup, or a port
 * "bond<id>-<ifname>" of that bond): what the boot reconcile may delete once
 * the interface is gone. NULL for everyone else's profiles. */
const char *nm_profile_prunable_ifname(NMConnection *c);

/* Whether c configures addresses: an IPv4 or IPv6 method that assigns some
 * (static, DHCP, SLAAC), as opposed to disabled, ignore or link-local. */
bool nm_profile_has_ip(NMConnection *c);
/* Whether c gets an address from the network (DHCP, SLAAC): a bond given
 * its configuration needs a port before it has an address. A static one
 * does not, and must not meet the old holder of its addresses on the link
 * (IPv6 duplicate address detection would fail the bond's activation). */
bool nm_profile_needs_link(NMConnection *c);
/* Replaces to's ipv4 and ipv6 settings with copies of from's (addresses,
 * methods, routes, DNS, everything), so the bond carries what the port's own
 * profile carried. */
int nm_profile_copy_ip(NMConnection *to, NMConnection *from);
