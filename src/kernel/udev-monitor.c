/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <stdio.h>
#include <systemd/sd-device.h>

#include "log.h"
#include "udev-monitor.h"

/* Same reasoning as the rtnetlink monitor: absorb a burst of hotplug events. */
#define UDEV_MONITOR_RCVBUF (4 * 1024 * 1024)

/* sd-device, libsystemd's own (libudev is a second copy of the same code,
 * some 160 kB more of a resident daemon's pages). */
struct UdevMonitor {
        sd_device_monitor *monitor;
        udev_device_handler_t handler;
        void *userdata;
};

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);

bool udev_daemon_running(void) {
        return access("/run/udev/control", F_OK) == 0;
}

static char **collect_properties(sd_device *dev) {
        const char *k, *v;
        size_t n = 0, i = 0;
        char **l;

        for (k = sd_device_get_property_first(dev, &v); k; k = sd_device_get_property_next(dev, &v))
                n++;
        l = calloc(n + 1, sizeof(char *));
        if (!l)
                return NULL;
        for (k = sd_device_get_property_first(dev, &v); k && i < n;
             k = sd_device_get_property_next(dev, &v)) {
                if (asprintf(&l[i], "%s=%s", k, strempty(v)) < 0) {
                        l[i] = NULL;
                        strv_free(l);
                        return NULL;
                }
                i++;
        }
        return l;
}

static void dispatch(UdevMonitor *m, sd_device *dev, const char *action) {
        UdevInfo info = {};
        const char *s = NULL, *syspath = NULL;
        sd_device *parent;
        bool virtual;

        /* The event's (or the uevent file's) own word: reading the sysfs
         * attribute is an open and a read more per device. */
        if (sd_device_get_ifindex(dev, &info.ifindex) < 0 || info.ifindex <= 0)
                return;

        (void)sd_device_get_sysname(dev, &info.name);
        info.action = action;
        /* A device whose database entry has not been written yet is still
         * being processed by udev; without a udev daemon nothing will ever
         * write it. */
        info.initialized = !udev_daemon_running() || sd_device_get_is_initialized(dev) > 0;
        /* A virtual device (a bond, a veth, a VLAN) has no bus and no driver
         * above it: looking for them walks its parent directories for
         * nothing, about twenty system calls a device, two hundred devices
         * at a 64-group start. */
        (void)sd_device_get_syspath(dev, &syspath);
        virtual = startswith(strempty(syspath), "/sys/devices/virtual/") != NULL;
        info.is_pci = !virtual &&
                      sd_device_get_parent_with_subsystem_devtype(dev, "pci", NULL, &parent) >= 0;

        if (sd_device_get_property_value(dev, "ID_NET_DRIVER", &s) < 0) {
                s = NULL;
                if (!virtual && sd_device_get_parent(dev, &parent) >= 0 &&
                    sd_device_get_driver(parent, &s) < 0)
                        s = NULL;
        }
        info.driver = s ? strdup(s) : NULL;
        info.properties = collect_properties(dev);

        m->handler(m, &info, m->userdata);

        free(info.driver);
        strv_free(info.properties);
}

static int on_device(sd_device_monitor *monitor, sd_device *dev, void *userdata) {
        const char *action = NULL;

        (void)sd_device_get_property_value(dev, "ACTION", &action);
        dispatch(userdata, dev, strempty(action));
        return 0;
}

UdevMonitor *udev_monitor_free(UdevMonitor *m) {
        if (!m)
                return NULL;
        sd_device_monitor_unref(m->monitor);
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

        /* udevd's events, which come after its rules ran. Without udevd
         * there are none: the kernel's own uevents say nothing rtnetlink
         * does not, and the caller asks for each new link instead
         * (udev_monitor_query). */
        if (event && udev_daemon_running()) {
                k = sd_device_monitor_new(&m->monitor);
                if (k < 0)
                        return log_error_errno(k, "udev: cannot create monitor: %m");
                k = sd_device_monitor_filter_add_match_subsystem_devtype(m->monitor, "net", NULL);
                if (k < 0)
                        return k;
                (void)sd_device_monitor_set_receive_buffer_size(m->monitor, UDEV_MONITOR_RCVBUF);
                k = sd_device_monitor_attach_event(m->monitor, event);
                if (k < 0)
                        return k;
                (void)sd_device_monitor_set_description(m->monitor, "udev-monitor");
                k = sd_device_monitor_start(m->monitor, on_device, m);
                if (k < 0)
                        return log_error_errno(k, "udev: cannot enable monitor: %m");
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
                _cleanup_(sd_device_unrefp) sd_device *dev = NULL;
                if (sd_device_new_from_subsystem_sysname(&dev, "net", de->d_name) >= 0)
                        dispatch(m, dev, "");
        }
        return 0;
}

int udev_monitor_query(UdevMonitor *m, int ifindex) {
        _cleanup_(sd_device_unrefp) sd_device *dev = NULL;
        char id[32];
        int k;

        /* "n<ifindex>" is udev's device id for network interfaces. */
        snprintf(id, sizeof(id), "n%d", ifindex);
        k = sd_device_new_from_device_id(&dev, id);
        if (k < 0)
                return k;
        dispatch(m, dev, "");
        return 0;
}
