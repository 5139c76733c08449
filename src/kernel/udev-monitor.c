/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <libudev.h>
#include <stdio.h>
#include <sys/epoll.h>

#include "log.h"
#include "udev-monitor.h"

/* Same reasoning as the rtnetlink monitor: absorb a burst of hotplug events. */
#define UDEV_MONITOR_RCVBUF (4 * 1024 * 1024)

struct UdevMonitor {
        struct udev *udev;
        struct udev_monitor *monitor;
        sd_event_source *io;
        udev_device_handler_t handler;
        void *userdata;
};

DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_device *, udev_device_unref);
DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);

bool udev_daemon_running(void) {
        return access("/run/udev/control", F_OK) == 0;
}

/* Devices read per wake-up. */
#define UDEV_MONITOR_BATCH 16

static char **collect_properties(struct udev_device *dev) {
        struct udev_list_entry *e;
        size_t n = 0, i = 0;
        char **l;

        udev_list_entry_foreach(e, udev_device_get_properties_list_entry(dev)) n++;
        l = calloc(n + 1, sizeof(char *));
        if (!l)
                return NULL;
        udev_list_entry_foreach(e, udev_device_get_properties_list_entry(dev)) {
                const char *k = udev_list_entry_get_name(e), *v = udev_list_entry_get_value(e);
                if (asprintf(&l[i], "%s=%s", k, strempty(v)) < 0) {
                        l[i] = NULL;
                        strv_free(l);
                        return NULL;
                }
                i++;
        }
        return l;
}

static void dispatch(UdevMonitor *m, struct udev_device *dev, const char *action) {
        UdevInfo info = {};
        const char *s;
        bool virtual;

        /* The event's (or the uevent file's) own word first: reading the
         * sysfs attribute is an open and a read more per device. */
        s = udev_device_get_property_value(dev, "IFINDEX");
        if (!s)
                s = udev_device_get_sysattr_value(dev, "ifindex");
        if (!s || sscanf(s, "%d", &info.ifindex) != 1 || info.ifindex <= 0)
                return;

        info.name = udev_device_get_sysname(dev);
        info.action = action;
        /* A device whose database entry has not been written yet is still
         * being processed by udev; without a udev daemon nothing will ever
         * write it. */
        info.initialized = !udev_daemon_running() || udev_device_get_is_initialized(dev) > 0;
        /* A virtual device (a bond, a veth, a VLAN) has no bus and no driver
         * above it: libudev would walk its parent directories for nothing,
         * about twenty system calls a device, two hundred devices at a
         * 64-group start. */
        virtual = startswith(strempty(udev_device_get_syspath(dev)), "/sys/devices/virtual/") != NULL;
        info.is_pci = !virtual && udev_device_get_parent_with_subsystem_devtype(dev, "pci", NULL) != NULL;

        s = udev_device_get_property_value(dev, "ID_NET_DRIVER");
        if (!s && !virtual) {
                struct udev_device *parent = udev_device_get_parent(dev);
                s = parent ? udev_device_get_driver(parent) : NULL;
        }
        info.driver = s ? strdup(s) : NULL;
        info.properties = collect_properties(dev);

        m->handler(m, &info, m->userdata);

        free(info.driver);
        strv_free(info.properties);
}

static int on_udev_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        UdevMonitor *m = userdata;

        /* A batch at a time, as rtnl.c's monitor: a storm must not keep
         * every other event source waiting. */
        for (unsigned i = 0; i < UDEV_MONITOR_BATCH; i++) {
                _cleanup_(udev_device_unrefp) struct udev_device *dev =
                        udev_monitor_receive_device(m->monitor);
                if (!dev)
                        return 0;
                dispatch(m, dev, strempty(udev_device_get_action(dev)));
        }
        return 0;
}

UdevMonitor *udev_monitor_free(UdevMonitor *m) {
        if (!m)
                return NULL;
        sd_event_source_disable_unref(m->io);
        udev_monitor_unref(m->monitor);
        udev_unref(m->udev);
        return mfree(m);
}

int udev_monitor_new(UdevMonitor **ret, sd_event *event, udev_device_handler_t handler, void *userdata) {
        _cleanup_(udev_monitor_freep) UdevMonitor *m = NULL;
        int k;

        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        m->handler = handler;
        m->userdata = userdata;

        m->udev = udev_new();
        if (!m->udev)
                return -ENOMEM;

        if (event) {
                /* "udev" events come after rules ran; "kernel" ones before. */
                m->monitor =
                        udev_monitor_new_from_netlink(m->udev, udev_daemon_running() ? "udev" : "kernel");
                if (!m->monitor)
                        return log_error_errno(negative_errno(), "udev: cannot create monitor: %m");
                k = udev_monitor_filter_add_match_subsystem_devtype(m->monitor, "net", NULL);
                if (k < 0)
                        return k;
                (void)udev_monitor_set_receive_buffer_size(m->monitor, UDEV_MONITOR_RCVBUF);
                k = udev_monitor_enable_receiving(m->monitor);
                if (k < 0)
                        return log_error_errno(k, "udev: cannot enable monitor: %m");
                k = sd_event_add_io(event, &m->io, udev_monitor_get_fd(m->monitor), EPOLLIN, on_udev_io, m);
                if (k < 0)
                        return k;
                (void)sd_event_source_set_description(m->io, "udev-monitor");
        }

        *ret = TAKE_PTR(m);
        return 0;
}

/* Not udev_enumerate: systemd's enumerator sorts what it finds parents
 * first, and looks up every device's parents for that, directory by
 * directory. At a 64-group start in a UML guest that was three quarters
 * of hnvd's system calls before its first bond (strace: about 110 a device,
 * about 30 without). The kernel's list of its network devices is this
 * directory; each is looked up once, as udev_monitor_query does. */
int udev_monitor_enumerate(UdevMonitor *m) {
        _cleanup_(closedirp) DIR *dir = opendir("/sys/class/net");
        struct dirent *de;

        if (!dir)
                return -errno;
        while ((de = readdir(dir))) {
                if (de->d_name[0] == '.')
                        continue;
                _cleanup_(udev_device_unrefp) struct udev_device *dev =
                        udev_device_new_from_subsystem_sysname(m->udev, "net", de->d_name);
                if (dev)
                        dispatch(m, dev, "");
        }
        return 0;
}

int udev_monitor_query(UdevMonitor *m, int ifindex) {
        _cleanup_(udev_device_unrefp) struct udev_device *dev = NULL;
        char id[32];

        /* "n<ifindex>" is udev's device id for network interfaces. */
        snprintf(id, sizeof(id), "n%d", ifindex);
        dev = udev_device_new_from_device_id(m->udev, id);
        if (!dev)
                return -ENODEV;
        dispatch(m, dev, "");
        return 0;
}
