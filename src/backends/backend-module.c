/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Choosing and loading a backend: what backend=auto asks (NetworkManager
 * first, then wicked), and the module that holds the NetworkManager
 * backend. */
#include <dlfcn.h>
#include <stdio.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

#include "backend.h"
#include "hnv-build-config.h"
#include "log.h"
#include "macro.h"

#define NM_BUS_NAME    "org.freedesktop.NetworkManager"
#define SD_BUS_NAME    "org.freedesktop.systemd1"
#define SD_BUS_PATH    "/org/freedesktop/systemd1"
#define SD_BUS_MANAGER "org.freedesktop.systemd1.Manager"

/* Asked over sd-bus, not libnm: with the kernel backend hnvd never loads
 * libnm, GLib or GIO (see backend_nm_load() below). hnvd starts before
 * NetworkManager at boot (before network-pre.target), so "not running yet"
 * must not mean "not there": systemd knows whether it is going to start. */
static bool unit_file_enabled(sd_bus *bus, const char *unit) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *state = NULL;

        if (sd_bus_call_method(bus, SD_BUS_NAME, SD_BUS_PATH, SD_BUS_MANAGER, "GetUnitFileState", NULL,
                               &reply, "s", unit) < 0 ||
            sd_bus_message_read(reply, "s", &state) < 0)
                return false;
        return streq(state, "enabled") || streq(state, "enabled-runtime") || streq(state, "alias");
}

/* A property of the unit systemd loads for name (following an alias). */
static int unit_property(sd_bus *bus, const char *name, const char *property, char **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *path;
        int k;

        k = sd_bus_call_method(bus, SD_BUS_NAME, SD_BUS_PATH, SD_BUS_MANAGER, "LoadUnit", NULL, &reply, "s",
                               name);
        if (k >= 0)
                k = sd_bus_message_read(reply, "o", &path);
        if (k >= 0)
                k = sd_bus_get_property_string(bus, SD_BUS_NAME, path, "org.freedesktop.systemd1.Unit",
                                               property, NULL, ret);
        return k;
}

static bool nm_owns_name(sd_bus *bus) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int owned = 0;

        return sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                  "org.freedesktop.DBus", "NameHasOwner", NULL, &reply, "s",
                                  NM_BUS_NAME) >= 0 &&
               sd_bus_message_read(reply, "b", &owned) >= 0 && owned;
}

bool backend_nm_expected(void) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int enabled = 0;

        if (sd_bus_open_system(&bus) < 0)
                return false;
        if (nm_owns_name(bus)) {
                /* NetworkManager takes its name before it exports its
                 * objects: one that cannot answer yet is starting. Only
                 * networking switched off by the admin says no. */
                if (sd_bus_get_property_trivial(bus, NM_BUS_NAME, "/org/freedesktop/NetworkManager",
                                                NM_BUS_NAME, "NetworkingEnabled", NULL, 'b', &enabled) < 0)
                        return true;
                return enabled;
        }
        return unit_file_enabled(bus, "NetworkManager.service");
}

typedef struct NmWatch {
        BackendNmStarted on_started;
        void *userdata;
} NmWatch;

static int on_nm_name_owner(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        const NmWatch *w = userdata;
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(message, "sss", &name, &old_owner, &new_owner) >= 0 &&
            streq(name, NM_BUS_NAME) && new_owner[0])
                w->on_started(w->userdata);
        return 0;
}

static void nm_watch_free(void *userdata) {
        free(userdata);
}

static int on_nm_already_there(sd_event_source *s, void *userdata) {
        const NmWatch *w = userdata;

        w->on_started(w->userdata);
        return 0;
}

int backend_nm_watch(sd_event *event, BackendNmStarted on_started, void *userdata, sd_bus **ret_bus) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        _cleanup_(sd_event_source_unrefp) sd_event_source *defer = NULL;
        _cleanup_(freep) NmWatch *w = NULL;
        int k;

        w = malloc(sizeof(*w));
        if (!w)
                return -ENOMEM;
        *w = (NmWatch){on_started, userdata};
        k = sd_bus_open_system(&bus);
        if (k < 0)
                return k;
        /* Installed before the question below, so that NetworkManager
         * taking its name in between is not missed. */
        k = sd_bus_add_match(bus, &slot,
                             "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                             "interface='org.freedesktop.DBus',member='NameOwnerChanged',"
                             "arg0='" NM_BUS_NAME "'",
                             on_nm_name_owner, w);
        if (k < 0)
                return k;
        k = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (k < 0)
                return k;
        /* The match carries the watch: both go with the bus. */
        (void)sd_bus_slot_set_floating(slot, 1);
        (void)sd_bus_slot_set_destroy_callback(slot, nm_watch_free);
        if (nm_owns_name(bus)) {
                k = sd_event_add_defer(event, &defer, on_nm_already_there, w);
                if (k < 0)
                        return k;
                (void)sd_event_source_set_floating(defer, true);
        }
        TAKE_PTR(w);
        *ret_bus = TAKE_PTR(bus);
        return 0;
}

/* As hcnmgr asked (systemctl show -P Id network.service), and, as for
 * NetworkManager, whether systemd is going to start it: hnvd starts
 * before wicked at boot. */
bool backend_wicked_expected(void) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(freep) char *id = NULL, *state = NULL;

        if (sd_bus_open_system(&bus) < 0)
                return false;
        if (unit_property(bus, "network.service", "Id", &id) >= 0 && streq(id, "wicked.service"))
                return true;
        if (unit_file_enabled(bus, "wicked.service"))
                return true;
        return unit_property(bus, "wicked.service", "ActiveState", &state) >= 0 &&
               (streq(state, "active") || streq(state, "activating") || streq(state, "reloading"));
}

/* Asked after NetworkManager and wicked, which can be installed next to
 * it: networkd then leaves alone the links no .network file matches. */
bool backend_networkd_expected(void) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(freep) char *state = NULL;

        if (sd_bus_open_system(&bus) < 0)
                return false;
        if (unit_file_enabled(bus, "systemd-networkd.service"))
                return true;
        return unit_property(bus, "systemd-networkd.service", "ActiveState", &state) >= 0 &&
               (streq(state, "active") || streq(state, "activating") || streq(state, "reloading"));
}

/* The NetworkManager backend lives in a module of its own, loaded only when
 * it is used: linked into hnvd, libnm, GIO and GLib cost it 5.5 MB of RSS
 * (3.9 -> 9.4 MB in the benchmark) even with the kernel backend. hnvd
 * exports its own symbols for the module (export_dynamic). */
int backend_nm_load(Backend **ret, sd_event *event, Rtnl *rtnl, BackendNotify notify, void *userdata) {
        const char *dir = secure_getenv("HNV_MODULE_DIR");
        _cleanup_(freep) char *path = NULL;
        BackendNmNew new_backend;
        void *module;

        if (asprintf(&path, "%s/hnv-backend-networkmanager.so", dir ?: HNV_MODULEDIR) < 0)
                return -ENOMEM;
        /* The module is a package of its own, so that a guest on the
         * kernel backend needs neither libnm nor GLib: say which. */
        if (access(path, F_OK) < 0) {
                log_error("the NetworkManager backend is not installed (%s is missing): install the "
                          "hnv-networkmanager package, or set backend=kernel in hnv.conf",
                          path);
                return -ELIBACC;
        }
        /* Never closed: its code runs until hnvd exits. */
        module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (!module) {
                log_error("cannot load the NetworkManager backend: %s", dlerror());
                return -ELIBACC;
        }
        new_backend = (BackendNmNew)dlsym(module, "backend_nm_new");
        if (!new_backend) {
                log_error("%s: no backend_nm_new: %s", path, dlerror());
                return -ELIBBAD;
        }
        return new_backend(ret, event, rtnl, notify, userdata);
}
