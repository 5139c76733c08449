/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "addresses.h"
#include "backend.h"
#include "rtnl.h"

typedef struct KernelBackend {
        Backend base;
        Rtnl *rtnl;
} KernelBackend;

static Rtnl *rtnl_of(Backend *b) {
        return ((KernelBackend *)b)->rtnl;
}

static int kernel_create_bond(Backend *b, const GroupSpec *spec, const HwAddr *mac, int *ret_ifindex) {
        LinkInfo link;
        int k;

        k = rtnl_bond_create(rtnl_of(b), spec->bond_name, &spec->options, mac);
        if (k < 0)
                return k;
        k = rtnl_get_link_by_name(rtnl_of(b), spec->bond_name, &link);
        if (k < 0)
                return k;
        *ret_ifindex = link.ifindex;
        return 0;
}

static int kernel_set_up(Backend *b, int ifindex, bool up);
static int kernel_release(Backend *b, int port_ifindex);
static int kernel_move_addresses(Backend *b, int from_ifindex, int to_ifindex);

/* The bond goes even when handing the addresses fails: the caller asked
 * for it gone, and the failure is returned for it to report. */
static int kernel_dissolve_bond(Backend *b, int bond_ifindex, int keep_ifindex) {
        int r = 0, k;

        if (keep_ifindex > 0) {
                r = kernel_release(b, keep_ifindex);
                if (r >= 0)
                        r = kernel_set_up(b, keep_ifindex, true);
                if (r >= 0)
                        r = kernel_move_addresses(b, bond_ifindex, keep_ifindex);
                /* The bond still holds the guest's addresses: deleting it
                 * would take them along. The remove fails, the group stays,
                 * and the next reconcile takes the port back. */
                if (r < 0)
                        return r;
        }
        k = rtnl_delete_link(rtnl_of(b), bond_ifindex);
        return k < 0 ? k : r;
}

static int kernel_set_up(Backend *b, int ifindex, bool up) {
        return rtnl_set_link_up(rtnl_of(b), ifindex, up);
}

static int kernel_enslave(Backend *b, int bond_ifindex, int port_ifindex) {
        LinkInfo now;
        int k;

        /* The manager may decide on a link event that is already old (a
         * storm of them is read a batch at a time): a port already in this
         * bond is left alone. Taken down below, it would stay down, since
         * the bond opens only the ports it takes in. */
        k = rtnl_get_link(rtnl_of(b), port_ifindex, &now);
        if (k < 0)
                return k;
        if (now.master_ifindex == bond_ifindex)
                return 0;

        /* bond_enslave() refuses a port that is up ("Device can not be
         * enslaved while up"), and one RTM_NEWLINK cannot do both: the kernel
         * applies IFLA_MASTER before the flags. The bond opens the port
         * itself once it is in. */
        k = rtnl_set_link_up(rtnl_of(b), port_ifindex, false);
        if (k < 0)
                return k;
        return rtnl_set_master(rtnl_of(b), port_ifindex, bond_ifindex);
}

static int kernel_release(Backend *b, int port_ifindex) {
        return rtnl_set_master(rtnl_of(b), port_ifindex, 0);
}

static int kernel_set_primary(Backend *b, int bond_ifindex, int port_ifindex) {
        return rtnl_bond_set_primary(rtnl_of(b), bond_ifindex, port_ifindex);
}

static int kernel_set_active(Backend *b, int bond_ifindex, int port_ifindex) {
        return rtnl_bond_set_active(rtnl_of(b), bond_ifindex, port_ifindex);
}

static int kernel_set_address(Backend *b, int ifindex, const HwAddr *mac) {
        return rtnl_set_link_address(rtnl_of(b), ifindex, mac);
}

static int kernel_set_all_ports_active(Backend *b, int bond_ifindex, bool on) {
        return rtnl_bond_set_all_ports_active(rtnl_of(b), bond_ifindex, on);
}

static int kernel_move_addresses(Backend *b, int from_ifindex, int to_ifindex) {
        /* The routes through the addresses move with them, and the kernel
         * refuses a route through a link that is down (ENETDOWN): a bond
         * being built is not up yet. */
        int k = rtnl_set_link_up(rtnl_of(b), to_ifindex, true);
        if (k < 0)
                return k;
        return addresses_move(rtnl_of(b), from_ifindex, to_ifindex);
}

static Backend *kernel_free(Backend *b) {
        return mfree(b);
}

static const BackendOps kernel_ops = {
        .name = "kernel",
        .create_bond = kernel_create_bond,
        .dissolve_bond = kernel_dissolve_bond,
        .set_up = kernel_set_up,
        .enslave = kernel_enslave,
        .release = kernel_release,
        .set_primary = kernel_set_primary,
        .set_active = kernel_set_active,
        .set_all_ports_active = kernel_set_all_ports_active,
        .set_address = kernel_set_address,
        .move_addresses = kernel_move_addresses,
        .free = kernel_free,
};

int backend_kernel_new(Backend **ret, Rtnl *rtnl) {
        KernelBackend *k = calloc(1, sizeof(*k));
        if (!k)
                return -ENOMEM;
        k->base.ops = &kernel_ops;
        k->rtnl = rtnl;
        *ret = &k->base;
        return 0;
}
