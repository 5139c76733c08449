/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "rtnl.h"

/* What the other files of src/kernel need of rtnl.c and nothing above them
 * may see: libnl's objects. */

struct nl_sock;

/* The request socket, for libnl's object API (addresses.c). */
struct nl_sock *rtnl_request_socket(Rtnl *r);
