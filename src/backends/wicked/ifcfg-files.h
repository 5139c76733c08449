/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <net/if.h>

#include "group.h"
#include "ifcfg.h"

/* ifcfg files on disk, relative to a directory file descriptor (the
 * daemon's /etc/sysconfig/network; a temporary directory in tests). Nothing
 * here logs: every function returns a negative errno, and the caller logs
 * once with the interface name. */

/* "ifcfg-" + an interface name + NUL */
#define IFCFG_FILENAME_MAX (sizeof("ifcfg-") + IFNAMSIZ)
/* "ifroute-" + an interface name + NUL */
#define IFROUTE_FILENAME_MAX (sizeof("ifroute-") + IFNAMSIZ)

/* Why ifname cannot name an ifcfg file, for the caller's one log message,
 * or NULL when it can. The name is the kernel's (dev_valid_name()), so a
 * '/' or a name "." or ".." (which would leave the directory) never gets
 * as far as a path. */
const char *ifcfg_ifname_problem(const char *ifname);
/* "ifcfg-<ifname>"; -ENAMETOOLONG for a name of IFNAMSIZ or more
 * characters, -EINVAL for any other problem above. */
int ifcfg_file_name(const char *ifname, char ret[static IFCFG_FILENAME_MAX]);
/* "ifroute-<ifname>", the interface's routes (ifroute(5)); errors as above. */
int ifcfg_route_file_name(const char *ifname, char ret[static IFROUTE_FILENAME_MAX]);

/* Reads and parses ifcfg-<ifname>: -ENOENT when there is none, -ELOOP for a
 * symbolic link (hnv would replace it with a file), -EBADMSG (with
 * *ret_line) for text it cannot read as wicked does. */
int ifcfg_read(int dir_fd, const char *ifname, IfcfgDoc **ret, unsigned *ret_line);
/* Replaces ifcfg-<ifname> atomically: a temporary ".ifcfg-<ifname>.XXXXXX"
 * in the same directory (wicked reads only ifcfg-*), written, fsync()ed,
 * mode 0644, renamed over the old file, and the directory fsync()ed. */
int ifcfg_write(int dir_fd, const char *ifname, const IfcfgDoc *d);

/* ifcfg-<bond> for a bond whose ports are now vf and backup (either may be
 * NULL): created with the marker, or updated in place (an hcnmgr file is
 * adopted: the marker is added). Returns 1 when the file changed, 0 when it
 * already said all this (so the caller knows whether wicked must reload).
 * If ret_dropped is not NULL it gets the BONDING_SLAVE_* names that were
 * replaced or removed. */
int ifcfg_save_bond(int dir_fd, const char *bond, const BondOptions *o, const char *vf, const char *backup,
                    char ***ret_dropped);
/* ifcfg-<port>, created or updated; 1 when it changed. */
int ifcfg_save_port(int dir_fd, const char *ifname);
/* The bond's file and both ports' files for a group; the files of ports the
 * bond named before (the VF's old name after a migration) are removed when
 * hnv created them, and their names go to *ret_dropped (if not NULL; a
 * NULL-terminated list, perhaps empty). Returns 1 when anything changed.
 *
 * A port whose file has IP configuration (ifcfg_port_has_ip(), the
 * installer's ifcfg-eth0, say) gives it to a bond file of hnv's that has
 * none yet: the IP lines move as they are, and ifroute-<port> becomes
 * ifroute-<bond>. A bond file that has IP configuration (the admin's, or
 * moved before) gets nothing: a port that still carries exactly the same
 * keys is what a crash in the middle of a move leaves, and only loses
 * them; any other port's keys stay, under BOOTPROTO='none' as ever. */
int ifcfg_save_group(int dir_fd, const GroupSpec *g, const char *vf, const char *backup,
                     char ***ret_dropped);

/* Writes the routes of ifroute-<from> to ifroute-<to>
 * (ifcfg_routes_rename()) unless create is false. Returns 1 when
 * ifroute-<to> now holds them (written now, or found already: a move cut
 * short), so that ifroute-<from> may go; 0 when there is nothing to move
 * (or create is false and ifroute-<to> is missing); -EEXIST when
 * ifroute-<to> holds other routes, which are never overwritten. */
int ifcfg_routes_copy(int dir_fd, const char *from, const char *to, bool create);
/* Deletes ifroute-<ifname>; -ENOENT when there is none. */
int ifcfg_routes_remove(int dir_fd, const char *ifname);

/* Deletes ifcfg-<ifname> if hnv created it (it has IFCFG_MARKER) or hcnmgr
 * did (ifcfg_is_hcnmgr_bond()). -EPERM for anyone else's file, -ENOENT when
 * there is none, -EBADMSG when it cannot be read. */
int ifcfg_remove(int dir_fd, const char *ifname);

/* Deletes hnv's (or hcnmgr's) files of a bond: the bond's and those of the
 * ports it names that hnv created. Anyone else's stay. If keep is not
 * NULL, the port that keeps the bond's addresses, and the bond's file is
 * one hnv deletes, keep's file is given the bond's IP configuration first
 * (ifcfg_ip_give_back(); created if missing, and unmarked if hnv made it,
 * so that it stays) and ifroute-<bond> becomes ifroute-<keep>. Returns how
 * many files went; -ENOENT when the bond has no file. */
int ifcfg_remove_group(int dir_fd, const char *bond, const char *keep);

/* The boot reconcile (BackendOps.prune): for each ifcfg-* file hnv or
 * hcnmgr wrote, deletes it when keep(ifname) is false, a bond's with IP
 * configuration after giving it to the last kept port the bond names, as
 * ifcfg_remove_group() does; in a kept bond's file, drops the
 * BONDING_SLAVE_* entries (and a primary= word) naming a port not kept,
 * adopting an hcnmgr file it changes. Files of anyone else, links, and
 * files it cannot read are left alone. Returns how many files and entries
 * it removed. */
int ifcfg_prune(int dir_fd, bool (*keep)(const char *ifname, void *userdata), void *userdata);
