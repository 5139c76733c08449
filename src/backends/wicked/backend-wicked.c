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

#include "backend-files.h"
#include "ifcfg-bond.h"
#include "ifcfg-files.h"
#include "log.h"
#include "rtnl.h"
#include "wicked-runner.h"

/* A bond whose file has no IP configuration comes up without an address
 * at the next boot, whatever it has now (an address put on by hand, or a
 * port that had none in its file to give): said whenever the files change,
 * since nothing else would say it before the reboot. */
static void warn_no_ip(FilesBackend *wb, const GroupSpec *spec, const char *bond) {
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *d = NULL;

        if (ifcfg_read(wb->dir_fd, bond, &d, NULL) < 0 || ifcfg_bond_has_ip(d))
                return;
        log_group_full_errno(LOG_WARNING, 0, spec->name, bond,
                             "%s/ifcfg-%s has no IP configuration: after a reboot the bond has no address",
                             wb->dir, bond);
}

/* Brings ifcfg-<bond> and its ports' files up to date and tells wicked. */
static void persist(FilesBackend *wb, const char *bond) {
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

/* The bond's files go; the port the kernel gave the addresses to gets the
 * IP configuration in its file, so that it still has them after a reboot. */
static void wicked_dissolved(FilesBackend *wb, const char *bond, const char *keep) {
        int r = ifcfg_remove_group(wb->dir_fd, bond, keep);

        if (r < 0 && r != -ENOENT)
                log_link_warning_errno(bond, r, "cannot remove hnv's ifcfg files of %s from %s: %m", bond,
                                       wb->dir);
        /* The bond is gone from the kernel already; the reload makes wicked
         * drop its policy for it, so that it does not build it again. The
         * port that stays, with the bond's addresses, is not reloaded: they
         * are on it already, and a reload would take it down and up. */
        if (r > 0)
                (void)wicked_runner_submit(wb->runner, bond, WICKED_IFRELOAD, bond);
}

static int wicked_prune(FilesBackend *wb, bool (*keep)(const char *ifname, void *userdata), void *userdata) {
        return ifcfg_prune(wb->dir_fd, keep, userdata);
}

static const FilesBackendClass wicked_class = {
        .name = "wicked",
        .files = "ifcfg",
        .command_timeout_usec = WICKED_TIMEOUT_USEC,
        .persist = persist,
        .dissolved = wicked_dissolved,
        .prune = wicked_prune,
};

int backend_wicked_new(Backend **ret, sd_event *event, Rtnl *rtnl, const char *ifcfg_dir,
                       BackendGroupLookup lookup, void *userdata) {
        return backend_files_new(ret, &wicked_class, event, rtnl, ifcfg_dir, false, lookup, userdata);
}
