/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "backend.h"

/* The NetworkManager backend: a libnm client on the system bus, set up
 * synchronously (hnvd calls this before its loop runs; it succeeds when
 * NetworkManager is not running, and then waits for it), its GLib work run
 * on event. notify is called when NetworkManager's state changed in a way
 * the manager should look at (it came up, a device appeared, a request
 * finished or failed). */
int backend_nm_new(Backend **ret, sd_event *event, Rtnl *rtnl, BackendNotify notify, void *userdata);
