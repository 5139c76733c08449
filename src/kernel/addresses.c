/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>

#include "addresses.h"
#include "link-msg.h"
#include "log.h"
#include "rtnl-internal.h"
#include "util.h"

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

/* A request built by libnl's object API, sent so that its answer is read. */
static int acked(Rtnl *rtnl, int build_k, struct nl_msg *msg) {
        _cleanup_(nlmsg_freep) struct nl_msg *m = msg;

        if (build_k < 0)
                return nl_error_to_errno(build_k);
        nlmsg_hdr(m)->nlmsg_flags |= NLM_F_ACK;
        return rtnl_call(rtnl, m);
}

int addresses_move(Rtnl *rtnl, int from_ifindex, int to_ifindex) {
        _cleanup_(nl_cache_freep) struct nl_cache *cache = NULL, *routes = NULL, *added = NULL;
        int k, r = 0;

        /* Routes through the old link vanish with its addresses: note them
         * first, re-add them on the new link after. */
        k = collect_routes(rtnl, from_ifindex, &routes);
        if (k < 0)
                return k;

        k = addr_cache(rtnl, &cache);
        if (k < 0)
                return k;

        /* Three steps, each leaving the guest its addresses and routes
         * whenever the process dies: the addresses added on the new link;
         * the routes moved onto it (a replace: the same route, another
         * device); only then the old addresses deleted. Deleting first lost
         * the routes, held only in memory, to a SIGKILL in between. */
        added = nl_cache_alloc(nl_cache_get_ops(cache));
        if (!added)
                return -ENOMEM;
        for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
                struct rtnl_addr *a = (struct rtnl_addr *)o;
                if (rtnl_addr_get_ifindex(a) != from_ifindex || !addr_is_movable(a))
                        continue;
                _cleanup_(rtnl_addr_putp) struct rtnl_addr *copy = (struct rtnl_addr *)nl_object_clone(o);
                if (!copy)
                        k = -ENOMEM;
                else {
                        struct nl_msg *msg = NULL;
                        rtnl_addr_set_ifindex(copy, to_ifindex);
                        k = rtnl_addr_build_add_request(copy, NLM_F_REPLACE, &msg);
                        k = acked(rtnl, k, msg);
                        if (k >= 0)
                                k = nl_error_to_errno(nl_cache_add(added, (struct nl_object *)copy));
                }
                /* One address the new link will not take (IPv6 disabled
                 * there, say) and the move is off: the old link keeps them
                 * all, and the copies already made go. Moving the rest and
                 * deleting every old one lost that address for good. */
                if (k < 0) {
                        for (struct nl_object *c = nl_cache_get_first(added); c; c = nl_cache_get_next(c)) {
                                struct nl_msg *msg = NULL;
                                int d = rtnl_addr_build_delete_request((struct rtnl_addr *)c, 0, &msg);
                                (void)acked(rtnl, d, msg);
                        }
                        return k;
                }
        }
        crash_point("addresses-added");

        for (struct nl_object *o = nl_cache_get_first(routes); o; o = nl_cache_get_next(o)) {
                struct rtnl_route *rt = (struct rtnl_route *)o;
                struct rtnl_nexthop *nh = rtnl_route_nexthop_n(rt, 0);
                if (!nh)
                        continue;
                rtnl_route_nh_set_ifindex(nh, to_ifindex);
                struct nl_msg *msg = NULL;
                k = rtnl_route_build_add_request(rt, NLM_F_REPLACE | NLM_F_CREATE, &msg);
                k = acked(rtnl, k, msg);
                /* A route the kernel will not take on the new link (one a
                 * DHCP client will put back with its lease, say) does not
                 * undo the addresses' move: said, and left. */
                if (k < 0 && k != -EEXIST)
                        log_warning_errno(k, "cannot move a route to link %d, leaving it: %m", to_ifindex);
        }
        crash_point("routes-moved");

        for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
                struct rtnl_addr *a = (struct rtnl_addr *)o;
                if (rtnl_addr_get_ifindex(a) != from_ifindex || !addr_is_movable(a))
                        continue;
                struct nl_msg *msg = NULL;
                k = rtnl_addr_build_delete_request(a, 0, &msg);
                k = acked(rtnl, k, msg);
                /* Already gone is what the delete was for: systemd-networkd
                 * drops a bond's addresses when it loses its last port, as
                 * it does when hnvctl remove hands them to the backup, and
                 * the remove failed on that race (networkd-static, once). */
                if (k < 0 && k != -EADDRNOTAVAIL && r == 0)
                        r = k;
        }
        return r;
}
