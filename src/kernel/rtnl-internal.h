/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "rtnl.h"

/* What the other files of src/kernel need of rtnl.c and nothing above them
 * may see: libnl's objects. */

struct nl_sock;

/* The request socket, for libnl's object API (addresses.c), with anything
 * an earlier request that gave up left on it thrown away. */
struct nl_sock *rtnl_request_socket(Rtnl *r);

/* How long a request waits for the kernel's answer (tests shorten it). */
void rtnl_set_request_timeout(Rtnl *r, uint64_t usec);

/* Sends msg (not consumed; it must carry NLM_F_ACK) and waits for the
 * kernel's answer, at most the request timeout. Returns 0, the kernel's
 * negative errno, or -ETIMEDOUT. The request
 * socket asks for no ACK on its own (auto-ack off, so that a GETLINK leaves
 * no ACK behind its answer): libnl's rtnl_addr_add() and friends would then
 * wait for nothing and leave a failure's answer unread, so requests go
 * through here. */
int rtnl_call(Rtnl *r, struct nl_msg *msg);
