/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "backend.h"

typedef struct _NMClient NMClient;

/* A libnm client on the system bus, set up synchronously (hnvd calls it
 * before its loop runs). It succeeds when NetworkManager is not running:
 * the client then waits for it. */
int backend_nm_connect(NMClient **ret);
void backend_nm_disconnect(NMClient *client); /* NULL is fine */
/* What backend=auto asks: NetworkManager runs and has networking enabled,
 * or it does not run yet but systemd will start it (NetworkManager.service
 * enabled): hnvd starts before it at boot. */
bool backend_nm_manages(NMClient *client);

/* The NetworkManager backend. client may be NULL (it connects itself); its
 * GLib work runs on event. notify is called when NetworkManager's state
 * changed in a way the manager should look at (it came up, a device
 * appeared, a request finished or failed). */
int backend_nm_new(Backend **ret, sd_event *event, Rtnl *rtnl, NMClient *client, BackendNotify notify,
                   void *userdata);
