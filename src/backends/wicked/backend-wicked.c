/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The wicked backend (SUSE). Every action goes to the kernel at once,
 * through the kernel backend: failover and the planned release of a VF
 * never wait for wicked, and keep working while it restarts. What wicked
 * must know so that it builds the same bond at boot and does not fight
 * hnvd (which ports are in the bond, which is primary) goes into its ifcfg
 * files afterwards, once per reconcile of a bond, followed by
 * `wicked ifreload <bond>` when a file actually changed. wicked then owns
 * the bond's IP configuration: the admin's in ifcfg-<bond>, or the one a
 * port's file had, which hnv moves there when the group forms and back to
 * the port that keeps the addresses when it is dissolved. */
#include <fcntl.h>
#include <net/if.h>

#include "backend.h"
#include "ifcfg-bond.h"
#include "ifcfg-files.h"
#include "log.h"
#include "rtnl.h"
#include "wicked-runner.h"

typedef struct WickedBackend {
        Backend base;
        Backend *kernel;
        Rtnl *rtnl;
        sd_event *event;
        char *dir;
        int dir_fd;
        WickedRunner *runner;
        BackendGroupLookup lookup;
        void *userdata;
        /* Bonds whose files are to be brought up to date, once the
         * manager's plan for them has been carried out: the ports' roles
         * and the primary are right only at its end. */
        char **dirty;
        size_t n_dirty;
        sd_event_source *defer;
} WickedBackend;

static WickedBackend *wb_of(Backend *b) {
        return (WickedBackend *)b;
}

static Backend *kernel_of(Backend *b) {
        return wb_of(b)->kernel;
}

static int name_of(int ifindex, char buf[static IF_NAMESIZE]) {
        return if_indextoname((unsigned)ifindex, buf) ? 0 : negative_errno();
}

static bool is_dirty(WickedBackend *wb, const char *bond) {
        for (size_t i = 0; i < wb->n_dirty; i++)
                if (streq(wb->dirty[i], bond))
                        return true;
        return false;
}

static void forget_dirty(WickedBackend *wb, const char *bond) {
        for (size_t i = 0; i < wb->n_dirty; i++)
                if (streq(wb->dirty[i], bond)) {
                        free(wb->dirty[i]);
                        wb->dirty[i] = wb->dirty[--wb->n_dirty];
                        wb->dirty[wb->n_dirty] = NULL;
                        return;
                }
}

/* A bond whose file has no IP configuration comes up without an address
 * at the next boot, whatever it has now (an address put on by hand, or a
 * port that had none in its file to give): said whenever the files change,
 * since nothing else would say it before the reboot. */
static void warn_no_ip(WickedBackend *wb, const GroupSpec *spec, const char *bond) {
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *d = NULL;

        if (ifcfg_read(wb->dir_fd, bond, &d, NULL) < 0 || ifcfg_bond_has_ip(d))
                return;
        log_group_full_errno(LOG_WARNING, 0, spec->name, bond,
                             "%s/ifcfg-%s has no IP configuration: after a reboot the bond has no address",
                             wb->dir, bond);
}

/* Brings ifcfg-<bond> and its ports' files up to date and tells wicked. */
static void persist(WickedBackend *wb, const char *bond) {
        _cleanup_(strv_freep) char **dropped = NULL;
        const char *vf = NULL, *backup = NULL;
        const GroupSpec *spec;
        int r;

        spec = wb->lookup(bond, &vf, &backup, wb->userdata);
        if (!spec)
                return;
        r = ifcfg_save_group(wb->dir_fd, spec, vf, backup, &dropped);
        if (r < 0) {
                log_group_full_errno(LOG_WARNING, r, spec->name, bond, "cannot write ifcfg files in %s: %m",
                                     wb->dir);
                return;
        }
        /* A port the bond no longer names (the VF released before a
         * migration) is taken down in wicked too, as hcnmgr's rmdev did: a
         * reload of the bond alone leaves wicked a policy that puts it
         * back. One that is unplugged already has nothing to take down. */
        for (char **port = dropped; port && *port; port++)
                if (if_nametoindex(*port) > 0)
                        (void)wicked_runner_submit(wb->runner, bond, WICKED_IFDOWN, *port);
        if (r > 0) {
                log_group_full_errno(LOG_INFO, 0, spec->name, bond, "ifcfg files updated: VF %s, backup %s",
                                     vf ?: "none", backup ?: "none");
                warn_no_ip(wb, spec, bond);
                (void)wicked_runner_submit(wb->runner, bond, WICKED_IFRELOAD, bond);
        }
}

static int on_defer(sd_event_source *s, void *userdata) {
        WickedBackend *wb = userdata;

        (void)sd_event_source_set_enabled(s, SD_EVENT_OFF);
        while (wb->n_dirty > 0) {
                _cleanup_(freep) char *bond = wb->dirty[--wb->n_dirty];
                wb->dirty[wb->n_dirty] = NULL;
                persist(wb, bond);
        }
        return 0;
}

/* Marks the bond for persist() after the current round of the loop. A
 * failure here costs only the files' freshness: logged, not returned, as
 * the kernel already did what was asked. */
static void mark_dirty(WickedBackend *wb, const char *bond) {
        int r;

        if (is_dirty(wb, bond))
                return;
        r = ifcfg_strv_push(&wb->dirty, &wb->n_dirty, bond);
        if (r >= 0)
                r = sd_event_source_set_enabled(wb->defer, SD_EVENT_ONESHOT);
        if (r < 0)
                log_link_warning_errno(bond, r, "cannot schedule the update of its ifcfg files: %m");
}

static void mark_dirty_ifindex(WickedBackend *wb, int bond_ifindex) {
        char bond[IF_NAMESIZE];

        if (name_of(bond_ifindex, bond) >= 0)
                mark_dirty(wb, bond);
}

static int wicked_create_bond(Backend *b, const GroupSpec *spec, const HwAddr *mac, int *ret_ifindex) {
        int k = kernel_of(b)->ops->create_bond(kernel_of(b), spec, mac, ret_ifindex);
        if (k >= 0)
                mark_dirty(wb_of(b), spec->bond_name);
        return k;
}

static int wicked_dissolve_bond(Backend *b, int bond_ifindex, int keep_ifindex) {
        WickedBackend *wb = wb_of(b);
        char bond[IF_NAMESIZE], keep[IF_NAMESIZE];
        bool has_keep;
        int k, r;

        if (name_of(bond_ifindex, bond) < 0)
                return kernel_of(b)->ops->dissolve_bond(kernel_of(b), bond_ifindex, keep_ifindex);
        has_keep = keep_ifindex > 0 && name_of(keep_ifindex, keep) >= 0;
        k = kernel_of(b)->ops->dissolve_bond(kernel_of(b), bond_ifindex, keep_ifindex);
        /* The bond kept its addresses (the kernel could not hand them on),
         * and the group stays: so do its files, IP configuration and all. */
        if (k < 0)
                return k;
        forget_dirty(wb, bond);
        /* The port the kernel gave the addresses to gets the IP
         * configuration in its file, so that it still has them after a
         * reboot. */
        r = ifcfg_remove_group(wb->dir_fd, bond, has_keep ? keep : NULL);
        if (r < 0 && r != -ENOENT)
                log_link_warning_errno(bond, r, "cannot remove hnv's ifcfg files of %s from %s: %m", bond,
                                       wb->dir);
        /* The bond is gone from the kernel already; the reload makes wicked
         * drop its policy for it, so that it does not build it again. The
         * port that stays, with the bond's addresses, is not reloaded: they
         * are on it already, and a reload would take it down and up. */
        if (r > 0)
                (void)wicked_runner_submit(wb->runner, bond, WICKED_IFRELOAD, bond);
        return k;
}

static int wicked_enslave(Backend *b, int bond_ifindex, int port_ifindex) {
        int k = kernel_of(b)->ops->enslave(kernel_of(b), bond_ifindex, port_ifindex);
        if (k >= 0)
                mark_dirty_ifindex(wb_of(b), bond_ifindex);
        return k;
}

static int wicked_release(Backend *b, int port_ifindex) {
        LinkInfo port;
        int k;

        /* The bond it leaves, asked before it has left. */
        if (rtnl_get_link(wb_of(b)->rtnl, port_ifindex, &port) < 0)
                port.master_ifindex = 0;
        k = kernel_of(b)->ops->release(kernel_of(b), port_ifindex);
        if (k >= 0 && port.master_ifindex > 0)
                mark_dirty_ifindex(wb_of(b), port.master_ifindex);
        return k;
}

static int wicked_set_primary(Backend *b, int bond_ifindex, int port_ifindex) {
        int k = kernel_of(b)->ops->set_primary(kernel_of(b), bond_ifindex, port_ifindex);
        if (k >= 0)
                mark_dirty_ifindex(wb_of(b), bond_ifindex);
        return k;
}

/* ---- straight to the kernel, nothing to persist ---------------------- */

static int wicked_set_up(Backend *b, int ifindex, bool up) {
        return kernel_of(b)->ops->set_up(kernel_of(b), ifindex, up);
}
static int wicked_set_active(Backend *b, int bond_ifindex, int port_ifindex) {
        return kernel_of(b)->ops->set_active(kernel_of(b), bond_ifindex, port_ifindex);
}
static int wicked_set_all_ports_active(Backend *b, int bond_ifindex, bool on) {
        return kernel_of(b)->ops->set_all_ports_active(kernel_of(b), bond_ifindex, on);
}
static int wicked_set_address(Backend *b, int ifindex, const HwAddr *mac) {
        return kernel_of(b)->ops->set_address(kernel_of(b), ifindex, mac);
}
static int wicked_move_addresses(Backend *b, int from_ifindex, int to_ifindex) {
        return kernel_of(b)->ops->move_addresses(kernel_of(b), from_ifindex, to_ifindex);
}

static int wicked_prune(Backend *b, bool (*keep)(const char *ifname, void *userdata), void *userdata) {
        return ifcfg_prune(wb_of(b)->dir_fd, keep, userdata);
}

static bool wicked_busy(Backend *b) {
        WickedBackend *wb = wb_of(b);

        return wb->n_dirty > 0 || wicked_runner_pending(wb->runner) > 0;
}

static Backend *wicked_free(Backend *b) {
        WickedBackend *wb = wb_of(b);

        if (!wb)
                return NULL;
        sd_event_source_disable_unref(wb->defer);
        wicked_runner_free(wb->runner);
        backend_free(wb->kernel);
        strv_free(wb->dirty);
        if (wb->dir_fd >= 0)
                close(wb->dir_fd);
        free(wb->dir);
        sd_event_unref(wb->event);
        return mfree(wb);
}

static const BackendOps wicked_ops = {
        .name = "wicked",
        .create_bond = wicked_create_bond,
        .dissolve_bond = wicked_dissolve_bond,
        .set_up = wicked_set_up,
        .enslave = wicked_enslave,
        .release = wicked_release,
        .set_primary = wicked_set_primary,
        .set_active = wicked_set_active,
        .set_all_ports_active = wicked_set_all_ports_active,
        .set_address = wicked_set_address,
        .move_addresses = wicked_move_addresses,
        .free = wicked_free,
        .prune = wicked_prune,
        .busy = wicked_busy,
};

int backend_wicked_new(Backend **ret, sd_event *event, Rtnl *rtnl, const char *ifcfg_dir,
                       BackendGroupLookup lookup, void *userdata) {
        WickedBackend *wb;
        int k;

        if (!ifcfg_dir || !lookup)
                return -EINVAL;
        wb = calloc(1, sizeof(*wb));
        if (!wb)
                return -ENOMEM;
        wb->base.ops = &wicked_ops;
        wb->rtnl = rtnl;
        wb->event = sd_event_ref(event);
        wb->lookup = lookup;
        wb->userdata = userdata;
        wb->dir_fd = -EBADF;

        wb->dir = strdup(ifcfg_dir);
        if (!wb->dir) {
                k = -ENOMEM;
                goto fail;
        }
        wb->dir_fd = open(ifcfg_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (wb->dir_fd < 0) {
                k = log_error_errno(negative_errno(),
                                    "backend=wicked: cannot open the ifcfg directory %s: %m", ifcfg_dir);
                goto fail;
        }
        k = backend_kernel_new(&wb->kernel, rtnl);
        if (k >= 0)
                k = wicked_runner_new(&wb->runner, event, WICKED_TIMEOUT_USEC);
        if (k >= 0)
                k = sd_event_add_defer(event, &wb->defer, on_defer, wb);
        if (k < 0)
                goto fail;
        (void)sd_event_source_set_enabled(wb->defer, SD_EVENT_OFF);
        (void)sd_event_source_set_description(wb->defer, "wicked-persist");
        /* After the kernel's notifications of what the plan did: the
         * manager's view of the ports is then the kernel's. */
        (void)sd_event_source_set_priority(wb->defer, SD_EVENT_PRIORITY_IDLE);
        log_info("wicked: ifcfg files in %s", ifcfg_dir);
        *ret = &wb->base;
        return 0;
fail:
        wicked_free(&wb->base);
        return k;
}
