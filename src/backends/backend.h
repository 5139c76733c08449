/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "group.h"
#include "macro.h"

/* A backend carries the policy's actions into the system. The kernel
 * backend talks netlink directly; the NetworkManager backend does the same
 * through NetworkManager's profiles so that it does not fight hnvd; the
 * wicked backend does it through the kernel too and persists each group in
 * wicked's ifcfg files, and the networkd backend in networkd's .netdev and
 * .network files. The manager sees only this table.
 *
 * Every operation returns 0 or a negative errno and logs nothing: the
 * manager logs once, with the group and interface names it knows. (What
 * the wicked backend does after an operation has returned, writing files
 * and running wicked, it logs itself: no caller is left to.)
 * -EINPROGRESS means the request went to a connection manager that answers
 * later: the outcome shows in the kernel's links, and a backend that needs
 * the manager to look again calls its BackendNotify. */
typedef struct Backend Backend;

typedef struct BackendOps {
        const char *name;
        /* Creates the bond (down) with spec->options and, if mac is not NULL,
         * that MAC address; *ret_ifindex is its index. */
        int (*create_bond)(Backend *b, const GroupSpec *spec, const HwAddr *mac, int *ret_ifindex);
        /* Takes the bond away; keep_ifindex (0: none) is the port that
         * stays up with the bond's addresses. */
        int (*dissolve_bond)(Backend *b, int bond_ifindex, int keep_ifindex);
        int (*set_up)(Backend *b, int ifindex, bool up);
        /* Enslaves a port: the kernel only takes a port that is down. */
        int (*enslave)(Backend *b, int bond_ifindex, int port_ifindex);
        int (*release)(Backend *b, int port_ifindex);
        int (*set_primary)(Backend *b, int bond_ifindex, int port_ifindex);
        int (*set_active)(Backend *b, int bond_ifindex, int port_ifindex);
        /* Deliver frames that arrive on inactive ports too (the bond drops
         * them otherwise): on while a VF is being released. */
        int (*set_all_ports_active)(Backend *b, int bond_ifindex, bool on);
        /* Sets a link's MAC address (a port's, around a planned switch). */
        int (*set_address)(Backend *b, int ifindex, const HwAddr *mac);
        /* Global-scope addresses and the routes through them: moves them all
         * to another link (added there before they are removed here, so the
         * guest is never without them). Counting them is a read: the
         * platform's (src/daemon/platform.h). */
        int (*move_addresses)(Backend *b, int from_ifindex, int to_ifindex);
        Backend *(*free)(Backend *b);
        /* Boot reconcile: forgets what hnv (or hcnmgr before it) persisted for
         * interfaces no longer wanted: keep(ifname) is false for a port whose
         * device is gone and for a bond no group has. Never touches what anyone
         * else wrote. Returns how many items it removed, or a negative errno.
         * NULL for a backend that persists nothing (kernel). */
        int (*prune)(Backend *b, bool (*keep)(const char *ifname, void *userdata), void *userdata);
        /* Work the backend still does after its operations returned (the
         * wicked backend's files and commands): a process about to exit
         * waits for it. NULL for a backend that leaves nothing behind. */
        bool (*busy)(Backend *b);
} BackendOps;

struct Backend {
        const BackendOps *ops;
};

static inline Backend *backend_free(Backend *b) {
        return b ? b->ops->free(b) : NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(Backend *, backend_free);

static inline bool backend_busy(Backend *b) {
        return b && b->ops->busy && b->ops->busy(b);
}

static inline bool backend_in_progress(int k) {
        return k == -EINPROGRESS;
}

typedef void (*BackendNotify)(void *userdata);

typedef struct Rtnl Rtnl;
/* The kernel backend sends its requests on rtnl's request socket. */
int backend_kernel_new(Backend **ret, Rtnl *rtnl);

/* What backend=auto asks: NetworkManager runs and has networking enabled,
 * or it does not run yet but systemd will start it (NetworkManager.service
 * enabled: hnvd starts before it at boot). */
bool backend_nm_expected(void);

/* The NetworkManager backend, from its module (backend-nm.h says what it
 * does). notify: NetworkManager's state changed in a way the manager should
 * look at. */
typedef int (*BackendNmNew)(Backend **ret, sd_event *event, Rtnl *rtnl, BackendNotify notify,
                            void *userdata);
int backend_nm_load(Backend **ret, sd_event *event, Rtnl *rtnl, BackendNotify notify, void *userdata);

/* backend=auto chose another backend because NetworkManager was neither
 * running nor enabled: on_started runs once NetworkManager takes its bus
 * name afterwards (installed, or started by hand), or at once (from the
 * event loop) when it has it already, so that hnvd can start again on it;
 * on_started asks backend_nm_expected() before it does. *ret_bus holds the
 * watch; -errno when there is no bus. */
typedef void (*BackendNmStarted)(void *userdata);
int backend_nm_watch(sd_event *event, BackendNmStarted on_started, void *userdata, sd_bus **ret_bus);

/* What backend=auto asks after backend_nm_expected(): wicked is the
 * system's network service (network.service is an alias of
 * wicked.service), or wicked.service is enabled or active. */
bool backend_wicked_expected(void);

/* The group whose bond is named bond, for the wicked backend to persist:
 * its spec, and its VF and backup while they are in the bond (NULL when
 * not). NULL when no group (or a dissolved one) has the bond. */
typedef const GroupSpec *(*BackendGroupLookup)(const char *bond, const char **ret_vf,
                                               const char **ret_backup, void *userdata);
/* The wicked backend (backend-wicked.c): the kernel backend for every
 * action, then ifcfg files in ifcfg_dir and `wicked ifreload`. */
int backend_wicked_new(Backend **ret, sd_event *event, Rtnl *rtnl, const char *ifcfg_dir,
                       BackendGroupLookup lookup, void *userdata);

/* What backend=auto asks after backend_wicked_expected(): systemd-networkd
 * is active, or enabled (hnvd starts before it at boot). */
bool backend_networkd_expected(void);
/* The networkd backend (backend-networkd.c): the kernel backend for every
 * action, then .netdev and .network files in dir and `networkctl reload`. */
int backend_networkd_new(Backend **ret, sd_event *event, Rtnl *rtnl, const char *dir,
                         BackendGroupLookup lookup, void *userdata);
