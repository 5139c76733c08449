/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The link table: what the kernel says about each link, kept as it says
 * it. Deciding what a new device is for is admit.c's. */
#include <stdlib.h>

#include "log.h"
#include "manager-internal.h"

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
