/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include <systemd/sd-event.h>

#include "device.h"
#include "macro.h"

/* The one owner of hnvd's rtnetlink sockets: a monitor socket subscribed to
 * link changes and attached to the sd-event loop, and a request socket for
 * synchronous requests (each waits for the kernel's ACK, which takes
 * microseconds; the loop never waits on anything slower, and never longer
 * than 10 s: then the request fails with -ETIMEDOUT). Answers are matched
 * to their request by sequence number, and no handler runs while the
 * request socket is being read, so a handler may make requests itself. */
typedef struct Rtnl Rtnl;

typedef void (*rtnl_link_handler_t)(Rtnl *rtnl, bool removed, const LinkInfo *link, void *userdata);
/* Called when the monitor socket overran (ENOBUFS): events were lost and a
 * fresh dump follows; the handler should treat links it does not hear about
 * again as gone. */
typedef void (*rtnl_resync_handler_t)(Rtnl *rtnl, void *userdata);

int rtnl_new(Rtnl **ret, sd_event *event, rtnl_link_handler_t on_link, rtnl_resync_handler_t on_resync,
             void *userdata);
Rtnl *rtnl_free(Rtnl *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(Rtnl *, rtnl_free);

/* Delivers every existing link through on_link, synchronously, once the
 * whole dump has been read. Returns 0, 1 when the kernel marked the dump
 * interrupted (links changed while it was made, so one may be missing),
 * or -errno. */
int rtnl_enumerate_links(Rtnl *r);
/* Hands the link events already queued on the monitor to the handler now,
 * in the kernel's order. The kernel queues the events a request causes
 * before it answers the request. */
void rtnl_process_pending(Rtnl *r);
/* Fetches one link now. -ENODEV when it does not exist. */
int rtnl_get_link(Rtnl *r, int ifindex, LinkInfo *ret);
int rtnl_get_link_by_name(Rtnl *r, const char *name, LinkInfo *ret);

/* Requests about links, each built by link-msg.c and sent on the request
 * socket; each waits for the kernel's ACK. Return 0 or the kernel's
 * negative errno. */

/* A new active-backup bond, down, with o's settings and, when mac is not
 * NULL, that MAC address. Fails with -EEXIST when the name is taken. */
int rtnl_bond_create(Rtnl *r, const char *name, const BondOptions *o, const HwAddr *mac);
int rtnl_bond_set_primary(Rtnl *r, int bond_ifindex, int port_ifindex);
/* Switches the bond's active port now, without waiting for miimon. */
int rtnl_bond_set_active(Rtnl *r, int bond_ifindex, int port_ifindex);
/* The bond delivers frames that arrive on its inactive ports too. */
int rtnl_bond_set_all_ports_active(Rtnl *r, int bond_ifindex, bool on);
int rtnl_delete_link(Rtnl *r, int ifindex);
int rtnl_set_link_up(Rtnl *r, int ifindex, bool up);
/* master_ifindex 0 releases the link from its master. */
int rtnl_set_master(Rtnl *r, int ifindex, int master_ifindex);
int rtnl_set_link_address(Rtnl *r, int ifindex, const HwAddr *mac);
