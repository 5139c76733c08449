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

#include "backend-files.h"
#include "log.h"
#include "networkd-files.h"
#include "rtnl.h"
#include "wicked-runner.h"

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

static void persist(FilesBackend *nb, const char *bond) {
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

/* The admin's own .network, which hnv never changed, applies to the ports
 * again once hnv's are gone and networkd has reloaded. */
static void nd_dissolved(FilesBackend *nb, const char *bond, const char *keep) {
        int r = networkd_remove_group(nb->dir_fd, bond);

        if (r < 0)
                log_link_warning_errno(bond, r, "cannot remove hnv's networkd files of %s from %s: %m", bond,
                                       nb->dir);
        if (r > 0)
                (void)wicked_runner_submit(nb->runner, bond, NETWORKCTL_RELOAD, bond);
}

static int nd_prune(FilesBackend *nb, bool (*keep)(const char *ifname, void *userdata), void *userdata) {
        return networkd_prune(nb->dir_fd, keep, userdata);
}

static const FilesBackendClass networkd_class = {
        .name = "networkd",
        .files = "networkd",
        .command_timeout_usec = NETWORKCTL_TIMEOUT_USEC,
        .persist = persist,
        .dissolved = nd_dissolved,
        .prune = nd_prune,
};

int backend_networkd_new(Backend **ret, sd_event *event, Rtnl *rtnl, const char *dir,
                         BackendGroupLookup lookup, void *userdata) {
        /* A guest whose networkd configuration came with /lib's files
         * alone may have no /etc/systemd/network yet. */
        return backend_files_new(ret, &networkd_class, event, rtnl, dir, true, lookup, userdata);
}
