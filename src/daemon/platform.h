/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include <systemd/sd-event.h>

#include "device.h"
#include "macro.h"
#include "udev-monitor.h"

/* The manager's boundary with the kernel's links and udev's devices, one
 * ops table: rtnetlink and the udev monitor in hnvd (platform-linux.c), a
 * fake kernel in the in-process tests (tests/unit/fake-kernel.c), as
 * NetworkManager has its fake platform. Everything the manager learns about
 * links comes through here; what it does to them goes through the backend. */
typedef struct Platform Platform;
typedef struct Rtnl Rtnl;

typedef struct PlatformHandlers {
        void (*link)(void *userdata, bool removed, const LinkInfo *link);
        /* Events were lost: the links not delivered again by the dump that
         * follows are gone. */
        void (*resync)(void *userdata);
        void (*device)(void *userdata, UdevInfo *info);
        void *userdata;
} PlatformHandlers;

typedef struct PlatformOps {
        /* Starts delivering events to h from the loop. */
        int (*start)(Platform *p, sd_event *event, const PlatformHandlers *h);
        /* Deliver every existing link / udev device through the handlers,
         * synchronously. enumerate_links returns 1 when the kernel marked
         * its dump interrupted: a link may be missing from it. */
        int (*enumerate_links)(Platform *p);
        int (*enumerate_devices)(Platform *p);
        /* Delivers now, through the handlers, the link events the kernel has
         * already sent: after hnvd's own requests, what they changed, in the
         * kernel's order. */
        void (*sync_links)(Platform *p);
        /* One link now; -ENODEV when it does not exist. */
        int (*get_link)(Platform *p, int ifindex, LinkInfo *ret);
        /* Delivers one device through the handler if udev knows it. */
        int (*query_device)(Platform *p, int ifindex);
        /* How many addresses above link scope (the guest's IP
         * configuration, which belongs on the bond) a link carries. */
        int (*count_addresses)(Platform *p, int ifindex);
        /* Whether a udev daemon runs: without one, a device counts as
         * finished as soon as the kernel reports it. */
        bool (*udev_running)(Platform *p);
        /* The rtnetlink connection the real backends are built on; NULL
         * for a fake. */
        Rtnl *(*rtnl)(Platform *p);
        Platform *(*free)(Platform *p);
} PlatformOps;

struct Platform {
        const PlatformOps *ops;
};

static inline Platform *platform_free(Platform *p) {
        return p ? p->ops->free(p) : NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(Platform *, platform_free);

/* rtnetlink and udev. */
int platform_linux_new(Platform **ret);
