/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-event.h>

#include "manager.h"
#include "varlink.h"

#define HNV_CONTROL_SOCKET_NAME "io.hnv"

/* The io.hnv Varlink interface on <rundir>/io.hnv (docs/control-protocol.md):
 * argument checks and error names here, the work in the manager. */
int control_start(Manager *m, sd_event *event, const char *rundir, VarlinkServer **ret);
/* The same interface served on one connected socket only (direct mode);
 * the event loop exits when it closes. Takes fd. */
int control_start_direct(Manager *m, sd_event *event, int fd, VarlinkServer **ret);
