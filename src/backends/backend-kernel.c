/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>

#include "backend.h"
#include "link-msg.h"
#include "rtnl.h"

typedef struct KernelBackend {
        Backend base;
        Rtnl *rtnl;
} KernelBackend;

DEFINE_TRIVIAL_CLEANUP_FUNC(struct nl_cache *, nl_cache_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct rtnl_addr *, rtnl_addr_put);

static Rtnl *rtnl_of(Backend *b) {
        return ((KernelBackend *)b)->rtnl;
}

/* Builds one message with build(), sends it and waits for the answer. */
#define CALL(b, build, ...)                                                                                  \
        ({                                                                                                   \
                _cleanup_(nlmsg_freep) struct nl_msg *_m = NULL;                                             \
                int _k = build(&_m, __VA_ARGS__);                                                            \
                _k < 0 ? _k : rtnl_call(rtnl_of(b), _m);                                                     \
        })

static int kernel_create_bond(Backend *b, const GroupSpec *spec, const HwAddr *mac, int *ret_ifindex) {
        LinkInfo link;
        int k;

        k = CALL(b, link_msg_new_bond, spec->bond_name, &spec->options, mac);
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
        }
        k = CALL(b, link_msg_delete, bond_ifindex);
        return k < 0 ? k : r;
}

static int kernel_set_up(Backend *b, int ifindex, bool up) {
        return CALL(b, link_msg_set_up, ifindex, up);
}

static int kernel_enslave(Backend *b, int bond_ifindex, int port_ifindex) {
        int k;

        /* bond_enslave() refuses a port that is up ("Device can not be
         * enslaved while up"), and one RTM_NEWLINK cannot do both: the kernel
         * applies IFLA_MASTER before the flags. The bond opens the port
         * itself once it is in. */
        k = CALL(b, link_msg_set_up, port_ifindex, false);
        if (k < 0)
                return k;
        return CALL(b, link_msg_set_master, port_ifindex, bond_ifindex);
}

static int kernel_release(Backend *b, int port_ifindex) {
        return CALL(b, link_msg_set_master, port_ifindex, 0);
}

static int kernel_set_primary(Backend *b, int bond_ifindex, int port_ifindex) {
        return CALL(b, link_msg_bond_set_primary, bond_ifindex, port_ifindex);
}

static int kernel_set_active(Backend *b, int bond_ifindex, int port_ifindex) {
        return CALL(b, link_msg_bond_set_active, bond_ifindex, port_ifindex);
}

static int kernel_set_address(Backend *b, int ifindex, const HwAddr *mac) {
        return CALL(b, link_msg_set_address, ifindex, mac);
}

static int kernel_set_all_ports_active(Backend *b, int bond_ifindex, bool on) {
        return CALL(b, link_msg_bond_set_all_slaves_active, bond_ifindex, on);
}

/* Link-local addresses are the kernel's own per-link business (IPv6 makes
 * one on every link that comes up); they are neither counted nor moved. */
static bool addr_is_movable(struct rtnl_addr *a) {
        return rtnl_addr_get_scope(a) < RT_SCOPE_LINK;
}

static int addr_cache(Backend *b, struct nl_cache **ret) {
        int k = rtnl_addr_alloc_cache(rtnl_request_socket(rtnl_of(b)), ret);
        return k < 0 ? nl_error_to_errno(k) : 0;
}

static int kernel_count_addresses(Backend *b, int ifindex) {
        _cleanup_(nl_cache_freep) struct nl_cache *cache = NULL;
        int k, n = 0;

        k = addr_cache(b, &cache);
        if (k < 0)
                return k;
        for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
                struct rtnl_addr *a = (struct rtnl_addr *)o;
                if (rtnl_addr_get_ifindex(a) == ifindex && addr_is_movable(a))
                        n++;
        }
        return n;
}

static int collect_routes(Backend *b, int from_ifindex, struct nl_cache **ret_saved);

static int kernel_move_addresses(Backend *b, int from_ifindex, int to_ifindex) {
        _cleanup_(nl_cache_freep) struct nl_cache *cache = NULL, *routes = NULL;
        struct nl_sock *sk = rtnl_request_socket(rtnl_of(b));
        int k, r = 0;

        /* Routes through the old link vanish with its addresses: note them
         * first, re-add them on the new link after. */
        k = collect_routes(b, from_ifindex, &routes);
        if (k < 0)
                return k;

        k = addr_cache(b, &cache);
        if (k < 0)
                return k;

        for (int pass = 0; pass < 2; pass++)
                for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
                        struct rtnl_addr *a = (struct rtnl_addr *)o;
                        if (rtnl_addr_get_ifindex(a) != from_ifindex || !addr_is_movable(a))
                                continue;
                        if (pass == 0) {
                                /* Add everywhere first, then delete: never a
                                 * moment without the address. */
                                _cleanup_(rtnl_addr_putp) struct rtnl_addr *copy =
                                        (struct rtnl_addr *)nl_object_clone(o);
                                if (!copy)
                                        return -ENOMEM;
                                rtnl_addr_set_ifindex(copy, to_ifindex);
                                k = rtnl_addr_add(sk, copy, NLM_F_REPLACE);
                        } else
                                k = rtnl_addr_delete(sk, a, 0);
                        if (k < 0 && r == 0)
                                r = nl_error_to_errno(k);
                }

        for (struct nl_object *o = nl_cache_get_first(routes); o; o = nl_cache_get_next(o)) {
                struct rtnl_route *rt = (struct rtnl_route *)o;
                struct rtnl_nexthop *nh = rtnl_route_nexthop_n(rt, 0);
                if (!nh)
                        continue;
                rtnl_route_nh_set_ifindex(nh, to_ifindex);
                k = rtnl_route_add(sk, rt, NLM_F_REPLACE | NLM_F_CREATE);
                /* Prefix routes come back with the address on their own. */
                if (k < 0 && k != -NLE_EXIST && r == 0)
                        r = nl_error_to_errno(k);
        }
        return r;
}

/* Collects the main-table unicast routes whose single next hop leaves
 * through from_ifindex and that the kernel did not make itself (proto
 * kernel: prefix routes, which follow their address). */
static int collect_routes(Backend *b, int from_ifindex, struct nl_cache **ret_saved) {
        _cleanup_(nl_cache_freep) struct nl_cache *all = NULL, *saved = NULL;
        int k;

        k = rtnl_route_alloc_cache(rtnl_request_socket(rtnl_of(b)), AF_UNSPEC, 0, &all);
        if (k < 0)
                return nl_error_to_errno(k);
        saved = nl_cache_alloc(nl_cache_get_ops(all));
        if (!saved)
                return -ENOMEM;

        for (struct nl_object *o = nl_cache_get_first(all); o; o = nl_cache_get_next(o)) {
                struct rtnl_route *rt = (struct rtnl_route *)o;
                struct rtnl_nexthop *nh;

                if (rtnl_route_get_table(rt) != RT_TABLE_MAIN || rtnl_route_get_type(rt) != RTN_UNICAST ||
                    rtnl_route_get_protocol(rt) == RTPROT_KERNEL || rtnl_route_get_nnexthops(rt) != 1)
                        continue;
                nh = rtnl_route_nexthop_n(rt, 0);
                if (!nh || rtnl_route_nh_get_ifindex(nh) != from_ifindex)
                        continue;
                /* IPv6 routes via fe80:: next hops and multicast are link
                 * business too. */
                if (rtnl_route_get_scope(rt) >= RT_SCOPE_LINK && rtnl_route_get_family(rt) == AF_INET6)
                        continue;
                k = nl_cache_add(saved, o);
                if (k < 0)
                        return nl_error_to_errno(k);
        }
        *ret_saved = TAKE_PTR(saved);
        return 0;
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
        .count_addresses = kernel_count_addresses,
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
