/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel at once, the connection manager's files after the plan:
 * backend-files.h. */
#include <fcntl.h>
#include <net/if.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend-files.h"
#include "log.h"
#include "rtnl.h"

static FilesBackend *fb_of(Backend *b) {
        return (FilesBackend *)b;
}

static Backend *kernel_of(Backend *b) {
        return fb_of(b)->kernel;
}

static int name_of(int ifindex, char buf[static IF_NAMESIZE]) {
        return if_indextoname((unsigned)ifindex, buf) ? 0 : negative_errno();
}

static void forget_dirty(FilesBackend *fb, const char *bond) {
        for (size_t i = 0; i < fb->n_dirty; i++)
                if (streq(fb->dirty[i], bond)) {
                        free(fb->dirty[i]);
                        fb->dirty[i] = fb->dirty[--fb->n_dirty];
                        fb->dirty[fb->n_dirty] = NULL;
                        return;
                }
}

static int on_defer(sd_event_source *s, void *userdata) {
        FilesBackend *fb = userdata;

        (void)sd_event_source_set_enabled(s, SD_EVENT_OFF);
        while (fb->n_dirty > 0) {
                _cleanup_(freep) char *bond = fb->dirty[--fb->n_dirty];
                fb->dirty[fb->n_dirty] = NULL;
                fb->class->persist(fb, bond);
        }
        return 0;
}

/* Marks the bond for persist() after the current round of the loop. A
 * failure here costs only the files' freshness: logged, not returned, as
 * the kernel already did what was asked. */
static void mark_dirty(FilesBackend *fb, const char *bond) {
        char **dirty, *copy;
        int r = -ENOMEM;

        if (strv_contains(fb->dirty, bond))
                return;
        copy = strdup(bond);
        dirty = copy ? reallocarray(fb->dirty, fb->n_dirty + 2, sizeof(*dirty)) : NULL;
        if (dirty) {
                fb->dirty = dirty;
                fb->dirty[fb->n_dirty++] = copy;
                fb->dirty[fb->n_dirty] = NULL;
                r = sd_event_source_set_enabled(fb->defer, SD_EVENT_ONESHOT);
        } else
                free(copy);
        if (r < 0)
                log_link_warning_errno(bond, r, "cannot schedule the update of its %s files: %m",
                                       fb->class->files);
}

static void mark_dirty_ifindex(FilesBackend *fb, int bond_ifindex) {
        char bond[IF_NAMESIZE];

        if (name_of(bond_ifindex, bond) >= 0)
                mark_dirty(fb, bond);
}

static int files_create_bond(Backend *b, const GroupSpec *spec, const HwAddr *mac, int *ret_ifindex) {
        int k = kernel_of(b)->ops->create_bond(kernel_of(b), spec, mac, ret_ifindex);
        if (k >= 0)
                mark_dirty(fb_of(b), spec->bond_name);
        return k;
}

static int files_dissolve_bond(Backend *b, int bond_ifindex, int keep_ifindex) {
        FilesBackend *fb = fb_of(b);
        char bond[IF_NAMESIZE], keep[IF_NAMESIZE];
        bool has_keep;
        int k;

        if (name_of(bond_ifindex, bond) < 0)
                return kernel_of(b)->ops->dissolve_bond(kernel_of(b), bond_ifindex, keep_ifindex);
        has_keep = keep_ifindex > 0 && name_of(keep_ifindex, keep) >= 0;
        k = kernel_of(b)->ops->dissolve_bond(kernel_of(b), bond_ifindex, keep_ifindex);
        /* The bond kept its addresses (the kernel could not hand them on),
         * and the group stays: so do its files, IP configuration and all. */
        if (k < 0)
                return k;
        forget_dirty(fb, bond);
        fb->class->dissolved(fb, bond, has_keep ? keep : NULL);
        return k;
}

static int files_enslave(Backend *b, int bond_ifindex, int port_ifindex) {
        int k = kernel_of(b)->ops->enslave(kernel_of(b), bond_ifindex, port_ifindex);
        if (k >= 0)
                mark_dirty_ifindex(fb_of(b), bond_ifindex);
        return k;
}

static int files_release(Backend *b, int port_ifindex) {
        LinkInfo port;
        int k;

        /* The bond it leaves, asked before it has left. */
        if (rtnl_get_link(fb_of(b)->rtnl, port_ifindex, &port) < 0)
                port.master_ifindex = 0;
        k = kernel_of(b)->ops->release(kernel_of(b), port_ifindex);
        if (k >= 0 && port.master_ifindex > 0)
                mark_dirty_ifindex(fb_of(b), port.master_ifindex);
        return k;
}

static int files_set_primary(Backend *b, int bond_ifindex, int port_ifindex) {
        int k = kernel_of(b)->ops->set_primary(kernel_of(b), bond_ifindex, port_ifindex);
        if (k >= 0)
                mark_dirty_ifindex(fb_of(b), bond_ifindex);
        return k;
}

/* ---- straight to the kernel, nothing to persist ---------------------- */

static int files_set_up(Backend *b, int ifindex, bool up) {
        return kernel_of(b)->ops->set_up(kernel_of(b), ifindex, up);
}
static int files_set_active(Backend *b, int bond_ifindex, int port_ifindex) {
        return kernel_of(b)->ops->set_active(kernel_of(b), bond_ifindex, port_ifindex);
}
static int files_set_all_ports_active(Backend *b, int bond_ifindex, bool on) {
        return kernel_of(b)->ops->set_all_ports_active(kernel_of(b), bond_ifindex, on);
}
static int files_set_address(Backend *b, int ifindex, const HwAddr *mac) {
        return kernel_of(b)->ops->set_address(kernel_of(b), ifindex, mac);
}
static int files_move_addresses(Backend *b, int from_ifindex, int to_ifindex) {
        return kernel_of(b)->ops->move_addresses(kernel_of(b), from_ifindex, to_ifindex);
}

static int files_prune(Backend *b, bool (*keep)(const char *ifname, void *userdata), void *userdata) {
        return fb_of(b)->class->prune(fb_of(b), keep, userdata);
}

static bool files_busy(Backend *b) {
        FilesBackend *fb = fb_of(b);

        return fb->n_dirty > 0 || wicked_runner_pending(fb->runner) > 0;
}

static Backend *files_free(Backend *b) {
        FilesBackend *fb = fb_of(b);

        if (!fb)
                return NULL;
        sd_event_source_disable_unref(fb->defer);
        wicked_runner_free(fb->runner);
        backend_free(fb->kernel);
        strv_free(fb->dirty);
        if (fb->dir_fd >= 0)
                close(fb->dir_fd);
        free(fb->dir);
        return mfree(fb);
}

int backend_files_new(Backend **ret, const FilesBackendClass *class, sd_event *event, Rtnl *rtnl,
                      const char *dir, bool create_dir, BackendGroupLookup lookup, void *userdata) {
        FilesBackend *fb;
        char desc[32];
        int k;

        if (!dir || !lookup)
                return -EINVAL;
        fb = calloc(1, sizeof(*fb));
        if (!fb)
                return -ENOMEM;
        fb->ops = (BackendOps){
                .name = class->name,
                .create_bond = files_create_bond,
                .dissolve_bond = files_dissolve_bond,
                .set_up = files_set_up,
                .enslave = files_enslave,
                .release = files_release,
                .set_primary = files_set_primary,
                .set_active = files_set_active,
                .set_all_ports_active = files_set_all_ports_active,
                .set_address = files_set_address,
                .move_addresses = files_move_addresses,
                .free = files_free,
                .prune = files_prune,
                .busy = files_busy,
        };
        fb->base.ops = &fb->ops;
        fb->class = class;
        fb->rtnl = rtnl;
        fb->lookup = lookup;
        fb->userdata = userdata;
        fb->dir_fd = -EBADF;

        fb->dir = strdup(dir);
        if (!fb->dir) {
                k = -ENOMEM;
                goto fail;
        }
        if (create_dir)
                (void)mkdir(dir, 0755);
        fb->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fb->dir_fd < 0) {
                k = log_error_errno(negative_errno(), "backend=%s: cannot open the %s directory %s: %m",
                                    class->name, class->files, dir);
                goto fail;
        }
        k = backend_kernel_new(&fb->kernel, rtnl);
        if (k >= 0)
                k = wicked_runner_new(&fb->runner, event, class->command_timeout_usec);
        if (k >= 0)
                k = sd_event_add_defer(event, &fb->defer, on_defer, fb);
        if (k < 0)
                goto fail;
        (void)sd_event_source_set_enabled(fb->defer, SD_EVENT_OFF);
        snprintf(desc, sizeof(desc), "%s-persist", class->name);
        (void)sd_event_source_set_description(fb->defer, desc);
        /* After the kernel's notifications of what the plan did: the
         * manager's view of the ports is then the kernel's. */
        (void)sd_event_source_set_priority(fb->defer, SD_EVENT_PRIORITY_IDLE);
        log_info("%s: %s files in %s", class->name, class->files, dir);
        *ret = &fb->base;
        return 0;
fail:
        files_free(&fb->base);
        return k;
}
