/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The link table: what the kernel says about each link, kept as it says
 * it. Deciding what a new device is for is admit.c's. */
#include <stdlib.h>

#include "log.h"
#include "manager-internal.h"
#include "pairing.h"

static Link *link_free(Link *l) {
        if (!l)
                return NULL;
        device_free(l->device);
        return mfree(l);
}

void links_free(Manager *m) {
        for (size_t i = 0; i < m->n_links; i++)
                link_free(m->links[i]);
        m->links = mfree(m->links);
        m->n_links = 0;
}

void links_update_udev_keys(Manager *m) {
        _cleanup_(strv_freep) char **keys = NULL;
        const char *grown = NULL;
        size_t n = 0;
        int k;

        /* A group added while udev is being asked (a device learned from
         * its properties) reads HNV_GROUP and HNV_ROLE, kept always. */
        if (m->refreshing_udev)
                return;
        k = pairing_udev_keys_add(&keys, NULL);
        for (size_t i = 0; k >= 0 && i < m->n_groups; i++)
                k = pairing_udev_keys_add(&keys, m->groups[i]->spec);
        if (k < 0) {
                /* Keep everything from now on rather than lose a key. */
                log_warning_errno(k, "cannot list the udev properties pairing reads, keeping all: %m");
                m->udev_keys = (strv_free(m->udev_keys), NULL);
                return;
        }
        for (char **key = keys; *key && m->udev_keys && !grown; key++)
                if (!strv_contains(m->udev_keys, *key))
                        grown = *key;
        strv_free(m->udev_keys);
        m->udev_keys = TAKE_PTR(keys);
        if (!grown || !m->platform)
                return;
        m->refreshing_udev = true;
        for (size_t i = 0; i < m->n_links; i++)
                if (m->links[i]->device->udev_initialized) {
                        (void)m->platform->ops->query_device(m->platform, m->links[i]->device->link.ifindex);
                        n++;
                }
        m->refreshing_udev = false;
        if (n > 0)
                log_info("a group reads udev property %s, which none read before: properties of %zu devices "
                         "read again",
                         grown, n);
}

Link *find_link(Manager *m, int ifindex) {
        for (size_t i = 0; i < m->n_links; i++)
                if (m->links[i]->device->link.ifindex == ifindex)
                        return m->links[i];
        return NULL;
}

Link *find_link_by_name(Manager *m, const char *name) {
        for (size_t i = 0; i < m->n_links; i++)
                if (streq(m->links[i]->device->link.name, name))
                        return m->links[i];
        return NULL;
}

Link *find_link_by_devspec(Manager *m, const char *devspec) {
        if (!devspec)
                return NULL;
        for (size_t i = 0; i < m->n_links; i++)
                if (streq_ptr(m->links[i]->device->devspec, devspec))
                        return m->links[i];
        return NULL;
}

const char *ifname_of(Manager *m, int ifindex) {
        Link *l = find_link(m, ifindex);
        return l ? l->device->link.name : "?";
}

Device **device_array(Manager *m) {
        Device **d = calloc(m->n_links + 1, sizeof(Device *));
        if (!d)
                return NULL;
        for (size_t i = 0; i < m->n_links; i++)
                d[i] = m->links[i]->device;
        return d;
}

Link *link_record(Manager *m, const LinkInfo *li, bool *ret_new) {
        Link *l = find_link(m, li->ifindex);

        *ret_new = false;
        if (l) {
                device_update_link(l->device, li);
                return l;
        }
        Link **a = realloc(m->links, (m->n_links + 1) * sizeof(Link *));
        if (!a)
                return NULL;
        m->links = a;
        l = calloc(1, sizeof(Link));
        if (!l)
                return NULL;
        l->device = device_new(li);
        if (!l->device) {
                free(l);
                return NULL;
        }
        /* A remove-port from before a restart still holds. */
        for (size_t i = 0; i < m->n_excluded; i++)
                if (m->excluded[i] == li->ifindex)
                        l->excluded = true;
        m->links[m->n_links++] = l;
        *ret_new = true;
        return l;
}

void link_forget(Manager *m, int ifindex) {
        for (size_t i = 0; i < m->n_links; i++) {
                Link *l = m->links[i];
                if (l->device->link.ifindex != ifindex)
                        continue;
                if (l->group)
                        log_group_full_errno(LOG_INFO, 0, l->group->spec->name, l->device->link.name,
                                             "removed");
                group_mark_dirty(l->group);
                if (streq(l->device->link.kind, "bond"))
                        group_mark_dirty(find_group_by_bond(m, l->device->link.name));
                memmove(m->links + i, m->links + i + 1, (m->n_links - i - 1) * sizeof(Link *));
                m->n_links--;
                link_free(l);
                return;
        }
}
