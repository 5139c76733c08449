/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include <systemd/sd-event.h>

#include "macro.h"

/* udev's view of network devices: a monitor on the "net" subsystem attached
 * to the sd-event loop, plus enumeration at start. Only udev knows when a
 * device is finished (rules ran, renames done): hnvd acts on a device only
 * after udev's event, which is how the rename race is closed. */
typedef struct UdevMonitor UdevMonitor;

typedef struct UdevInfo {
        int ifindex;
        const char *name;
        const char *action; /* "add", "change", "move", "remove"; "" from enumeration */
        bool initialized;
        bool is_pci;
        char *driver;      /* owned by the info; a handler may take it (set NULL) */
        char **properties; /* "KEY=VALUE", NULL-terminated; same ownership */
} UdevInfo;

typedef void (*udev_device_handler_t)(UdevMonitor *m, UdevInfo *info, void *userdata);

int udev_monitor_new(UdevMonitor **ret, sd_event *event, udev_device_handler_t handler, void *userdata);
UdevMonitor *udev_monitor_free(UdevMonitor *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(UdevMonitor *, udev_monitor_free);

/* Delivers every existing net device through the handler. */
int udev_monitor_enumerate(UdevMonitor *m);
/* Delivers one device (by ifindex) if udev knows it. */
int udev_monitor_query(UdevMonitor *m, int ifindex);

/* Whether a udev daemon runs here. Without one (containers, early tests)
 * devices count as initialized as soon as the kernel reports them. */
bool udev_daemon_running(void);
