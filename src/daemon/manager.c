/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The manager's lifecycle, its configuration and backend, and the intake
 * of the kernel's and udev's events (manager-internal.h lists the rest). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control.h"
#include "hnv-build-config.h"
#include "log.h"
#include "manager-internal.h"
#include "run-lock.h"
#include "wait.h"

/* ---- events --------------------------------------------------------- */

static void handle_link(Manager *m, bool removed, const LinkInfo *li) {
        Link *l;
        bool is_new, renamed = false;
        char old_name[IFNAMSIZ] = "";

        if (removed) {
                link_forget(m, li->ifindex);
                return;
        }
        l = find_link(m, li->ifindex);
        if (l && !streq(l->device->link.name, li->name)) {
                renamed = true;
                memcpy(old_name, l->device->link.name, sizeof(old_name));
        }
        l = link_record(m, li, &is_new);
        if (!l) {
                log_error_errno(-ENOMEM, "cannot track link %s: %m", li->name);
                return;
        }
        l->dump_generation = m->dump_generation;
        if (is_new)
                link_discovered(m, l);

        if (streq(li->kind, "bond")) {
                Group *g = find_group_by_bond(m, li->name);
                if (li->peers_notified)
                        group_peers_notified(g, li->bond_active_ifindex);
                group_mark_dirty(g);
                if (renamed)
                        group_mark_dirty(find_group_by_bond(m, old_name));
                return;
        }

        /* At start-up udev's enumeration follows the kernel's, and
         * assign_all() pairs everything once: per device, nothing to do yet. */
        if (!m->started)
                return;

        /* A new device: udev may have finished with it before we heard of
         * it from the kernel, in which case no further udev event comes;
         * without udevd no event comes at all, and this is where its
         * driver and bus are read. */
        if (is_new)
                (void)m->platform->ops->query_device(m->platform, li->ifindex);

        if (is_new || renamed) {
                if (renamed)
                        log_link_debug(li->name, "renamed from %s", old_name);
                link_assign(m, l);
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
        _cleanup_(freep) int *unseen = NULL;
        size_t n = 0;
        int k;

        /* Links the dump does not report are gone. One request for all,
         * where asking the kernel about each known link cost a request per
         * link (128 at 64 groups) every time the monitor overran. */
        m->dump_generation++;
        k = m->platform->ops->enumerate_links(m->platform);
        if (k < 0) {
                log_warning_errno(k, "cannot enumerate links after the monitor overran: %m");
                return;
        }
        unseen = calloc(m->n_links + 1, sizeof(int));
        if (!unseen)
                return;
        for (size_t i = 0; i < m->n_links; i++)
                if (m->links[i]->dump_generation != m->dump_generation)
                        unseen[n++] = m->links[i]->device->link.ifindex;
        for (size_t i = 0; i < n; i++) {
                LinkInfo li;
                /* An interrupted dump (links changed while it was read) may
                 * have left out a link that exists: ask for each. */
                if (k == 0 || m->platform->ops->get_link(m->platform, unseen[i], &li) == -ENODEV)
                        link_forget(m, unseen[i]);
        }
}

static void on_platform_device(void *userdata, UdevInfo *info) {
        Manager *m = userdata;
        Link *l;

        if (streq(info->action, "remove"))
                return; /* the kernel's RTM_DELLINK is what counts */

        l = find_link(m, info->ifindex);
        if (m->refreshing_udev) {
                /* Asked again for keys it did not keep: only the
                 * properties change; its pairing and the rest of udev's
                 * word stay as they were. */
                if (l && l->device->udev_initialized)
                        device_set_properties(
                                l->device, udev_properties_keep(TAKE_PTR(info->properties), m->udev_keys));
                return;
        }
        if (!l) {
                LinkInfo li;
                bool is_new;
                if (m->platform->ops->get_link(m->platform, info->ifindex, &li) < 0)
                        return;
                l = link_record(m, &li, &is_new);
                if (!l)
                        return;
                if (is_new)
                        link_discovered(m, l);
        }
        /* A device's pairing is decided once, when udev first says it is
         * finished. Later events re-run the rules against a device that may
         * have changed under us: with fail_over_mac=follow the bond swaps
         * its ports' MACs, so a rule matching ATTR{address} would flip the
         * VF's role. Renames reach us through rtnetlink. */
        if (l->device->udev_initialized && m->udev_running)
                return;
        device_set_udev(l->device, info->initialized, TAKE_PTR(info->driver), info->is_pci,
                        udev_properties_keep(TAKE_PTR(info->properties), m->udev_keys));
        /* udev's name, not ours: its event may come before rtnetlink's
         * word of the rename it made. */
        link_admit(m, l, info->name ?: l->device->link.name);
}

/* ---- lifecycle ------------------------------------------------------ */

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        waits_free(m);
        m->varlink = varlink_server_free(m->varlink);
        state_flush(m);
        sd_event_source_disable_unref(m->save);
        sd_event_source_disable_unref(m->reconcile);
        sd_event_source_disable_unref(m->direct_flush);
        links_free(m);
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
        strv_free(m->udev_keys);
        return mfree(m);
}

/* Longer than a wicked command may run (WICKED_TIMEOUT_USEC, 90 s). */
#define DIRECT_FLUSH_USEC      (95 * 1000 * 1000ULL)
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
        m->ready = o ? o->ready : NULL;
        m->ready_userdata = o ? o->ready_userdata : NULL;
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
                        group_drop(m, g);
                }
        }
        for (size_t i = 0; i < c->n_groups; i++) {
                const GroupSpec *spec = c->groups[i];
                Group *g = find_group(m, spec->name);
                GroupSpec *copy;

                if (g && g->spec->source != GROUP_SOURCE_CONFIG) {
                        /* The configuration outranks what was learned. */
                        log_group_info(spec->name, "now defined by %s", strna(spec->origin));
                        group_drop(m, g);
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
                        int k = group_add(m, copy, NULL);
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
        /* A group kept under a new spec may read a key none read before. */
        links_update_udev_keys(m);
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
                state_save(m);
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
        return l && l->device->link.master_ifindex == bond->device->link.ifindex ? l->device->link.name
                                                                                 : NULL;
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
                kind = backend_nm_expected()         ? BACKEND_NETWORKMANAGER
                       : backend_wicked_expected()   ? BACKEND_WICKED
                       : backend_networkd_expected() ? BACKEND_NETWORKD
                                                     : BACKEND_KERNEL;
                /* A guest that gets NetworkManager later (installed, or
                 * started by hand) must not stay on a backend that works
                 * behind its back. The hcn commands' direct mode lives for
                 * one request and never switches. */
                if (kind != BACKEND_NETWORKMANAGER && !m->direct) {
                        k = backend_nm_watch(m->event, on_nm_started, m, &m->nm_watch);
                        if (k < 0)
                                log_debug("not watching for NetworkManager: no system bus (%s)",
                                          strerror(-k));
                }
        }
        switch (kind) {
        case BACKEND_NETWORKMANAGER:
                k = backend_nm_load(&m->backend, m->event, m->platform->ops->rtnl(m->platform),
                                    on_backend_notify, m);
                break;
        case BACKEND_KERNEL:
                k = backend_kernel_new(&m->backend, m->platform->ops->rtnl(m->platform));
                break;
        case BACKEND_WICKED:
                k = backend_wicked_new(&m->backend, m->event, m->platform->ops->rtnl(m->platform),
                                       m->config->ifcfg_dir ?: HNV_IFCFG_DIR_DEFAULT, lookup_bond, m);
                break;
        case BACKEND_NETWORKD:
                k = backend_networkd_new(&m->backend, m->event, m->platform->ops->rtnl(m->platform),
                                         m->config->networkd_dir ?: HNV_NETWORKD_DIR_DEFAULT, lookup_bond,
                                         m);
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

        k = state_load(m);
        if (k < 0)
                return k;
        k = state_setup(m);
        if (k < 0)
                return k;
        k = reconcile_setup(m);
        if (k < 0)
                return k;

        if (!m->platform) {
                k = platform_linux_new(&m->platform);
                if (k < 0)
                        return k;
        }
        k = m->platform->ops->start(m->platform, m->event,
                                    &(PlatformHandlers){.link = on_platform_link,
                                                        .resync = on_platform_resync,
                                                        .device = on_platform_device,
                                                        .userdata = m});
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
        /* The first pass runs even with no group to build: it is what
         * reports the manager ready. */
        (void)sd_event_source_set_enabled(m->reconcile, SD_EVENT_ONESHOT);

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
