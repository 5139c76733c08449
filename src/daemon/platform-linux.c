/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>

#include "addresses.h"
#include "platform.h"
#include "rtnl.h"
#include "udev-monitor.h"

typedef struct PlatformLinux {
        Platform platform;
        PlatformHandlers handlers;
        Rtnl *rtnl;
        UdevMonitor *udev;
} PlatformLinux;

static PlatformLinux *of(Platform *p) {
        return (PlatformLinux *)p;
}

static void on_link(Rtnl *rtnl, bool removed, const LinkInfo *link, void *userdata) {
        PlatformLinux *p = userdata;
        p->handlers.link(p->handlers.userdata, removed, link);
}

static void on_resync(Rtnl *rtnl, void *userdata) {
        PlatformLinux *p = userdata;
        p->handlers.resync(p->handlers.userdata);
}

static void on_device(UdevMonitor *u, UdevInfo *info, void *userdata) {
        PlatformLinux *p = userdata;
        p->handlers.device(p->handlers.userdata, info);
}

static int linux_start(Platform *platform, sd_event *event, const PlatformHandlers *h) {
        PlatformLinux *p = of(platform);
        int k;

        p->handlers = *h;
        k = rtnl_new(&p->rtnl, event, on_link, on_resync, p);
        if (k < 0)
                return k;
        return udev_monitor_new(&p->udev, event, on_device, p);
}

static int linux_enumerate_links(Platform *p) {
        return rtnl_enumerate_links(of(p)->rtnl);
}

static int linux_enumerate_devices(Platform *p) {
        return udev_monitor_enumerate(of(p)->udev);
}

static void linux_sync_links(Platform *p) {
        rtnl_process_pending(of(p)->rtnl);
}

static int linux_get_link(Platform *p, int ifindex, LinkInfo *ret) {
        return rtnl_get_link(of(p)->rtnl, ifindex, ret);
}

static int linux_query_device(Platform *p, int ifindex) {
        return of(p)->udev ? udev_monitor_query(of(p)->udev, ifindex) : -ENODEV;
}

static int linux_count_addresses(Platform *p, int ifindex) {
        return addresses_count(of(p)->rtnl, ifindex);
}

static bool linux_udev_running(Platform *p) {
        return udev_daemon_running();
}

static Rtnl *linux_rtnl(Platform *p) {
        return of(p)->rtnl;
}

static Platform *linux_free(Platform *platform) {
        PlatformLinux *p = of(platform);

        udev_monitor_free(p->udev);
        rtnl_free(p->rtnl);
        free(p);
        return NULL;
}

static const PlatformOps linux_ops = {
        .start = linux_start,
        .enumerate_links = linux_enumerate_links,
        .enumerate_devices = linux_enumerate_devices,
        .sync_links = linux_sync_links,
        .get_link = linux_get_link,
        .query_device = linux_query_device,
        .count_addresses = linux_count_addresses,
        .udev_running = linux_udev_running,
        .rtnl = linux_rtnl,
        .free = linux_free,
};

int platform_linux_new(Platform **ret) {
        PlatformLinux *p = calloc(1, sizeof(*p));

        if (!p)
                return -ENOMEM;
        p->platform.ops = &linux_ops;
        *ret = &p->platform;
        return 0;
}
