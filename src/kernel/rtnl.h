/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include <systemd/sd-event.h>

#include "device.h"
#include "macro.h"

struct nl_msg;

/* The one owner of hnvd's rtnetlink sockets: a monitor socket subscribed to
 * link changes and attached to the sd-event loop, and a request socket for
 * synchronous requests (each waits for the kernel's ACK, which takes
 * microseconds; the loop never waits on anything slower). */
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

/* Delivers every existing link through on_link, synchronously. */
int rtnl_enumerate_links(Rtnl *r);
/* Fetches one link now. -ENODEV when it does not exist. */
int rtnl_get_link(Rtnl *r, int ifindex, LinkInfo *ret);
int rtnl_get_link_by_name(Rtnl *r, const char *name, LinkInfo *ret);

/* Sends msg (not consumed) and waits for the kernel's answer. Returns 0 or
 * the kernel's negative errno. */
int rtnl_call(Rtnl *r, struct nl_msg *msg);

/* The request socket, for modules that use libnl's object API (addresses,
 * routes). */
struct nl_sock *rtnl_request_socket(Rtnl *r);
