/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include "backend.h"
#include "config.h"
#include "control.h"
#include "device.h"
#include "hnv-build-config.h"
#include "log.h"
#include "manager-internal.h"
#include "hcn.h"
#include "migration.h"
#include "pairing.h"
#include "policy.h"
#include "platform.h"
#include "run-lock.h"
#include "state-file.h"
#include "varlink.h"

/* A failed action is retried after this, doubling up to the maximum: a
 * kernel that said no once (a port busy elsewhere, memory) may say yes
 * later, and nothing else would wake the group. */
#define RETRY_MIN_USEC (500 * 1000ULL)
#define RETRY_MAX_USEC (30 * 1000 * 1000ULL)

uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000ULL;
}

/* ---- links ---------------------------------------------------------- */

static Link *link_free(Link *l) {
        if (!l)
                return NULL;
        device_free(l->device);
        return mfree(l);
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

static Device **device_array(Manager *m) {
        Device **d = calloc(m->n_links + 1, sizeof(Device *));
        if (!d)
                return NULL;
        for (size_t i = 0; i < m->n_links; i++)
                d[i] = m->links[i]->device;
        return d;
}

/* ---- groups --------------------------------------------------------- */

static Group *group_free(Group *g) {
        if (!g)
                return NULL;
        sd_event_source_disable_unref(g->retry);
        sd_event_source_disable_unref(g->migration_timer);
        sd_event_source_disable_unref(g->settle_timer);
        group_spec_free(g->spec);
        return mfree(g);
}

Group *find_group(Manager *m, const char *name) {
        for (size_t i = 0; i < m->n_groups; i++)
                if (streq(m->groups[i]->spec->name, name))
                        return m->groups[i];
        return NULL;
}

Group *find_group_by_bond(Manager *m, const char *bond) {
        for (size_t i = 0; i < m->n_groups; i++)
                if (streq(m->groups[i]->spec->bond_name, bond))
                        return m->groups[i];
        return NULL;
}

bool group_has_port(Group *g) {
        Manager *m = g->manager;
        for (size_t i = 0; i < m->n_links; i++)
                if (m->links[i]->group == g)
                        return true;
        return false;
}

static void schedule_reconcile(Manager *m) {
        if (m->reconcile)
                (void)sd_event_source_set_enabled(m->reconcile, SD_EVENT_ONESHOT);
}

void group_mark_dirty(Group *g) {
        if (!g || g->disabled)
                return;
        g->dirty = true;
        schedule_reconcile(g->manager);
}

/* Takes ownership of spec. */
static int add_group(Manager *m, GroupSpec *spec, Group **ret) {
        _cleanup_(group_spec_freep) GroupSpec *s = spec;
        Group **a, *g;

        a = realloc(m->groups, (m->n_groups + 1) * sizeof(Group *));
        if (!a)
                return -ENOMEM;
        m->groups = a;
        g = calloc(1, sizeof(Group));
        if (!g)
                return -ENOMEM;
        g->manager = m;
        g->spec = TAKE_PTR(s);
        g->state = GROUP_STATE_PENDING;
        g->reason = "no port present";
        g->state_since = now_usec();
        m->groups[m->n_groups++] = g;
        log_group_info(g->spec->name, "defined (%s), bond %s", group_source_to_string(g->spec->source),
                       g->spec->bond_name);
        if (ret)
                *ret = g;
        return 0;
}

static void drop_group(Manager *m, Group *g) {
        for (size_t i = 0; i < m->n_links; i++)
                if (m->links[i]->group == g)
                        m->links[i]->group = NULL;
        for (size_t i = 0; i < m->n_groups; i++)
                if (m->groups[i] == g) {
                        memmove(m->groups + i, m->groups + i + 1, (m->n_groups - i - 1) * sizeof(Group *));
                        m->n_groups--;
                        break;
                }
        group_free(g);
}

void group_set_state(Group *g, GroupState state, const char *reason) {
        if (g->state == state) {
                g->reason = reason;
                return;
        }
        /* The one line per change that admins and tests grep for. */
        log_group_info(g->spec->name, "%s -> %s (%s)", group_state_to_string(g->state),
                       group_state_to_string(state), reason);
        if (g->state == GROUP_STATE_HEALTHY && state != GROUP_STATE_MIGRATING)
                g->failovers++;
        if (state == GROUP_STATE_HEALTHY)
                g->ever_healthy = true;
        g->state = state;
        g->reason = reason;
        g->state_since = now_usec();
        g->state_changes++;
}

/* ---- state file ----------------------------------------------------- */

/* Groups that hnvd reads again at every start (the configuration, the
 * device tree), as opposed to those it learned and must remember. */
static bool group_source_is_declared(GroupSource s) {
        return s == GROUP_SOURCE_CONFIG || s == GROUP_SOURCE_DEVICETREE;
}

void save_state(Manager *m) {
        _cleanup_(freep) GroupRecord *records = NULL;
        size_t n = 0;
        int k;

        if (!m->state_path)
                return;
        records = calloc(m->n_groups + 1, sizeof(GroupRecord));
        if (!records) {
                log_error_errno(-ENOMEM, "cannot save state: %m");
                return;
        }
        for (size_t i = 0; i < m->n_groups; i++) {
                Group *g = m->groups[i];
                /* Config groups come back from the file and device-tree
                 * groups from the tree; only what those do not say needs
                 * keeping. */
                if (group_source_is_declared(g->spec->source) && !g->disabled && !g->migrating)
                        continue;
                records[n++] = (GroupRecord){ .spec = g->spec,
                                              .migrating = g->migrating,
                                              .migrating_since = g->migrating_since,
                                              .released_ifindex = g->released_ifindex,
                                              .disabled = g->disabled };
        }
        _cleanup_(freep) int *excluded = calloc(m->n_links + 1, sizeof(int));
        size_t n_excluded = 0;
        if (!excluded) {
                log_error_errno(-ENOMEM, "cannot save state: %m");
                return;
        }
        for (size_t i = 0; i < m->n_links; i++)
                if (m->links[i]->excluded)
                        excluded[n_excluded++] = m->links[i]->device->link.ifindex;
        k = state_file_write(m->state_path, records, n, excluded, n_excluded);
        if (k < 0)
                log_error_errno(k, "cannot write %s: %m", m->state_path);
}

static int load_state(Manager *m) {
        GroupRecord *records = NULL;
        size_t n = 0;
        int k;

        free(m->excluded);
        m->excluded = NULL;
        m->n_excluded = 0;
        k = state_file_read(m->state_path, &records, &n, &m->excluded, &m->n_excluded);
        if (k == -EBADMSG) {
                /* Losing runtime groups beats refusing to start: pairing
                 * rebuilds udev and auto groups from the devices anyway. */
                log_warning("state file %s is corrupt, ignoring it", m->state_path);
                return 0;
        }
        if (k < 0)
                return log_error_errno(k, "cannot read %s: %m", m->state_path);

        for (size_t i = 0; i < n; i++) {
                GroupRecord *r = &records[i];
                Group *g = find_group(m, r->spec->name);

                if (!g && group_source_is_declared(r->spec->source))
                        continue; /* gone from the configuration or the tree since */
                if (!g) {
                        r->spec->options = m->config->bond_defaults;
                        k = add_group(m, TAKE_PTR(r->spec), &g);
                        if (k < 0)
                                break;
                }
                g->migrating = r->migrating;
                g->migrating_since = r->migrating_since;
                g->released_ifindex = r->released_ifindex;
                migration_arm_timer(g);
                g->disabled = r->disabled;
                if (g->migrating)
                        log_group_info(g->spec->name, "resuming a migration in progress");
        }
        group_records_free(records, n);
        return k < 0 ? k : 0;
}

/* ---- pairing -------------------------------------------------------- */

static bool link_is_candidate(const Link *l) {
        const LinkInfo *li = &l->device->link;
        return !streq(li->kind, "bond") && !(li->flags & IFF_LOOPBACK) && l->device->udev_initialized;
}

static void assign_link(Manager *m, Link *l) {
        _cleanup_(freep) GroupSpec **specs = NULL;
        Group *old = l->group;
        PairingResult r;
        size_t n = 0;

        l->group = NULL;
        if (!link_is_candidate(l) || l->excluded)
                goto done;

        specs = calloc(m->n_groups + 1, sizeof(GroupSpec *));
        if (!specs)
                goto done;
        for (size_t i = 0; i < m->n_groups; i++)
                if (m->groups[i]->spec->source != GROUP_SOURCE_CONFIG)
                        specs[n++] = m->groups[i]->spec;

        PairingContext ctx = { .config = m->config, .groups = specs, .n_groups = n };
        pairing_match(&ctx, l->device, &r);

        switch (r.kind) {
        case PAIRING_MATCHED: {
                Group *g = find_group(m, r.group->name);
                if (g && !g->disabled) {
                        l->group = g;
                        l->role = r.role;
                }
                break;
        }
        case PAIRING_CONFLICT:
        case PAIRING_IGNORED:
                if (!l->conflict_logged)
                        log_link_warning(l->device->link.name, "left alone: %s", strna(r.reason));
                l->conflict_logged = true;
                break;
        case PAIRING_NONE: {
                _cleanup_(group_spec_freep) GroupSpec *spec = NULL;
                PortRole role;
                int k = pairing_group_from_udev(l->device, &spec, &role);
                if (k < 0) {
                        if (!l->conflict_logged)
                                log_link_warning_errno(l->device->link.name, k,
                                                       "invalid HNV_GROUP=/HNV_ROLE= udev properties: %m");
                        l->conflict_logged = true;
                } else if (k > 0) {
                        Group *g = find_group(m, spec->name);
                        if (g) {
                                /* Same name as a group of higher rank that did
                                 * not claim this device: do not mix them. */
                                if (!l->conflict_logged)
                                        log_link_warning(l->device->link.name,
                                                         "udev group %s clashes with a %s group of that name",
                                                         spec->name, group_source_to_string(g->spec->source));
                                l->conflict_logged = true;
                                break;
                        }
                        spec->options = m->config->bond_defaults;
                        if (add_group(m, TAKE_PTR(spec), &g) >= 0) {
                                l->group = g;
                                l->role = role;
                                save_state(m);
                        }
                }
                break;
        }
        case _PAIRING_RESULT_KIND_MAX:
        case _PAIRING_RESULT_KIND_INVALID:
                break;
        }

done:
        if (old != l->group) {
                if (l->group)
                        log_link_info(l->device->link.name, "belongs to group %s as %s", l->group->spec->name,
                                      port_role_to_string(l->role));
                else if (old)
                        log_link_info(l->device->link.name, "no longer in group %s", old->spec->name);
                group_mark_dirty(old);
        }
        group_mark_dirty(l->group);
}

static void on_auto_conflict(const Device *d, const char *reason, void *userdata) {
        log_link_warning(d->link.name, "not paired automatically: %s", reason);
}

static void run_auto_pairing(Manager *m) {
        _cleanup_(freep) Device **devices = NULL;
        _cleanup_(freep) GroupSpec **specs = NULL, **found = NULL;
        size_t n = 0;
        int k;

        if (!m->config->auto_pairing)
                return;
        devices = device_array(m);
        specs = calloc(m->n_groups + 1, sizeof(GroupSpec *));
        if (!devices || !specs)
                return;
        for (size_t i = 0; i < m->n_groups; i++)
                if (m->groups[i]->spec->source != GROUP_SOURCE_CONFIG)
                        specs[n++] = m->groups[i]->spec;

        PairingContext ctx = { .config = m->config, .groups = specs, .n_groups = n };
        k = pairing_auto(&ctx, devices, m->n_links, &found, on_auto_conflict, NULL);
        if (k <= 0)
                return;
        for (int i = 0; i < k; i++) {
                found[i]->options = m->config->bond_defaults;
                (void)add_group(m, found[i], NULL);
        }
        for (size_t i = 0; i < m->n_links; i++)
                if (!m->links[i]->group)
                        assign_link(m, m->links[i]);
        save_state(m);
}

void link_readmit(Manager *m, Link *l) {
        if (!l->excluded)
                return;
        l->excluded = false;
        l->conflict_logged = false;
        log_link_info(l->device->link.name, "taken back in");
        assign_link(m, l);
        save_state(m);
}

void group_enable(Group *g) {
        Manager *m = g->manager;

        if (!g->disabled)
                return;
        g->disabled = false;
        log_group_info(g->spec->name, "wanted again");
        for (size_t i = 0; i < m->n_links; i++)
                if (!m->links[i]->group)
                        assign_link(m, m->links[i]);
        save_state(m);
        group_mark_dirty(g);
}

static void assign_all(Manager *m) {
        for (size_t i = 0; i < m->n_links; i++)
                assign_link(m, m->links[i]);
        run_auto_pairing(m);
}


/* ---- device tree ---------------------------------------------------- */

/* The node of a device, from <sysfs-root>/class/net/<ifname>/device/devspec:
 * a plain read, as the kernel exports it (hcnmgr asked ofpathname, which
 * reads the same attribute). Most devices have none: no device link (veth,
 * bond), or a bus without device-tree nodes. */
static void link_read_devspec(Manager *m, Link *l, const char *ifname) {
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
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
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

static bool strv_contains(char **l, const char *s) {
        for (char **i = l; i && *i; i++)
                if (streq(*i, s))
                        return true;
        return false;
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
                        if (asprintf(&line, "hcn-id %s: a %s group '%s' already has that name or bond %s, "
                                            "no device-tree group for it",
                                     dg->hcn_id, group_source_to_string(g->spec->source), g->spec->name,
                                     dg->bond_name) < 0)
                                problems->oom = true;
                        else
                                dt_problem_add(problems, line);
                        continue;
                }
                if (pairing_group_from_devicetree(dg, &m->config->bond_defaults, &spec) < 0 ||
                    add_group(m, spec, NULL) < 0)
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
                               force ? "device-tree pairing is off" : "its hcn-id is no longer in the device tree",
                               g->spec->bond_name);
                for (size_t j = 0; j < m->n_links; j++)
                        if (m->links[j]->group == g)
                                log_link_info(m->links[j]->device->link.name, "no longer in group %s",
                                              g->spec->name);
                drop_group(m, g);
        }
}

int manager_devicetree_rescan(Manager *m) {
        _cleanup_(dt_problems_done) DtProblems problems = { .manager = m };
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
                        log_error_errno(k, "cannot read the device tree at %s, keeping what it said before: %m",
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
                assign_link(m, l);
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
static void link_take_devicetree(Manager *m, Link *l, const char *ifname) {
        link_read_devspec(m, l, ifname);
        if (l->device->devspec && m->config->device_tree &&
            !(m->dt && dt_table_find_devspec(m->dt, l->device->devspec)))
                (void)manager_devicetree_rescan(m);
        link_update_devicetree(m, l);
}

/* ---- reconcile ------------------------------------------------------ */

Link *group_bond(Group *g) {
        Link *l = find_link_by_name(g->manager, g->spec->bond_name);
        return l && streq(l->device->link.kind, "bond") ? l : NULL;
}

/* How fit a port is to stand for its role when a group has more than one
 * (PowerVM pairs an ibmveth and an ibmvnic backup under one hcn-id): the
 * bond's active port first, then one the bond sees up, then one in the bond,
 * then one with carrier. Callers that release the VF or check that the
 * backup can take over then look at the port that would carry the traffic,
 * not at whichever came first. */
static int port_fitness(const Link *l, const Link *bond) {
        const LinkInfo *li = &l->device->link;
        bool enslaved = bond && li->master_ifindex == bond->device->link.ifindex;

        if (enslaved && bond->device->link.bond_active_ifindex == li->ifindex)
                return 4;
        if (enslaved && li->is_bond_port && li->bond_port_mii_up && li->carrier)
                return 3;
        if (enslaved)
                return 2;
        return li->carrier ? 1 : 0;
}

Link *group_port(Group *g, PortRole role) {
        Manager *m = g->manager;
        Link *best = NULL, *bond = group_bond(g);
        int best_fit = -1;

        for (size_t i = 0; i < m->n_links; i++) {
                Link *l = m->links[i];
                if (l->group != g || l->role != role)
                        continue;
                int fit = port_fitness(l, bond);
                if (fit > best_fit) {
                        best = l;
                        best_fit = fit;
                }
        }
        return best;
}


static int build_snapshot(Group *g, GroupSnapshot *s, PortView views[POLICY_MAX_PORTS]) {
        Manager *m = g->manager;
        Link *bond = group_bond(g);
        size_t n = 0;

        for (size_t i = 0; i < m->n_links && n < POLICY_MAX_PORTS; i++) {
                Link *l = m->links[i];
                const LinkInfo *li = &l->device->link;
                if (l->group != g)
                        continue;
                bool enslaved = bond && li->master_ifindex == bond->device->link.ifindex;
                views[n] = (PortView){
                        .ifindex = li->ifindex,
                        .name = li->name,
                        .role = l->role,
                        .enslaved = enslaved,
                        .foreign = li->master_ifindex > 0 && !enslaved,
                        .up = li->flags & IFF_UP,
                        .carrier = li->carrier,
                        .bond_link_up = enslaved && li->is_bond_port && li->bond_port_mii_up,
                };
                if (!enslaved && !views[n].foreign) {
                        int c = m->backend->ops->count_addresses(m->backend, li->ifindex);
                        views[n].has_addresses = c > 0;
                }
                n++;
        }

        *s = (GroupSnapshot){
                .name = g->spec->name,
                .state = g->state,
                .bond_exists = bond != NULL,
                .bond_up = bond && (bond->device->link.flags & IFF_UP),
                .bond_ifindex = bond ? bond->device->link.ifindex : 0,
                .active_ifindex = bond ? bond->device->link.bond_active_ifindex : 0,
                .primary_ifindex = bond ? bond->device->link.bond_primary_ifindex : 0,
                .migrating = g->migrating,
                .ports = views,
                .n_ports = n,
        };
        return 0;
}

const char *ifname_of(Manager *m, int ifindex) {
        Link *l = find_link(m, ifindex);
        return l ? l->device->link.name : "?";
}

/* The bond's MAC is the VF's: with fail_over_mac=follow the active port
 * carries the bond's MAC, so the VF never has to change its own (a
 * hypervisor may not let it), and the guest's MAC does not depend on which
 * port happened to come first. Given at creation, it also keeps udev's
 * MACAddressPolicy= from racing hnvd for a MAC of its own choosing. Without a
 * VF or a MAC in the configuration, the kernel takes the first port's. */
static bool bond_mac(Group *g, HwAddr *ret) {
        Link *vf = group_port(g, PORT_ROLE_PRIMARY);

        if (vf && vf->device->has_identity_mac) {
                *ret = vf->device->identity_mac;
                return true;
        }
        if (g->spec->match[PORT_ROLE_PRIMARY].type == PORT_MATCH_MAC) {
                *ret = g->spec->match[PORT_ROLE_PRIMARY].mac;
                return true;
        }
        return false;
}

static int apply_action(Group *g, int *bond_ifindex, const Action *a, bool *ret_fatal) {
        Manager *m = g->manager;
        const BackendOps *ops = m->backend->ops;
        const char *port = ifname_of(m, a->ifindex);
        int k = 0;

        *ret_fatal = true;
        switch (a->type) {
        case ACTION_CREATE_BOND: {
                HwAddr mac;
                bool has_mac = bond_mac(g, &mac);
                char buf[HW_ADDR_STRLEN];
                k = ops->create_bond(m->backend, g->spec, has_mac ? &mac : NULL, bond_ifindex);
                if (k >= 0) {
                        log_group_info(g->spec->name, "created bond %s, MAC %s", g->spec->bond_name,
                                       has_mac ? hw_addr_format(&mac, buf) : "from its first port");
                        refresh_link(m, *bond_ifindex);
                }
                break;
        }
        case ACTION_BOND_UP:
                k = ops->set_up(m->backend, *bond_ifindex, true);
                break;
        case ACTION_MOVE_ADDRESSES:
                k = ops->move_addresses(m->backend, a->ifindex, *bond_ifindex);
                if (k >= 0)
                        log_group_full_errno(LOG_INFO, 0, g->spec->name, port, "addresses moved to %s",
                                             g->spec->bond_name);
                break;
        case ACTION_ENSLAVE: {
                Link *l = find_link(m, a->ifindex);
                k = ops->enslave(m->backend, *bond_ifindex, a->ifindex);
                if (k >= 0) {
                        log_group_full_errno(LOG_INFO, 0, g->spec->name, port, "enslaved to %s as %s",
                                             g->spec->bond_name, l ? port_role_to_string(l->role) : "?");
                        if (l && l->role == PORT_ROLE_PRIMARY && g->ever_healthy)
                                g->reenslaves++;
                }
                break;
        }
        case ACTION_SET_PRIMARY:
                k = ops->set_primary(m->backend, *bond_ifindex, a->ifindex);
                if (k >= 0)
                        log_group_full_errno(LOG_INFO, 0, g->spec->name, port, "set as primary");
                break;
        case ACTION_SET_ACTIVE:
                k = ops->set_active(m->backend, *bond_ifindex, a->ifindex);
                if (k >= 0)
                        log_group_full_errno(LOG_INFO, 0, g->spec->name, port, "made active");
                /* The bond's miimon had not yet seen the port's link: it will
                 * select it itself within one interval. Not a failure. */
                if (k == -EINVAL)
                        *ret_fatal = false;
                break;
        case ACTION_RELEASE:
                k = ops->release(m->backend, a->ifindex);
                if (k >= 0)
                        log_group_full_errno(LOG_INFO, 0, g->spec->name, port, "released from %s",
                                             g->spec->bond_name);
                break;
        case _ACTION_TYPE_MAX:
        case _ACTION_TYPE_INVALID:
                return -EINVAL;
        }
        /* Handed to the connection manager: the kernel's links will show
         * the outcome, and a later reconcile goes on from there. */
        if (backend_in_progress(k))
                *ret_fatal = false;
        if (a->ifindex > 0)
                refresh_link(m, a->ifindex);
        return k;
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        Group *g = userdata;
        g->retry = sd_event_source_disable_unref(g->retry);
        group_mark_dirty(g);
        return 0;
}

static void schedule_retry(Group *g) {
        uint64_t delay = RETRY_MIN_USEC << (g->failures < 6 ? g->failures : 6);
        if (delay > RETRY_MAX_USEC)
                delay = RETRY_MAX_USEC;
        g->failures++;
        if (g->retry)
                return;
        (void)sd_event_add_time_relative(g->manager->event, &g->retry, CLOCK_MONOTONIC, delay, 0, on_retry, g);
}

/* The plan takes the traffic from an active backup to a VF. */
static bool plan_moves_back_to_vf(const GroupSnapshot *s, const Plan *plan) {
        bool backup_active = false;

        for (size_t i = 0; i < s->n_ports; i++)
                if (s->ports[i].ifindex == s->active_ifindex && s->ports[i].role == PORT_ROLE_BACKUP)
                        backup_active = true;
        if (!backup_active)
                return false;
        for (size_t i = 0; i < plan->n_actions; i++)
                for (size_t j = 0; j < s->n_ports; j++)
                        if (s->ports[j].ifindex == plan->actions[i].ifindex &&
                            s->ports[j].role == PORT_ROLE_PRIMARY &&
                            (plan->actions[i].type == ACTION_ENSLAVE || plan->actions[i].type == ACTION_SET_ACTIVE))
                                return true;
        return false;
}

static int on_settled(sd_event_source *s, uint64_t usec, void *userdata) {
        Group *g = userdata;
        Link *bond = group_bond(g);

        g->settle_timer = sd_event_source_disable_unref(g->settle_timer);
        if (bond && !g->preparing) {
                (void)g->manager->backend->ops->set_all_ports_active(g->manager->backend,
                                                                      bond->device->link.ifindex, false);
                refresh_link(g->manager, bond->device->link.ifindex);
        }
        group_mark_dirty(g); /* for migration_restore_backup_mac() */
        return 0;
}

static void settle_begin(Group *g, int bond_ifindex) {
        Manager *m = g->manager;

        if (bond_ifindex <= 0 || g->settle_timer)
                return;
        if (m->backend->ops->set_all_ports_active(m->backend, bond_ifindex, true) < 0)
                return;
        /* One miimon tick more than the notifications take: the switch to
         * the VF itself may wait for the bond's next tick. */
        uint64_t usec = peer_notif_usec(&g->spec->options) + (uint64_t)g->spec->options.miimon_ms * 1000ULL;
        (void)sd_event_add_time_relative(m->event, &g->settle_timer, CLOCK_MONOTONIC, usec, 0, on_settled, g);
}

static void reconcile_group(Group *g) {
        Manager *m = g->manager;
        PortView views[POLICY_MAX_PORTS];
        GroupSnapshot s;
        Plan plan;
        int bond_ifindex, k = 0, waiting[POLICY_MAX_PORTS] = {};
        size_t n_waiting = 0;
        bool fatal = false, in_progress = false;
        size_t i;

        g->dirty = false;
        if (g->disabled || g->preparing)
                return;

        migration_check_new_vf(g);
        /* all_slaves_active is on only while traffic moves between ports on
         * purpose; an hnvd that died meanwhile left it on. */
        Link *bond = group_bond(g);
        if (bond && bond->device->link.bond_all_ports_active && !g->settle_timer) {
                log_group_info(g->spec->name, "switching all_slaves_active off again");
                (void)m->backend->ops->set_all_ports_active(m->backend, bond->device->link.ifindex, false);
                refresh_link(m, bond->device->link.ifindex);
        }
        if (!g->settle_timer)
                migration_restore_backup_mac(g);
        build_snapshot(g, &s, views);
        policy_plan(&s, &plan);
        bond_ifindex = s.bond_ifindex;
        if (plan_moves_back_to_vf(&s, &plan))
                settle_begin(g, bond_ifindex);

        for (i = 0; i < plan.n_actions; i++) {
                const Action *a = &plan.actions[i];
                bool skip = false;
                for (size_t w = 0; w < n_waiting; w++)
                        skip = skip || a->ifindex == waiting[w];
                if (skip)
                        continue;
                log_group_debug(g->spec->name, "action %s %s", action_type_to_string(a->type),
                                a->ifindex ? ifname_of(m, a->ifindex) : g->spec->bond_name);
                k = apply_action(g, &bond_ifindex, a, &fatal);
                if (k < 0 && fatal) {
                        bool again = g->failures > 0 && g->last_fail_type == (int)a->type &&
                                     g->last_fail_ifindex == a->ifindex && g->last_fail_errno == k;
                        g->last_fail_type = (int)a->type;
                        g->last_fail_ifindex = a->ifindex;
                        g->last_fail_errno = k;
                        log_group_full_errno(again ? LOG_DEBUG : LOG_ERR, k, g->spec->name,
                                             a->ifindex ? ifname_of(m, a->ifindex) : g->spec->bond_name,
                                             "%s failed: %m%s", action_type_to_string(a->type),
                                             k == -EOPNOTSUPP && a->type == ACTION_CREATE_BOND
                                                     ? " (the kernel has no bonding driver: modprobe bonding)"
                                                     : "");
                        break;
                }
                if (backend_in_progress(k)) {
                        log_group_debug(g->spec->name, "%s in progress in %s", action_type_to_string(a->type),
                                        m->backend->ops->name);
                        in_progress = true;
                        /* What follows for the same port (or, for the bond,
                         * anything) needs its outcome; other ports go on: a
                         * port waiting for its old profile's hand-over must
                         * not keep the other from joining the bond. */
                        if (a->ifindex <= 0 || n_waiting == POLICY_MAX_PORTS)
                                break;
                        waiting[n_waiting++] = a->ifindex;
                        k = 0;
                        continue;
                }
                if (k < 0)
                        log_group_debug(g->spec->name, "%s deferred to the bond: %s",
                                        action_type_to_string(a->type), strerror(-k));
        }
        if (bond_ifindex > 0)
                refresh_link(m, bond_ifindex);

        if ((k < 0 && fatal) || in_progress) {
                const char *reason;
                build_snapshot(g, &s, views);
                GroupState state = in_progress ? policy_state_now(&s, &reason) : policy_state(&s, &reason);
                group_set_state(g, state, reason);
                if (k < 0 && fatal)
                        schedule_retry(g);
                else
                        g->failures = 0;
                return;
        }
        g->failures = 0;
        group_set_state(g, plan.next_state, plan.reason);
}

static int on_reconcile(sd_event_source *s, void *userdata) {
        Manager *m = userdata;
        /* Reconciling one group may dirty another (a port moving groups);
         * go round until nothing is dirty, with a bound against a loop. */
        for (int round = 0; round < 8; round++) {
                bool any = false;
                for (size_t i = 0; i < m->n_groups; i++)
                        if (m->groups[i]->dirty) {
                                reconcile_group(m->groups[i]);
                                any = true;
                        }
                if (!any)
                        break;
        }
        migration_check_waits(m);
        hcn_check_waits(m);
        return 0;
}

/* ---- events --------------------------------------------------------- */

static Link *upsert_link(Manager *m, const LinkInfo *li, bool *ret_new) {
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
        for (size_t i = 0; i < m->n_excluded; i++)
                if (m->excluded[i] == li->ifindex)
                        l->excluded = true;
        /* Without a udev daemon nothing will announce the device as
         * finished: the kernel's word is all there is. */
        m->links[m->n_links++] = l;
        *ret_new = true;
        if (!m->udev_running) {
                device_set_udev(l->device, true, NULL, false, NULL);
                link_take_devicetree(m, l, li->name);
        }
        return l;
}

static void remove_link(Manager *m, int ifindex) {
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

static void handle_link(Manager *m, bool removed, const LinkInfo *li) {
        Link *l;
        bool is_new, renamed = false;
        char old_name[IFNAMSIZ] = "";

        if (removed) {
                remove_link(m, li->ifindex);
                return;
        }
        l = find_link(m, li->ifindex);
        if (l && !streq(l->device->link.name, li->name)) {
                renamed = true;
                memcpy(old_name, l->device->link.name, sizeof(old_name));
        }
        l = upsert_link(m, li, &is_new);
        if (!l) {
                log_error_errno(-ENOMEM, "cannot track link %s: %m", li->name);
                return;
        }

        if (streq(li->kind, "bond")) {
                group_mark_dirty(find_group_by_bond(m, li->name));
                if (renamed)
                        group_mark_dirty(find_group_by_bond(m, old_name));
                return;
        }

        /* At start-up udev's enumeration follows the kernel's, and
         * assign_all() pairs everything once: per device, nothing to do yet. */
        if (!m->started)
                return;

        /* A new device: udev may have finished with it before we heard of
         * it from the kernel, in which case no further udev event comes. */
        if (is_new && m->udev_running)
                (void)m->platform->ops->query_device(m->platform, li->ifindex);

        if (is_new || renamed) {
                if (renamed)
                        log_link_debug(li->name, "renamed from %s", old_name);
                assign_link(m, l);
                if (!l->group)
                        run_auto_pairing(m);
        } else {
                log_link_debug(li->name, "link event: carrier %d, master %d, group %s", li->carrier,
                               li->master_ifindex, l->group ? l->group->spec->name : "-");
                group_mark_dirty(l->group);
        }
}

static void on_platform_link(void *userdata, bool removed, const LinkInfo *li) {
        handle_link(userdata, removed, li);
}

static void on_platform_resync(void *userdata) {
        Manager *m = userdata;
        /* Links we do not hear about again in the dump are gone. */
        int *seen = calloc(m->n_links + 1, sizeof(int));
        size_t n = m->n_links;
        if (!seen)
                return;
        for (size_t i = 0; i < n; i++)
                seen[i] = m->links[i]->device->link.ifindex;
        (void)m->platform->ops->enumerate_links(m->platform);
        for (size_t i = 0; i < n; i++) {
                LinkInfo li;
                if (m->platform->ops->get_link(m->platform, seen[i], &li) == -ENODEV)
                        remove_link(m, seen[i]);
        }
        free(seen);
}

void refresh_link(Manager *m, int ifindex) {
        LinkInfo li;
        int k = m->platform->ops->get_link(m->platform, ifindex, &li);
        if (k == -ENODEV)
                remove_link(m, ifindex);
        else if (k >= 0) {
                bool is_new;
                (void)upsert_link(m, &li, &is_new);
        }
}

static void on_platform_device(void *userdata, UdevInfo *info) {
        Manager *m = userdata;
        Link *l;

        if (streq(info->action, "remove"))
                return; /* the kernel's RTM_DELLINK is what counts */

        l = find_link(m, info->ifindex);
        if (!l) {
                LinkInfo li;
                bool is_new;
                if (m->platform->ops->get_link(m->platform, info->ifindex, &li) < 0)
                        return;
                l = upsert_link(m, &li, &is_new);
                if (!l)
                        return;
        }
        /* A device's pairing is decided once, when udev first says it is
         * finished. Later events re-run the rules against a device that may
         * have changed under us: with fail_over_mac=follow the bond swaps
         * its ports' MACs, so a rule matching ATTR{address} would flip the
         * VF's role. Renames reach us through rtnetlink. */
        if (l->device->udev_initialized && m->udev_running)
                return;
        device_set_udev(l->device, info->initialized, TAKE_PTR(info->driver), info->is_pci,
                        TAKE_PTR(info->properties));
        /* udev's name, not ours: its event may come before rtnetlink's
         * word of the rename it made. */
        if (info->initialized)
                link_take_devicetree(m, l, info->name ?: l->device->link.name);
        l->conflict_logged = false;
        if (!m->started)
                return; /* assign_all() follows the enumeration */
        assign_link(m, l);
        if (!l->group)
                run_auto_pairing(m);
}

/* ---- lifecycle ------------------------------------------------------ */

static void free_links(Manager *m) {
        for (size_t i = 0; i < m->n_links; i++)
                link_free(m->links[i]);
        m->links = mfree(m->links);
        m->n_links = 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        migration_free_waits(m);
        hcn_free_waits(m);
        m->varlink = varlink_server_free(m->varlink);
        sd_event_source_disable_unref(m->reconcile);
        sd_event_source_disable_unref(m->direct_flush);
        free_links(m);
        for (size_t i = 0; i < m->n_groups; i++)
                group_free(m->groups[i]);
        free(m->groups);
        sd_bus_flush_close_unref(m->nm_watch);
        /* The backends are built on the platform's rtnetlink. */
        backend_free(m->backend);
        platform_free(m->platform);
        config_free(m->config);
        sd_event_unref(m->event);
        free(m->config_file);
        free(m->config_dropin);
        free(m->rundir);
        if (m->direct_fd >= 0)
                close(m->direct_fd);
        free(m->state_path);
        free(m->excluded);
        dt_table_free(m->dt);
        strv_free(m->dt_problems);
        return mfree(m);
}

/* Longer than a wicked command may run (WICKED_TIMEOUT_USEC, 90 s). */
#define DIRECT_FLUSH_USEC (95 * 1000 * 1000ULL)
#define DIRECT_FLUSH_POLL_USEC (20 * 1000ULL)

static int on_direct_flush(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        if (backend_busy(m->backend) && usec < m->direct_flush_deadline) {
                (void)sd_event_source_set_time(s, usec + DIRECT_FLUSH_POLL_USEC);
                (void)sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
                return 0;
        }
        if (backend_busy(m->backend))
                log_warning("the %s backend is still busy after %llu s: leaving it unfinished",
                            m->backend->ops->name, (unsigned long long)(DIRECT_FLUSH_USEC / 1000000ULL));
        (void)sd_event_exit(m->event, 0);
        return 0;
}

void manager_exit_when_idle(Manager *m) {
        uint64_t now;
        int k;

        /* The wicked backend writes its files at idle priority, after the
         * reply went out, and runs wicked after that: the caller's
         * hcnmgr -s at boot must leave them written. */
        if (m->direct_flush)
                return; /* already waiting */
        if (!backend_busy(m->backend))
                goto exit;
        if (sd_event_now(m->event, CLOCK_MONOTONIC, &now) < 0)
                goto exit;
        m->direct_flush_deadline = now + DIRECT_FLUSH_USEC;
        k = sd_event_add_time(m->event, &m->direct_flush, CLOCK_MONOTONIC, now, 0, on_direct_flush, m);
        if (k >= 0)
                return;
exit:
        (void)sd_event_exit(m->event, 0);
}

void manager_setup_process(void) {
        sigset_t mask;

        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        (void)sigprocmask(SIG_BLOCK, &mask, NULL);
        (void)signal(SIGPIPE, SIG_IGN);
}

int manager_new(Manager **ret, sd_event *event, const ManagerOptions *o) {
        _cleanup_(manager_freep) Manager *m = NULL;

        m = calloc(1, sizeof(*m));
        if (!m) {
                if (o) {
                        backend_free(o->backend);
                        platform_free(o->platform);
                }
                return -ENOMEM;
        }
        if (o) {
                m->platform = o->platform;
                m->backend = o->backend;
        }
        m->event = sd_event_ref(event);
        m->config_file = strdup(o && o->config_file ? o->config_file : HNV_CONFIG_FILE);
        m->config_dropin = strdup(o && o->config_dropin ? o->config_dropin : HNV_CONFIG_DROPIN);
        m->rundir = strdup(o && o->rundir ? o->rundir : HNV_RUNDIR);
        m->direct = o && o->direct;
        m->direct_fd = m->direct ? o->direct_fd : -EBADF;
        if (!m->config_file || !m->config_dropin || !m->rundir)
                return -ENOMEM;
        if (asprintf(&m->state_path, "%s/state.json", m->rundir) < 0) {
                m->state_path = NULL;
                return -ENOMEM;
        }
        *ret = TAKE_PTR(m);
        return 0;
}

static int apply_config(Manager *m, Config *c) {
        /* Groups from the old configuration that the new one lacks go; their
         * bonds stay as they are (a reload never tears down a data path). */
        for (size_t i = m->n_groups; i-- > 0;) {
                Group *g = m->groups[i];
                if (g->spec->source == GROUP_SOURCE_CONFIG && !config_find_group(c, g->spec->name)) {
                        log_group_info(g->spec->name, "no longer configured, leaving bond %s as it is",
                                       g->spec->bond_name);
                        drop_group(m, g);
                }
        }
        for (size_t i = 0; i < c->n_groups; i++) {
                const GroupSpec *spec = c->groups[i];
                Group *g = find_group(m, spec->name);
                GroupSpec *copy;

                if (g && g->spec->source != GROUP_SOURCE_CONFIG) {
                        /* The configuration outranks what was learned. */
                        log_group_info(spec->name, "now defined by %s", strna(spec->origin));
                        drop_group(m, g);
                        g = NULL;
                }
                copy = group_spec_dup(spec);
                if (!copy)
                        return -ENOMEM;
                if (g) {
                        group_spec_free(g->spec);
                        g->spec = copy;
                        g->disabled = false; /* a reload brings back a dissolved group */
                } else {
                        int k = add_group(m, copy, NULL);
                        if (k < 0)
                                return k;
                }
        }
        config_free(m->config);
        m->config = c;
        return 0;
}

int manager_reload(Manager *m, char **ret_error) {
        _cleanup_(config_freep) Config *c = NULL;
        int k;

        k = config_load(m->config_file, m->config_dropin, &c, ret_error);
        if (k < 0)
                return k;
        bool sysfs_moved = m->config && !streq(m->config->sysfs_root, c->sysfs_root);
        k = apply_config(m, TAKE_PTR(c));
        if (k < 0)
                return k;
        /* A new sysfs-root shows other devspec attributes: read them again,
         * as udev's word on the devices is still what it was. */
        if (sysfs_moved)
                for (size_t i = 0; i < m->n_links; i++)
                        if (m->links[i]->device->udev_initialized)
                                link_read_devspec(m, m->links[i], m->links[i]->device->link.name);
        (void)manager_devicetree_rescan(m);
        if (m->started) {
                assign_all(m);
                for (size_t i = 0; i < m->n_groups; i++)
                        group_mark_dirty(m->groups[i]);
                save_state(m);
        }
        log_info("configuration loaded: %zu groups from %s and %s", m->config->n_groups, m->config_file,
                 m->config_dropin);
        return (int)m->n_groups;
}

static void on_backend_notify(void *userdata) {
        Manager *m = userdata;
        if (!m->started)
                return;
        for (size_t i = 0; i < m->n_groups; i++)
                group_mark_dirty(m->groups[i]);
}

static const char *port_in_bond(Group *g, PortRole role, Link *bond) {
        Link *l = group_port(g, role);
        return l && l->device->link.master_ifindex == bond->device->link.ifindex ? l->device->link.name : NULL;
}

/* For the wicked backend: a group's ports while they are in its bond. */
static const GroupSpec *lookup_bond(const char *bond_name, const char **ret_vf, const char **ret_backup,
                                    void *userdata) {
        Group *g = find_group_by_bond(userdata, bond_name);
        Link *bond = g && !g->disabled ? group_bond(g) : NULL;

        if (!bond)
                return NULL;
        *ret_vf = port_in_bond(g, PORT_ROLE_PRIMARY, bond);
        *ret_backup = port_in_bond(g, PORT_ROLE_BACKUP, bond);
        return g->spec;
}

static void on_nm_started(void *userdata) {
        Manager *m = userdata;

        if (m->reexec_requested)
                return;
        /* Also asked when NetworkManager runs with networking switched off,
         * which keeps the backend as it is. */
        if (!backend_nm_expected()) {
                log_debug("NetworkManager runs but does not manage the network: keeping backend %s",
                          m->backend->ops->name);
                return;
        }
        m->reexec_requested = true;
        log_notice("NetworkManager started: hnvd starts again to work through it (backend=auto); the bonds "
                   "stay as they are");
        (void)sd_event_exit(m->event, MANAGER_EXIT_REEXEC);
}

static int backend_select(Manager *m) {
        BackendKind kind = m->config->backend;
        int k = -EINVAL;

        if (kind == BACKEND_AUTO) {
                kind = backend_nm_expected()       ? BACKEND_NETWORKMANAGER
                       : backend_wicked_expected() ? BACKEND_WICKED
                                                   : BACKEND_KERNEL;
                /* A guest that gets NetworkManager later (installed, or
                 * started by hand) must not stay on a backend that works
                 * behind its back. The hcn commands' direct mode lives for
                 * one request and never switches. */
                if (kind != BACKEND_NETWORKMANAGER && !m->direct) {
                        k = backend_nm_watch(m->event, on_nm_started, m, &m->nm_watch);
                        if (k < 0)
                                log_debug("not watching for NetworkManager: no system bus (%s)", strerror(-k));
                }
        }
        switch (kind) {
        case BACKEND_NETWORKMANAGER:
                k = backend_nm_load(&m->backend, m->event, m->platform->ops->rtnl(m->platform), on_backend_notify, m);
                break;
        case BACKEND_KERNEL:
                k = backend_kernel_new(&m->backend, m->platform->ops->rtnl(m->platform));
                break;
        case BACKEND_WICKED:
                k = backend_wicked_new(&m->backend, m->event, m->platform->ops->rtnl(m->platform),
                                       m->config->ifcfg_dir ?: HNV_IFCFG_DIR_DEFAULT, lookup_bond, m);
                break;
        case BACKEND_AUTO:
        case _BACKEND_KIND_MAX:
        case _BACKEND_KIND_INVALID:
                k = -EINVAL;
                break;
        }
        if (k >= 0)
                log_info("backend: %s%s", m->backend->ops->name,
                         m->config->backend == BACKEND_AUTO ? " (chosen by backend=auto)" : "");
        return k;
}

int manager_start(Manager *m, char **ret_error) {
        _cleanup_(closep) int lock_fd = -EBADF;
        bool waited;
        int k;

        k = manager_reload(m, ret_error);
        if (k < 0)
                return k;

        if (mkdir(m->rundir, 0755) < 0 && errno != EEXIST)
                return log_error_errno(negative_errno(), "cannot create %s: %m", m->rundir);

        /* An hcn command doing its work without hnvd must finish before hnvd
         * looks at the groups; its own bound ends the wait. In direct mode
         * the caller holds the lock already. */
        if (!m->direct) {
                k = run_lock_acquire(m->rundir, 0, &lock_fd, &waited);
                if (k < 0)
                        return log_error_errno(k, "cannot take %s/" RUN_LOCK_NAME ": %m", m->rundir);
                if (waited)
                        log_info("waited for an hcn command that acted without hnvd");
        }

        k = load_state(m);
        if (k < 0)
                return k;

        k = sd_event_add_defer(m->event, &m->reconcile, on_reconcile, m);
        if (k < 0)
                return k;
        (void)sd_event_source_set_enabled(m->reconcile, SD_EVENT_OFF);
        (void)sd_event_source_set_description(m->reconcile, "reconcile");

        if (!m->platform) {
                k = platform_linux_new(&m->platform);
                if (k < 0)
                        return k;
        }
        k = m->platform->ops->start(m->platform, m->event,
                                    &(PlatformHandlers){ .link = on_platform_link,
                                                         .resync = on_platform_resync,
                                                         .device = on_platform_device,
                                                         .userdata = m });
        if (k < 0)
                return k;
        if (!m->backend) {
                k = backend_select(m);
                if (k < 0)
                        return k;
        }

        m->udev_running = m->platform->ops->udev_running(m->platform);
        if (!m->udev_running)
                log_warning("no udev daemon: acting on devices as soon as the kernel reports them");

        k = m->platform->ops->enumerate_links(m->platform);
        if (k < 0)
                return log_error_errno(k, "cannot enumerate links: %m");
        k = m->platform->ops->enumerate_devices(m->platform);
        if (k < 0)
                log_warning_errno(k, "cannot enumerate udev devices: %m");

        m->started = true;
        assign_all(m);
        for (size_t i = 0; i < m->n_groups; i++)
                group_mark_dirty(m->groups[i]);

        if (m->direct) {
                k = control_start_direct(m, m->event, TAKE_FD(m->direct_fd), &m->varlink);
                if (k < 0)
                        return k;
        } else {
                k = control_start(m, m->event, m->rundir, &m->varlink);
                if (k < 0)
                        return k;
        }
        return 0;
}

const char *manager_backend_name(const Manager *m) {
        return m->backend ? m->backend->ops->name : "none";
}

/* ---- control operations -------------------------------------------- */

int set_error(char **ret_error, int k, const char *fmt, ...) {
        if (ret_error) {
                va_list ap;
                va_start(ap, fmt);
                if (vasprintf(ret_error, fmt, ap) < 0)
                        *ret_error = NULL;
                va_end(ap);
        }
        return k;
}

static json_object *port_json(Manager *m, Group *g, Link *bond, PortRole role, const Link *l) {
        json_object *p = json_object_new_object();
        _cleanup_(freep) char *match = port_match_to_string(&g->spec->match[role]);
        char mac[HW_ADDR_STRLEN] = "";

        if (!p)
                return NULL;
        if (l && l->device->has_identity_mac)
                hw_addr_format(&l->device->identity_mac, mac);
        bool enslaved = l && bond && l->device->link.master_ifindex == bond->device->link.ifindex;
        json_object_object_add(p, "name", json_object_new_string(l ? l->device->link.name : ""));
        json_object_object_add(p, "ifindex", json_object_new_int(l ? l->device->link.ifindex : 0));
        json_object_object_add(p, "role", json_object_new_string(port_role_to_string(role)));
        json_object_object_add(p, "match", json_object_new_string(strempty(match)));
        json_object_object_add(p, "present", json_object_new_boolean(l != NULL));
        json_object_object_add(p, "enslaved", json_object_new_boolean(enslaved));
        json_object_object_add(p, "active", json_object_new_boolean(
                                                    enslaved && bond->device->link.bond_active_ifindex ==
                                                                        l->device->link.ifindex));
        json_object_object_add(p, "carrier", json_object_new_boolean(l && l->device->link.carrier));
        json_object_object_add(p, "up", json_object_new_boolean(l && (l->device->link.flags & IFF_UP)));
        json_object_object_add(p, "mac", json_object_new_string(mac));
        return p;
}

static json_object *group_json(Manager *m, Group *g) {
        json_object *o = json_object_new_object(), *ports = json_object_new_array();
        Link *bond = group_bond(g);

        if (!o || !ports) {
                json_object_put(o);
                json_object_put(ports);
                return NULL;
        }
        for (PortRole role = 0; role < _PORT_ROLE_MAX; role++) {
                bool any = false;
                for (size_t i = 0; i < m->n_links; i++) {
                        Link *l = m->links[i];
                        if (l->group == g && l->role == role) {
                                json_object_array_add(ports, port_json(m, g, bond, role, l));
                                any = true;
                        }
                }
                if (!any)
                        json_object_array_add(ports, port_json(m, g, bond, role, NULL));
        }
        int active = bond ? bond->device->link.bond_active_ifindex : 0;
        int primary = bond ? bond->device->link.bond_primary_ifindex : 0;
        Link *al = active ? find_link(m, active) : NULL, *pl = primary ? find_link(m, primary) : NULL;

        json_object_object_add(o, "name", json_object_new_string(g->spec->name));
        json_object_object_add(o, "source", json_object_new_string(group_source_to_string(g->spec->source)));
        json_object_object_add(o, "state", json_object_new_string(group_state_to_string(g->state)));
        json_object_object_add(o, "reason", json_object_new_string(g->disabled ? "dissolved by hnvctl remove"
                                                                               : strempty(g->reason)));
        json_object_object_add(o, "bond", json_object_new_string(g->spec->bond_name));
        json_object_object_add(o, "bond_ifindex", json_object_new_int(bond ? bond->device->link.ifindex : 0));
        json_object_object_add(o, "active", json_object_new_string(al ? al->device->link.name : ""));
        json_object_object_add(o, "primary", json_object_new_string(pl ? pl->device->link.name : ""));
        json_object_object_add(o, "state_since_usec", json_object_new_int64((int64_t)g->state_since));
        json_object_object_add(o, "failovers", json_object_new_int((int)g->failovers));
        json_object_object_add(o, "reenslaves", json_object_new_int((int)g->reenslaves));
        json_object_object_add(o, "state_changes", json_object_new_int((int)g->state_changes));
        json_object_object_add(o, "miimon", json_object_new_int((int)g->spec->options.miimon_ms));
        json_object_object_add(o, "fail_over_mac",
                               json_object_new_string(fail_over_mac_to_string(g->spec->options.fail_over_mac)));
        json_object_object_add(o, "num_peer_notif", json_object_new_int(g->spec->options.num_peer_notif));
        json_object_object_add(o, "ports", ports);
        return o;
}

static int group_cmp(const void *a, const void *b) {
        return strcmp((*(Group *const *)a)->spec->name, (*(Group *const *)b)->spec->name);
}

int manager_status(Manager *m, const char *name, json_object **ret, char **ret_error) {
        json_object *o = json_object_new_object(), *groups = json_object_new_array();
        _cleanup_(freep) Group **sorted = NULL;

        if (!o || !groups) {
                json_object_put(o);
                json_object_put(groups);
                return -ENOMEM;
        }
        if (name && !find_group(m, name)) {
                json_object_put(o);
                json_object_put(groups);
                return set_error(ret_error, -ENOENT, "no group '%s'", name);
        }
        sorted = calloc(m->n_groups + 1, sizeof(Group *));
        if (!sorted) {
                json_object_put(o);
                json_object_put(groups);
                return -ENOMEM;
        }
        if (m->n_groups > 0) {
                memcpy(sorted, m->groups, m->n_groups * sizeof(Group *));
                qsort(sorted, m->n_groups, sizeof(Group *), group_cmp);
        }
        for (size_t i = 0; i < m->n_groups; i++)
                if (!name || streq(sorted[i]->spec->name, name))
                        json_object_array_add(groups, group_json(m, sorted[i]));

        json_object_object_add(o, "backend", json_object_new_string(manager_backend_name(m)));
        json_object_object_add(o, "version", json_object_new_string(HNV_VERSION));
        json_object_object_add(o, "groups", groups);
        *ret = o;
        return 0;
}

static int parse_device_arg(Manager *m, const char *arg, PortMatch *ret, char **ret_error) {
        /* A bare interface name that exists now is pinned by its identity
         * MAC, so the group still finds the device after a rename or a
         * re-plug under another name. */
        if (!strchr(arg, ':')) {
                Link *l = find_link_by_name(m, arg);
                if (!l)
                        return set_error(ret_error, -ENODEV, "no network device '%s'", arg);
                if (l->device->has_identity_mac) {
                        *ret = (PortMatch){ .type = PORT_MATCH_MAC, .mac = l->device->identity_mac };
                        return 0;
                }
        }
        if (port_match_parse(arg, ret) < 0)
                return set_error(ret_error, -EINVAL, "'%s' is neither a MAC address, an interface name nor a match",
                                 arg);
        /* One hcn-id names both ports; only the tree's ibm,hcn-mode tells
         * them apart, and device-tree groups have it already. */
        if (ret->type == PORT_MATCH_HCN_ID) {
                port_match_done(ret);
                return set_error(ret_error, -EINVAL, "'%s': hcn-id matches are for device-tree groups only", arg);
        }
        return 0;
}

int manager_add_group(Manager *m, const char *name, const char *primary, const char *backup, const char *bond,
                      json_object **ret_group, char **ret_error) {
        _cleanup_(group_spec_freep) GroupSpec *spec = NULL;
        Group *g;
        int k;

        if (!group_name_is_valid(name))
                return set_error(ret_error, -EINVAL,
                                 "invalid group name '%s': use 1-%d of A-Z a-z 0-9 _ . -", name, GROUP_NAME_MAX);
        g = find_group(m, name);
        if (g && !g->disabled)
                return set_error(ret_error, -EEXIST, "group '%s' exists (%s)", name,
                                 group_source_to_string(g->spec->source));

        spec = group_spec_new(name, GROUP_SOURCE_RUNTIME);
        if (!spec)
                return -ENOMEM;
        spec->options = m->config->bond_defaults;
        if (bond) {
                if (!ifname_is_valid(bond))
                        return set_error(ret_error, -EINVAL, "invalid bond name '%s' (at most %d characters)",
                                         bond, IFNAMSIZ - 1);
                memcpy(spec->bond_name, bond, strlen(bond) + 1);
        } else if (group_default_bond_name(name, spec->bond_name) < 0)
                return set_error(ret_error, -EINVAL, "bond name 'bond%s' is too long: name one with --bond",
                                 name);
        Group *other = find_group_by_bond(m, spec->bond_name);
        if (other && other != g)
                return set_error(ret_error, -EEXIST, "bond %s already belongs to group '%s'", spec->bond_name,
                                 other->spec->name);

        k = parse_device_arg(m, primary, &spec->match[PORT_ROLE_PRIMARY], ret_error);
        if (k < 0)
                return k;
        k = parse_device_arg(m, backup, &spec->match[PORT_ROLE_BACKUP], ret_error);
        if (k < 0)
                return k;

        /* Refuse devices another group holds, rather than steal them. */
        for (size_t i = 0; i < m->n_links; i++) {
                Link *l = m->links[i];
                if (!l->group || l->group == g)
                        continue;
                for (PortRole r = 0; r < _PORT_ROLE_MAX; r++)
                        if (port_match_device(&spec->match[r], l->device) &&
                            l->group->spec->source <= GROUP_SOURCE_RUNTIME)
                                return set_error(ret_error, -EEXIST, "%s already belongs to group '%s'",
                                                 l->device->link.name, l->group->spec->name);
        }

        if (g)
                drop_group(m, g);
        k = add_group(m, TAKE_PTR(spec), &g);
        if (k < 0)
                return k;
        /* Naming a device again is how an admin takes back a remove-port. */
        for (size_t i = 0; i < m->n_links; i++)
                for (PortRole r = 0; r < _PORT_ROLE_MAX; r++)
                        if (port_match_device(&g->spec->match[r], m->links[i]->device))
                                m->links[i]->excluded = false;
        assign_all(m);
        save_state(m);
        group_mark_dirty(g);
        if (ret_group)
                *ret_group = group_json(m, g);
        return 0;
}

/* Dissolves the bond and leaves the backup (or, failing that, any port)
 * holding the bond's addresses, so the guest stays reachable. */
static int dissolve(Manager *m, Group *g) {
        const BackendOps *ops = m->backend->ops;
        Link *bond = group_bond(g), *keep = NULL;
        int k;

        if (!bond)
                return 0;
        for (size_t i = 0; i < m->n_links; i++) {
                Link *l = m->links[i];
                if (l->device->link.master_ifindex != bond->device->link.ifindex)
                        continue;
                if (!keep || (l->role == PORT_ROLE_BACKUP && l->group == g))
                        keep = l;
        }
        int bond_ifindex = bond->device->link.ifindex;
        int keep_ifindex = keep ? keep->device->link.ifindex : 0;
        k = ops->dissolve_bond(m->backend, bond_ifindex, keep_ifindex);
        if (k < 0 && k != -ENODEV)
                return log_group_error_errno(g->spec->name, k, "cannot dissolve bond %s%s%s: %m",
                                             g->spec->bond_name, keep ? " and hand its addresses to " : "",
                                             keep ? ifname_of(m, keep_ifindex) : "");
        if (keep)
                log_group_info(g->spec->name, "addresses handed to %s", ifname_of(m, keep_ifindex));
        log_group_info(g->spec->name, "bond %s dissolved", g->spec->bond_name);
        remove_link(m, bond_ifindex);
        return 0;
}

int manager_remove_group(Manager *m, const char *name, char **ret_error) {
        Group *g = find_group(m, name);
        int k;

        if (!g || g->disabled)
                return set_error(ret_error, -ENOENT, "no group '%s'", name);
        k = dissolve(m, g);
        if (k < 0)
                return set_error(ret_error, k, "dissolving group '%s' failed: %s", name, strerror(-k));

        if (g->spec->source == GROUP_SOURCE_RUNTIME)
                drop_group(m, g);
        else {
                for (size_t i = 0; i < m->n_links; i++)
                        if (m->links[i]->group == g)
                                m->links[i]->group = NULL;
                g->disabled = true;
                g->migrating = false;
                g->preparing = false;
                g->released_ifindex = 0;
                g->migration_timer = sd_event_source_disable_unref(g->migration_timer);
                group_set_state(g, GROUP_STATE_PENDING, "dissolved by hnvctl remove");
        }
        save_state(m);
        return 0;
}

int manager_reconcile(Manager *m, const char *name, char **ret_error) {
        int n = 0;

        if (name) {
                Group *g = find_group(m, name) ?: find_group_by_bond(m, name);
                if (!g || g->disabled)
                        return set_error(ret_error, -ENOENT, "no group or bond '%s'", name);
                log_group_info(g->spec->name, "reconcile requested");
                group_mark_dirty(g);
                return 1;
        }
        for (size_t i = 0; i < m->n_groups; i++)
                if (!m->groups[i]->disabled) {
                        group_mark_dirty(m->groups[i]);
                        n++;
                }
        return n;
}

int manager_remove_port(Manager *m, const char *device, char **ret_group, char **ret_error) {
        Link *l = find_link_by_name(m, device);
        Group *g;
        int k;

        if (!l)
                return set_error(ret_error, -ENODEV, "no network device '%s'", device);
        g = l->group;
        if (!g)
                return set_error(ret_error, -ENOENT, "%s belongs to no group", device);

        /* Kept out of every group until it is unplugged or an admin adds it
         * again with hnvctl add: pairing would otherwise take it right back. */
        Link *bond = group_bond(g);
        if (bond && l->device->link.master_ifindex == bond->device->link.ifindex) {
                k = m->backend->ops->release(m->backend, l->device->link.ifindex);
                if (k < 0 && !backend_in_progress(k))
                        return set_error(ret_error, k, "cannot release %s: %s", device, strerror(-k));
                log_group_full_errno(LOG_INFO, 0, g->spec->name, device, "released on request");
        }
        l->excluded = true;
        l->group = NULL;
        if (ret_group)
                *ret_group = strdup(g->spec->name);
        refresh_link(m, l->device->link.ifindex);
        save_state(m);
        group_mark_dirty(g);
        return 0;
}
