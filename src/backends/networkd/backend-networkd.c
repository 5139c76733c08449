/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The systemd-networkd backend (Debian, Ubuntu, netplan). As the wicked
 * backend does, it does every action in the kernel at once, through the
 * kernel backend, so failover never waits for networkd; afterwards it
 * writes the group into networkd's files (a .netdev for the bond, a
 * .network for it carrying the IP configuration a port had, one for each
 * port that puts it in the bond and wins over the admin's file) and runs
 * `networkctl reload`. */
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <sys/stat.h>

#include "backend.h"
#include "log.h"
#include "networkd-files.h"
#include "rtnl.h"
#include "wicked-runner.h"

typedef struct NetworkdBackend {
        Backend base;
        Backend *kernel;
        Rtnl *rtnl;
        char *dir;
        int dir_fd;
        WickedRunner *runner;
        BackendGroupLookup lookup;
        void *userdata;
        char **dirty;
        size_t n_dirty;
        sd_event_source *defer;
} NetworkdBackend;

static NetworkdBackend *nb_of(Backend *b) {
        return (NetworkdBackend *)b;
}

static Backend *kernel_of(Backend *b) {
        return nb_of(b)->kernel;
}

static int name_of(int ifindex, char buf[static IF_NAMESIZE]) {
        return if_indextoname((unsigned)ifindex, buf) ? 0 : negative_errno();
}

/* The .network file networkd applied to a link, from the state file it
 * keeps for it (what `networkctl status` shows as "Network File:"): it
 * already resolved the precedence over /etc, /run and /lib and every
 * [Match] key, which hnv would otherwise have to redo and could get
 * wrong. NULL when networkd does not run or did not configure the link,
 * or when the file is hnv's own. */
static char *admin_network_of(const char *ifname) {
        _cleanup_(freep) char *state = NULL;
        char path[64];
        unsigned ifindex = if_nametoindex(ifname);
        const char *dir = "/run/systemd/netif/links";
        char *text = NULL;

        if (ifindex == 0)
                return NULL;
        snprintf(path, sizeof(path), "%u", ifindex);
        _cleanup_(closep) int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0 || networkd_read_text(dir_fd, path, &state) < 0)
                return NULL;
        for (char *line = state; line && *line;) {
                char *eol = strchr(line, '\n');
                const char *file;
                if (eol)
                        *eol = '\0';
                file = startswith(line, "NETWORK_FILE=");
                if (file && file[0] == '/') {
                        const char *base = strrchr(file, '/') + 1;
                        if (!startswith(base, HNV_NETWORKD_PREFIX) &&
                            networkd_read_text(AT_FDCWD, file, &text) >= 0)
                                log_link_info(ifname, "IP configuration for the bond taken from %s", file);
                        return text;
                }
                line = eol ? eol + 1 : NULL;
        }
        return NULL;
}

static void persist(NetworkdBackend *nb, const char *bond) {
        _cleanup_(freep) char *admin = NULL, *bond_text = NULL;
        const char *vf = NULL, *backup = NULL;
        char name[NETWORKD_FILENAME_MAX];
        const GroupSpec *spec;
        int r;

        spec = nb->lookup(bond, &vf, &backup, nb->userdata);
        if (!spec)
                return;
        snprintf(name, sizeof(name), HNV_NETWORKD_PREFIX "%s.network", bond);
        /* Only a bond with no .network yet takes a port's; the VF's
         * first, as the port the guest was installed on. */
        if (faccessat(nb->dir_fd, name, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
                admin = vf ? admin_network_of(vf) : NULL;
                if (!admin && backup)
                        admin = admin_network_of(backup);
        }
        r = networkd_save_group(nb->dir_fd, spec, vf, backup, admin);
        if (r < 0) {
                log_group_full_errno(LOG_WARNING, r, spec->name, bond,
                                     "cannot write networkd files in %s: %m", nb->dir);
                return;
        }
        if (r == 0)
                return;
        log_group_full_errno(LOG_INFO, 0, spec->name, bond, "networkd files updated: VF %s, backup %s",
                             vf ?: "none", backup ?: "none");
        /* Said whenever the files change, since nothing else says it
         * before the reboot that leaves the bond without an address. */
        if (networkd_read_text(nb->dir_fd, name, &bond_text) >= 0 && !networkd_text_has_ip(bond_text))
                log_group_full_errno(LOG_WARNING, 0, spec->name, bond,
                                     "%s/%s has no IP configuration: after a reboot the bond has no address",
                                     nb->dir, name);
        (void)wicked_runner_submit(nb->runner, bond, NETWORKCTL_RELOAD, bond);
}

static int on_defer(sd_event_source *s, void *userdata) {
        NetworkdBackend *nb = userdata;

        (void)sd_event_source_set_enabled(s, SD_EVENT_OFF);
        while (nb->n_dirty > 0) {
                _cleanup_(freep) char *bond = nb->dirty[--nb->n_dirty];
                nb->dirty[nb->n_dirty] = NULL;
                persist(nb, bond);
        }
        return 0;
}

/* As in the wicked backend: the files are brought up to date once the
 * manager's plan has run, when the ports' roles and the primary are final. */
static void mark_dirty(NetworkdBackend *nb, const char *bond) {
        char **dirty, *copy;

        for (size_t i = 0; i < nb->n_dirty; i++)
                if (streq(nb->dirty[i], bond))
                        return;
        copy = strdup(bond);
        dirty = copy ? reallocarray(nb->dirty, nb->n_dirty + 2, sizeof(*dirty)) : NULL;
        if (!dirty) {
                free(copy);
                log_link_warning_errno(bond, -ENOMEM,
                                       "cannot schedule the update of its networkd files: %m");
                return;
        }
        nb->dirty = dirty;
        nb->dirty[nb->n_dirty++] = copy;
        nb->dirty[nb->n_dirty] = NULL;
        (void)sd_event_source_set_enabled(nb->defer, SD_EVENT_ONESHOT);
}

static void forget_dirty(NetworkdBackend *nb, const char *bond) {
        for (size_t i = 0; i < nb->n_dirty; i++)
                if (streq(nb->dirty[i], bond)) {
                        free(nb->dirty[i]);
                        nb->dirty[i] = nb->dirty[--nb->n_dirty];
                        nb->dirty[nb->n_dirty] = NULL;
                        return;
                }
}

static void mark_dirty_ifindex(NetworkdBackend *nb, int bond_ifindex) {
        char bond[IF_NAMESIZE];

        if (name_of(bond_ifindex, bond) >= 0)
                mark_dirty(nb, bond);
}

static int nd_create_bond(Backend *b, const GroupSpec *spec, const HwAddr *mac, int *ret_ifindex) {
        int k = kernel_of(b)->ops->create_bond(kernel_of(b), spec, mac, ret_ifindex);
        if (k >= 0)
                mark_dirty(nb_of(b), spec->bond_name);
        return k;
}

static int nd_dissolve_bond(Backend *b, int bond_ifindex, int keep_ifindex) {
        NetworkdBackend *nb = nb_of(b);
        char bond[IF_NAMESIZE];
        int k, r;

        if (name_of(bond_ifindex, bond) < 0)
                return kernel_of(b)->ops->dissolve_bond(kernel_of(b), bond_ifindex, keep_ifindex);
        k = kernel_of(b)->ops->dissolve_bond(kernel_of(b), bond_ifindex, keep_ifindex);
        /* The bond kept its addresses, and the group stays: so do its files. */
        if (k < 0)
                return k;
        forget_dirty(nb, bond);
        /* The admin's own .network, which hnv never changed, applies to
         * the ports again once hnv's are gone and networkd has reloaded. */
        r = networkd_remove_group(nb->dir_fd, bond);
        if (r < 0)
                log_link_warning_errno(bond, r, "cannot remove hnv's networkd files of %s from %s: %m", bond,
                                       nb->dir);
        if (r > 0)
                (void)wicked_runner_submit(nb->runner, bond, NETWORKCTL_RELOAD, bond);
        return k;
}

static int nd_enslave(Backend *b, int bond_ifindex, int port_ifindex) {
        int k = kernel_of(b)->ops->enslave(kernel_of(b), bond_ifindex, port_ifindex);
        if (k >= 0)
                mark_dirty_ifindex(nb_of(b), bond_ifindex);
        return k;
}

static int nd_release(Backend *b, int port_ifindex) {
        LinkInfo port;
        int k;

        if (rtnl_get_link(nb_of(b)->rtnl, port_ifindex, &port) < 0)
                port.master_ifindex = 0;
        k = kernel_of(b)->ops->release(kernel_of(b), port_ifindex);
        if (k >= 0 && port.master_ifindex > 0)
                mark_dirty_ifindex(nb_of(b), port.master_ifindex);
        return k;
}

static int nd_set_primary(Backend *b, int bond_ifindex, int port_ifindex) {
        int k = kernel_of(b)->ops->set_primary(kernel_of(b), bond_ifindex, port_ifindex);
        if (k >= 0)
                mark_dirty_ifindex(nb_of(b), bond_ifindex);
        return k;
}

static int nd_set_up(Backend *b, int ifindex, bool up) {
        return kernel_of(b)->ops->set_up(kernel_of(b), ifindex, up);
}
static int nd_set_active(Backend *b, int bond_ifindex, int port_ifindex) {
        return kernel_of(b)->ops->set_active(kernel_of(b), bond_ifindex, port_ifindex);
}
static int nd_set_all_ports_active(Backend *b, int bond_ifindex, bool on) {
        return kernel_of(b)->ops->set_all_ports_active(kernel_of(b), bond_ifindex, on);
}
static int nd_set_address(Backend *b, int ifindex, const HwAddr *mac) {
        return kernel_of(b)->ops->set_address(kernel_of(b), ifindex, mac);
}
static int nd_move_addresses(Backend *b, int from_ifindex, int to_ifindex) {
        return kernel_of(b)->ops->move_addresses(kernel_of(b), from_ifindex, to_ifindex);
}

static int nd_prune(Backend *b, bool (*keep)(const char *ifname, void *userdata), void *userdata) {
        return networkd_prune(nb_of(b)->dir_fd, keep, userdata);
}

static bool nd_busy(Backend *b) {
        NetworkdBackend *nb = nb_of(b);

        return nb->n_dirty > 0 || wicked_runner_pending(nb->runner) > 0;
}

static Backend *nd_free(Backend *b) {
        NetworkdBackend *nb = nb_of(b);

        if (!nb)
                return NULL;
        sd_event_source_disable_unref(nb->defer);
        wicked_runner_free(nb->runner);
        backend_free(nb->kernel);
        strv_free(nb->dirty);
        if (nb->dir_fd >= 0)
                close(nb->dir_fd);
        free(nb->dir);
        return mfree(nb);
}

static const BackendOps networkd_ops = {
        .name = "networkd",
        .create_bond = nd_create_bond,
        .dissolve_bond = nd_dissolve_bond,
        .set_up = nd_set_up,
        .enslave = nd_enslave,
        .release = nd_release,
        .set_primary = nd_set_primary,
        .set_active = nd_set_active,
        .set_all_ports_active = nd_set_all_ports_active,
        .set_address = nd_set_address,
        .move_addresses = nd_move_addresses,
        .free = nd_free,
        .prune = nd_prune,
        .busy = nd_busy,
};

int backend_networkd_new(Backend **ret, sd_event *event, Rtnl *rtnl, const char *dir,
                         BackendGroupLookup lookup, void *userdata) {
        NetworkdBackend *nb;
        int k;

        if (!dir || !lookup)
                return -EINVAL;
        nb = calloc(1, sizeof(*nb));
        if (!nb)
                return -ENOMEM;
        nb->base.ops = &networkd_ops;
        nb->rtnl = rtnl;
        nb->lookup = lookup;
        nb->userdata = userdata;
        nb->dir_fd = -EBADF;
        nb->dir = strdup(dir);
        if (!nb->dir) {
                k = -ENOMEM;
                goto fail;
        }
        /* A guest whose networkd configuration came with /lib's files
         * alone may have no /etc/systemd/network yet. */
        (void)mkdir(dir, 0755);
        nb->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (nb->dir_fd < 0) {
                k = log_error_errno(negative_errno(), "backend=networkd: cannot open the directory %s: %m",
                                    dir);
                goto fail;
        }
        k = backend_kernel_new(&nb->kernel, rtnl);
        if (k >= 0)
                k = wicked_runner_new(&nb->runner, event, NETWORKCTL_TIMEOUT_USEC);
        if (k >= 0)
                k = sd_event_add_defer(event, &nb->defer, on_defer, nb);
        if (k < 0)
                goto fail;
        (void)sd_event_source_set_enabled(nb->defer, SD_EVENT_OFF);
        (void)sd_event_source_set_description(nb->defer, "networkd-persist");
        (void)sd_event_source_set_priority(nb->defer, SD_EVENT_PRIORITY_IDLE);
        log_info("networkd: files in %s", dir);
        *ret = &nb->base;
        return 0;
fail:
        nd_free(&nb->base);
        return k;
}
