/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /run/hnv/state.json (state-file.c): what hnvd must remember across its
 * own restarts. A change marks it dirty; it is written once, before the
 * loop looks at anything else, and before any reply that reports it. */
#include <stdlib.h>

#include "log.h"
#include "manager-internal.h"
#include "state-file.h"

/* Groups that hnvd reads again at every start (the configuration, the
 * device tree), as opposed to those it learned and must remember. */
static bool group_source_is_declared(GroupSource s) {
        return s == GROUP_SOURCE_CONFIG || s == GROUP_SOURCE_DEVICETREE;
}

/* Writes the file now if something changed since. */
void state_flush(Manager *m) {
        _cleanup_(freep) GroupRecord *records = NULL;
        size_t n = 0;
        int k;

        if (!m->state_path || !m->state_dirty)
                return;
        m->state_dirty = false;
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
                if (group_source_is_declared(g->spec->source) && !g->disabled && !group_migrating(g))
                        continue;
                records[n++] = (GroupRecord){.spec = g->spec,
                                             .migrating = group_migrating(g),
                                             .migrating_since = g->migrating_since,
                                             .released_ifindex = g->released_ifindex,
                                             .disabled = g->disabled};
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

int state_load(Manager *m) {
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

        uint64_t now = now_usec();
        _cleanup_(strv_freep) char **seen = calloc(n + 1, sizeof(char *));
        size_t n_seen = 0;
        if (!seen) {
                group_records_free(records, n);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                GroupRecord *r = &records[i];
                Group *g = find_group(m, r->spec->name);
                bool again = false;

                /* The file is hnvd's own, but what it says is checked as any
                 * input: one record per group, the first wins. */
                for (size_t j = 0; j < n_seen; j++)
                        again = again || streq(seen[j], r->spec->name);
                if (!again && !(seen[n_seen++] = strdup(r->spec->name))) {
                        k = -ENOMEM;
                        break;
                }
                if (again) {
                        log_warning("state file %s: group %s listed twice, ignoring the second",
                                    m->state_path, r->spec->name);
                        continue;
                }
                if (!g && group_source_is_declared(r->spec->source))
                        continue; /* gone from the configuration or the tree since */
                /* A start in the future (a clock that went back, a file
                 * edited) would keep the VF out for good: now, at the
                 * latest. */
                if (r->migrating && (r->migrating_since == 0 || r->migrating_since > now))
                        r->migrating_since = now;
                if (!g) {
                        r->spec->options = m->config->bond_defaults;
                        k = group_add(m, TAKE_PTR(r->spec), &g);
                        if (k < 0)
                                break;
                }
                /* A prepare cut short is a migration: the policy releases
                 * a VF it finds still in the bond, after the backup. */
                g->phase = r->migrating ? GROUP_PHASE_MIGRATING : GROUP_PHASE_NORMAL;
                g->migrating_since = r->migrating_since;
                g->released_ifindex = r->released_ifindex;
                group_arm_migration_timer(g);
                g->disabled = r->disabled;
                if (group_migrating(g))
                        log_group_info(g->spec->name, "resuming a migration in progress");
        }
        group_records_free(records, n);
        return k < 0 ? k : 0;
}

static int on_save(sd_event_source *s, void *userdata) {
        state_flush(userdata);
        return 0;
}

void state_save(Manager *m) {
        m->state_dirty = true;
        if (m->save)
                (void)sd_event_source_set_enabled(m->save, SD_EVENT_ONESHOT);
}

int state_setup(Manager *m) {
        int k = sd_event_add_defer(m->event, &m->save, on_save, m);
        if (k < 0)
                return k;
        (void)sd_event_source_set_enabled(m->save, SD_EVENT_OFF);
        (void)sd_event_source_set_priority(m->save, SD_EVENT_PRIORITY_IMPORTANT);
        (void)sd_event_source_set_description(m->save, "save-state");
        return 0;
}
