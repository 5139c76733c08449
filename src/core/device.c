/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "device.h"

/* The identity MAC is what groups match on (and what automatic pairing keys
 * on), so it must not move when the bond moves MACs around. */
static void device_update_identity(Device *d) {
        /* The permanent MAC is the hardware's own and always wins, even over
         * an identity taken earlier from the current MAC: it is only later
         * that the kernel (or the bond's record of a port) may tell us. A
         * NULL permanent MAC is what drivers without one report. */
        if (d->link.has_perm_mac && !hw_addr_is_null(&d->link.perm_mac)) {
                d->identity_mac = d->link.perm_mac;
                d->has_identity_mac = true;
                return;
        }

        if (d->has_identity_mac)
                return;

        /* With fail_over_mac=follow the bond swaps MACs among its ports, so
         * the current MAC of an enslaved port may be another port's: only a
         * MAC seen while the device was free is its own. */
        if (d->link.master_ifindex != 0)
                return;
        if (hw_addr_is_null(&d->link.mac))
                return;

        d->identity_mac = d->link.mac;
        d->has_identity_mac = true;
}

Device *device_new(const LinkInfo *link) {
        Device *d;

        d = calloc(1, sizeof(*d));
        if (!d)
                return NULL;

        d->link = *link;
        d->hcn_mode = _PORT_ROLE_INVALID;
        device_update_identity(d);
        return d;
}

Device *device_free(Device *d) {
        if (!d)
                return NULL;

        free(d->driver);
        strv_free(d->udev_properties);
        free(d->devspec);
        return mfree(d);
}

void device_update_link(Device *d, const LinkInfo *link) {
        d->link = *link;
        device_update_identity(d);
}

void device_set_udev(Device *d, bool initialized, char *driver, bool is_pci, char **props) {
        free(d->driver);
        d->driver = driver;
        device_set_properties(d, props);
        d->udev_initialized = initialized;
        d->is_pci = is_pci;
}

void device_set_properties(Device *d, char **props) {
        strv_free(d->udev_properties);
        d->udev_properties = props;
}

char **udev_properties_keep(char **props, char *const *keys) {
        size_t n = 0;
        char **shrunk;

        if (!props || !keys)
                return props;
        for (char **p = props; *p; p++) {
                const char *eq = strchr(*p, '=');
                if (eq && strv_contains_n(keys, *p, (size_t)(eq - *p)))
                        props[n++] = *p;
                else
                        free(*p);
        }
        props[n] = NULL;
        if (n == 0)
                return mfree(props);
        shrunk = realloc(props, (n + 1) * sizeof(char *));
        return shrunk ?: props;
}

const char *device_get_property(const Device *d, const char *key) {
        size_t n;

        if (!d->udev_properties || !key)
                return NULL;

        n = strlen(key);
        for (char **p = d->udev_properties; *p; p++)
                if (strncmp(*p, key, n) == 0 && (*p)[n] == '=')
                        return *p + n + 1;

        return NULL;
}

void device_set_devspec(Device *d, char *devspec) {
        free(d->devspec);
        d->devspec = devspec;
}

void device_set_devicetree(Device *d, const DtEntry *e) {
        if (!e) {
                d->hcn_id[0] = '\0';
                d->hcn_mode = _PORT_ROLE_INVALID;
                return;
        }
        memcpy(d->hcn_id, e->hcn_id, sizeof(d->hcn_id));
        d->hcn_mode = e->mode;
}
