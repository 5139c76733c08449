/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "rtnl.h"

/* A link's IP addresses and the routes through them, for a bond that is
 * taken away while one of its ports stays: what the guest's address lives
 * on changes, the address does not. Link-local addresses are the kernel's
 * own per-link business (IPv6 makes one on every link that comes up); they
 * are neither counted nor moved. Requests go on rtnl's request socket;
 * errors are negative errno. */

/* How many addresses above link scope ifindex has. */
int addresses_count(Rtnl *r, int ifindex);

/* Moves from_ifindex's addresses to to_ifindex, each added there before any
 * is deleted here, so the guest is never without them, and then puts back
 * on to_ifindex the routes that left through from_ifindex (the kernel drops
 * them with the addresses). All or nothing for the addresses: when the new
 * link refuses one, those already added there are taken off again, the old
 * link keeps them all, nothing is deleted, and the error is returned. A
 * route the new link refuses is logged and left; a failed delete of an old
 * address is returned after the rest are done. */
int addresses_move(Rtnl *r, int from_ifindex, int to_ifindex);
