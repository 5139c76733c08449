/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PowerVM's device tree: which HNV devices the console paired (ibm,hcn-id),
 * read again when a device the table does not know appears, and on the
 * console's commands. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "manager-internal.h"
#include "pairing.h"

/* The node of a device, from <sysfs-root>/class/net/<ifname>/device/devspec:
 * a plain read, as the kernel exports it (hcnmgr asked ofpathname, which
 * reads the same attribute). Most devices have none: no device link (veth,
 * bond), or a bus without device-tree nodes. */
void link_read_devspec(Manager *m, Link *l, const char *ifname) {
        _cleanup_(freep) char *path = NULL, *devspec = NULL;
        _cleanup_(closep) int fd = -EBADF;
        char attr[4096];
        ssize_t n;
        int k;

        device_set_devspec(l->device, NULL);
        if (asprintf(&path, "%s/class/net/%s/device/devspec", m->config->sysfs_root, ifname) < 0) {
                path = NULL;
                log_link_error_errno(ifname, -ENOMEM, "cannot read its devspec: %m");
                return;
        }
        /* O_NONBLOCK: a FIFO under sysfs-root must not hang the loop. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0 && errno == ENOENT)
                return;
        /* sysfs hands out an attribute in one read, at most a page. */
        n = fd < 0 ? -1 : read(fd, attr, sizeof(attr) - 1);
        if (n < 0) {
                log_link_warning_errno(ifname, negative_errno(), "cannot read %s: %m", path);
                return;
        }
        attr[n] = '\0';

        k = dt_devspec_parse(attr, &devspec);
        if (k == -ENODATA)
                return;
        if (k < 0) {
                log_link_warning_errno(ifname, k, "%s holds no device-tree path, ignoring it: %m", path);
                return;
        }
        device_set_devspec(l->device, TAKE_PTR(devspec));
}

/* Copies what the current table says about the link's node onto its device,
 * where pairing reads it. */
static void link_update_devicetree(Manager *m, Link *l) {
        const DtEntry *e = NULL;

        if (m->dt && l->device->devspec)
                e = dt_table_find_devspec(m->dt, l->device->devspec);
        device_set_devicetree(l->device, e);
}

/* The problems of one scan, collected so that the next scan can tell a new
 * problem from one already logged. */
typedef struct DtProblems {
        Manager *manager;
        char **lines; /* NULL-terminated */
        size_t n;
        bool oom;
} DtProblems;

static void dt_problems_done(DtProblems *p) {
        strv_free(p->lines);
}

/* Logs line unless the previous scan logged it already, and keeps it for
 * the next. */
static void dt_problem_add(DtProblems *p, char *line) {
        char **a;

        if (!strv_contains(p->manager->dt_problems, line))
                log_warning("device tree: %s", line);
        a = reallocarray(p->lines, p->n + 2, sizeof(char *));
        if (!a) {
                /* Logged again at the next scan: better than never. */
                p->oom = true;
                free(line);
                return;
        }
        p->lines = a;
        p->lines[p->n++] = line;
        p->lines[p->n] = NULL;
}

static void on_dt_problem(const char *devspec, const char *message, void *userdata) {
        DtProblems *p = userdata;
        char *line;

        if (asprintf(&line, "%s%s: %s", p->manager->config->device_tree_root, devspec, message) < 0) {
                p->oom = true;
                return;
        }
        dt_problem_add(p, line);
}

/* A group for every hcn-id in the tree; the options follow the
 * configuration's defaults, also on reload. */
static void dt_add_groups(Manager *m, const DtGroups *groups, DtProblems *problems) {
        for (size_t i = 0; i < groups->n_groups; i++) {
                const DtGroup *dg = &groups->groups[i];
                GroupSpec *spec = NULL;
                Group *g = find_group(m, dg->hcn_id) ?: find_group_by_bond(m, dg->bond_name);
                char *line;

                if (g && g->spec->source == GROUP_SOURCE_DEVICETREE) {
                        g->spec->options = m->config->bond_defaults;
                        continue;
                }
                if (g) {
                        /* Taking the name from a group the admin defined (or
                         * built with hnvctl) would change that group under
                         * them; the clash is theirs to resolve. */
                        if (asprintf(&line,
                                     "hcn-id %s: a %s group '%s' already has that name or bond %s, "
                                     "no device-tree group for it",
                                     dg->hcn_id, group_source_to_string(g->spec->source), g->spec->name,
                                     dg->bond_name) < 0)
                                problems->oom = true;
                        else
                                dt_problem_add(problems, line);
                        continue;
                }
                if (pairing_group_from_devicetree(dg, &m->config->bond_defaults, &spec) < 0 ||
                    group_add(m, spec, NULL) < 0)
                        log_error_errno(-ENOMEM, "cannot add the device-tree group %s: %m", dg->hcn_id);
        }
}

/* Drops the device-tree groups whose hcn-id is gone (all of them when
 * groups is NULL) once they have no port left: the console dissolved the
 * group. A group still holding ports stays, so that a tree caught in the
 * middle of a change, or broken, never takes down a working bond. With
 * force, they go even with ports (device-tree=no). Their bonds are left as
 * they are, as for a group removed from the configuration. */
static void dt_drop_groups(Manager *m, const DtGroups *groups, bool force) {
        for (size_t i = m->n_groups; i-- > 0;) {
                Group *g = m->groups[i];

                if (g->spec->source != GROUP_SOURCE_DEVICETREE)
                        continue;
                if (groups && dt_groups_find(groups, g->spec->name))
                        continue;
                if (!force && group_has_port(g))
                        continue;
                log_group_info(g->spec->name, "%s, leaving bond %s as it is",
                               force ? "device-tree pairing is off"
                                     : "its hcn-id is no longer in the device tree",
                               g->spec->bond_name);
                for (size_t j = 0; j < m->n_links; j++)
                        if (m->links[j]->group == g)
                                log_link_info(m->links[j]->device->link.name, "no longer in group %s",
                                              g->spec->name);
                group_drop(m, g);
        }
}

int manager_devicetree_rescan(Manager *m) {
        _cleanup_(dt_problems_done) DtProblems problems = {.manager = m};
        _cleanup_(dt_table_freep) DtTable *t = NULL;
        _cleanup_(dt_groups_freep) DtGroups *groups = NULL;
        int k;

        if (!m->config->device_tree) {
                m->dt = dt_table_free(m->dt);
                dt_drop_groups(m, NULL, true);
                return -ENOENT;
        }

        k = dt_scan(m->config->device_tree_root, &t, on_dt_problem, &problems);
        if (k == -ENOENT)
                /* Not PowerVM (or the tree went away): no table, and groups
                 * that still have ports keep them. */
                t = NULL;
        else if (k < 0) {
                if (k != m->dt_scan_error)
                        log_error_errno(k,
                                        "cannot read the device tree at %s, keeping what it said before: %m",
                                        m->config->device_tree_root);
                m->dt_scan_error = k;
                return k;
        }
        m->dt_scan_error = 0;
        if (t) {
                k = dt_table_group(t, &groups);
                if (k < 0)
                        return log_error_errno(k, "cannot group the device tree's HNV devices: %m");
        }

        if (!m->dt != !t)
                log_info("device tree %s: %s", m->config->device_tree_root,
                         t ? "pairing HNV devices by ibm,hcn-id" : "gone, no device-tree pairing");
        dt_table_free(m->dt);
        m->dt = TAKE_PTR(t);

        if (groups)
                dt_add_groups(m, groups, &problems);
        dt_drop_groups(m, groups, false);
        if (!problems.oom) {
                strv_free(m->dt_problems);
                m->dt_problems = TAKE_PTR(problems.lines);
        }

        /* Before start-up is done, assign_all() pairs every link once. */
        if (!m->started)
                return m->dt ? 0 : -ENOENT;
        for (size_t i = 0; i < m->n_links; i++) {
                Link *l = m->links[i];

                if (l->group || !l->device->devspec)
                        continue;
                link_update_devicetree(m, l);
                link_assign(m, l);
        }
        for (size_t i = 0; i < m->n_groups; i++)
                if (m->groups[i]->spec->source == GROUP_SOURCE_DEVICETREE)
                        group_mark_dirty(m->groups[i]);
        return m->dt ? 0 : -ENOENT;
}

/* Called when udev is done with a device (or, without udev, when the kernel
 * reports it): its node is read once, with its udev properties. A devspec
 * the table does not know is a node added since the last scan: a DLPAR add
 * writes the node before the netdev appears, and after a migration the new
 * VF comes with a new DRC index. */
void link_take_devicetree(Manager *m, Link *l, const char *ifname) {
        link_read_devspec(m, l, ifname);
        if (l->device->devspec && m->config->device_tree &&
            !(m->dt && dt_table_find_devspec(m->dt, l->device->devspec)))
                (void)manager_devicetree_rescan(m);
        link_update_devicetree(m, l);
}
