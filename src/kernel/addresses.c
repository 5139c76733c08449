/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>

#include "addresses.h"
#include "link-msg.h"
#include "rtnl-internal.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct nl_cache *, nl_cache_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct rtnl_addr *, rtnl_addr_put);

static bool addr_is_movable(struct rtnl_addr *a) {
        return rtnl_addr_get_scope(a) < RT_SCOPE_LINK;
}

static int addr_cache(Rtnl *rtnl, struct nl_cache **ret) {
        int k = rtnl_addr_alloc_cache(rtnl_request_socket(rtnl), ret);
        return k < 0 ? nl_error_to_errno(k) : 0;
}

int addresses_count(Rtnl *rtnl, int ifindex) {
        _cleanup_(nl_cache_freep) struct nl_cache *cache = NULL;
        int k, n = 0;

        k = addr_cache(rtnl, &cache);
        if (k < 0)
                return k;
        for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
                struct rtnl_addr *a = (struct rtnl_addr *)o;
                if (rtnl_addr_get_ifindex(a) == ifindex && addr_is_movable(a))
                        n++;
        }
        return n;
}

/* Collects the main-table unicast routes whose single next hop leaves
 * through from_ifindex and that the kernel did not make itself (proto
 * kernel: prefix routes, which follow their address). */
static int collect_routes(Rtnl *rtnl, int from_ifindex, struct nl_cache **ret_saved) {
        _cleanup_(nl_cache_freep) struct nl_cache *all = NULL, *saved = NULL;
        int k;

        k = rtnl_route_alloc_cache(rtnl_request_socket(rtnl), AF_UNSPEC, 0, &all);
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

int addresses_move(Rtnl *rtnl, int from_ifindex, int to_ifindex) {
        _cleanup_(nl_cache_freep) struct nl_cache *cache = NULL, *routes = NULL;
        struct nl_sock *sk = rtnl_request_socket(rtnl);
        int k, r = 0;

        /* Routes through the old link vanish with its addresses: note them
         * first, re-add them on the new link after. */
        k = collect_routes(rtnl, from_ifindex, &routes);
        if (k < 0)
                return k;

        k = addr_cache(rtnl, &cache);
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
