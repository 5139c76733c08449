/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <sys/epoll.h>

#include "link-msg.h"
#include "log.h"
#include "rtnl-internal.h"

/* 4 MiB: enough to absorb a burst of a few hundred link events (a 64-group
 * boot) without ENOBUFS. An overrun is still handled, by a full resync. */
#define RTNL_MONITOR_RCVBUF (4 * 1024 * 1024)
/* Datagrams read per wake-up (each may hold several messages). */
#define RTNL_MONITOR_BATCH 16

struct Rtnl {
        sd_event *event;
        sd_event_source *io;
        struct nl_sock *monitor;
        struct nl_sock *request;
        rtnl_link_handler_t on_link;
        rtnl_resync_handler_t on_resync;
        void *userdata;

        /* Where the request socket's message handler puts what it parsed. */
        LinkInfo *want_link;
        bool deliver;
};

/* want: where an answer to our own request goes; deliver: hand it to on_link. */
static void deliver_message(Rtnl *r, struct nl_msg *msg, LinkInfo *want, bool deliver) {
        struct nlmsghdr *h = nlmsg_hdr(msg);
        LinkInfo link;

        if (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK)
                return;
        if (link_message_parse(h, &link) < 0) {
                log_debug("rtnl: ignoring malformed link message");
                return;
        }
        if (want)
                *want = link;
        if (deliver && r->on_link)
                r->on_link(r, h->nlmsg_type == RTM_DELLINK, &link, r->userdata);
}

static int on_monitor_valid(struct nl_msg *msg, void *userdata) {
        Rtnl *r = userdata;
        deliver_message(r, msg, NULL, true);
        return NL_OK;
}

static int on_request_valid(struct nl_msg *msg, void *userdata) {
        Rtnl *r = userdata;
        deliver_message(r, msg, r->want_link, r->deliver);
        return NL_OK;
}

static int on_monitor_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Rtnl *r = userdata;

        /* A batch, not until the socket is empty: under a storm of link
         * events it never is, and the control socket, timers and udev would
         * wait behind us (root's hnvctl did, 10 s and more, in the storm
         * scenario). The fd stays readable, so sd-event comes back once the
         * sources that waited longer have had their turn. */
        for (unsigned i = 0; i < RTNL_MONITOR_BATCH; i++) {
                int n = nl_recvmsgs_default(r->monitor);
                if (n >= 0)
                        continue;
                if (n == -NLE_AGAIN)
                        return 0;
                if (n == -NLE_NOMEM) {
                        /* ENOBUFS: the kernel dropped events. Only a full dump
                         * tells us what is true now. */
                        log_warning("rtnl: monitor socket overran, resynchronising");
                        if (r->on_resync)
                                r->on_resync(r, r->userdata);
                        return 0;
                }
                log_warning("rtnl: receiving link events failed: %s", nl_geterror(n));
                return 0;
        }
        return 0;
}

Rtnl *rtnl_free(Rtnl *r) {
        if (!r)
                return NULL;
        sd_event_source_disable_unref(r->io);
        nl_socket_free(r->monitor);
        nl_socket_free(r->request);
        sd_event_unref(r->event);
        return mfree(r);
}

int rtnl_new(Rtnl **ret, sd_event *event, rtnl_link_handler_t on_link, rtnl_resync_handler_t on_resync,
             void *userdata) {
        _cleanup_(rtnl_freep) Rtnl *r = NULL;
        int k;

        r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        r->on_link = on_link;
        r->on_resync = on_resync;
        r->userdata = userdata;

        r->request = nl_socket_alloc();
        r->monitor = nl_socket_alloc();
        if (!r->request || !r->monitor)
                return -ENOMEM;

        k = nl_connect(r->request, NETLINK_ROUTE);
        if (k < 0)
                return log_error_errno(nl_error_to_errno(k), "rtnl: cannot open request socket: %s",
                                       nl_geterror(k));
        nl_socket_modify_cb(r->request, NL_CB_VALID, NL_CB_CUSTOM, on_request_valid, r);
        /* Our messages say themselves whether they want an ACK. libnl would
         * add one to every GETLINK too, and an ACK left unread behind the
         * answer desynchronises the next request. */
        nl_socket_disable_auto_ack(r->request);

        if (event) {
                /* Events carry no sequence numbers we sent. */
                nl_socket_disable_seq_check(r->monitor);
                nl_socket_modify_cb(r->monitor, NL_CB_VALID, NL_CB_CUSTOM, on_monitor_valid, r);
                k = nl_connect(r->monitor, NETLINK_ROUTE);
                if (k < 0)
                        return log_error_errno(nl_error_to_errno(k), "rtnl: cannot open monitor socket: %s",
                                               nl_geterror(k));
                k = nl_socket_add_membership(r->monitor, RTNLGRP_LINK);
                if (k < 0)
                        return log_error_errno(nl_error_to_errno(k), "rtnl: cannot join RTNLGRP_LINK: %s",
                                               nl_geterror(k));
                (void)nl_socket_set_buffer_size(r->monitor, RTNL_MONITOR_RCVBUF, 0);
                k = nl_socket_set_nonblocking(r->monitor);
                if (k < 0)
                        return nl_error_to_errno(k);

                r->event = sd_event_ref(event);
                k = sd_event_add_io(event, &r->io, nl_socket_get_fd(r->monitor), EPOLLIN, on_monitor_io, r);
                if (k < 0)
                        return k;
                (void)sd_event_source_set_description(r->io, "rtnl-monitor");
        }

        *ret = TAKE_PTR(r);
        return 0;
}

struct nl_sock *rtnl_request_socket(Rtnl *r) {
        return r->request;
}

int rtnl_call(Rtnl *r, struct nl_msg *msg) {
        int k;

        k = nl_send_auto(r->request, msg);
        if (k < 0)
                return nl_error_to_errno(k);
        k = nl_wait_for_ack(r->request);
        if (k < 0)
                return nl_error_to_errno(k);
        return 0;
}

/* Builds one message with build(), sends it and waits for the answer. */
#define REQUEST(r, build, ...)                                                                              \
        ({                                                                                                  \
                _cleanup_(nlmsg_freep) struct nl_msg *_m = NULL;                                            \
                int _k = build(&_m, __VA_ARGS__);                                                           \
                _k < 0 ? _k : rtnl_call(r, _m);                                                             \
        })

int rtnl_bond_create(Rtnl *r, const char *name, const BondOptions *o, const HwAddr *mac) {
        return REQUEST(r, link_msg_new_bond, name, o, mac);
}

int rtnl_bond_set_primary(Rtnl *r, int bond_ifindex, int port_ifindex) {
        return REQUEST(r, link_msg_bond_set_primary, bond_ifindex, port_ifindex);
}

int rtnl_bond_set_active(Rtnl *r, int bond_ifindex, int port_ifindex) {
        return REQUEST(r, link_msg_bond_set_active, bond_ifindex, port_ifindex);
}

int rtnl_bond_set_all_ports_active(Rtnl *r, int bond_ifindex, bool on) {
        return REQUEST(r, link_msg_bond_set_all_slaves_active, bond_ifindex, on);
}

int rtnl_delete_link(Rtnl *r, int ifindex) {
        return REQUEST(r, link_msg_delete, ifindex);
}

int rtnl_set_link_up(Rtnl *r, int ifindex, bool up) {
        return REQUEST(r, link_msg_set_up, ifindex, up);
}

int rtnl_set_master(Rtnl *r, int ifindex, int master_ifindex) {
        return REQUEST(r, link_msg_set_master, ifindex, master_ifindex);
}

int rtnl_set_link_address(Rtnl *r, int ifindex, const HwAddr *mac) {
        return REQUEST(r, link_msg_set_address, ifindex, mac);
}

/* Sends a GETLINK request and lets on_request_valid parse the answer(s). */
static int get_links(Rtnl *r, struct nl_msg *msg, LinkInfo *want, bool deliver) {
        int k;

        r->want_link = want;
        r->deliver = deliver;
        k = nl_send_auto(r->request, msg);
        if (k >= 0)
                k = nl_recvmsgs_default(r->request);
        r->want_link = NULL;
        r->deliver = false;
        return k < 0 ? nl_error_to_errno(k) : 0;
}

int rtnl_enumerate_links(Rtnl *r) {
        _cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
        int k;

        k = link_msg_dump_request(&msg);
        if (k < 0)
                return k;
        return get_links(r, msg, NULL, true);
}

static int get_link_request(struct nl_msg **ret, int ifindex, const char *name) {
        struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
        struct nl_msg *msg;

        msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_REQUEST);
        if (!msg)
                return -ENOMEM;
        if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
            (name && nla_put_string(msg, IFLA_IFNAME, name) < 0)) {
                nlmsg_free(msg);
                return -ENOMEM;
        }
        *ret = msg;
        return 0;
}

static int get_one(Rtnl *r, int ifindex, const char *name, LinkInfo *ret) {
        _cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
        LinkInfo link = {};
        int k;

        k = get_link_request(&msg, ifindex, name);
        if (k < 0)
                return k;
        k = get_links(r, msg, &link, false);
        if (k < 0)
                return k;
        if (link.ifindex <= 0)
                return -ENODEV;
        *ret = link;
        return 0;
}

int rtnl_get_link(Rtnl *r, int ifindex, LinkInfo *ret) {
        return get_one(r, ifindex, NULL, ret);
}

int rtnl_get_link_by_name(Rtnl *r, const char *name, LinkInfo *ret) {
        return get_one(r, 0, name, ret);
}
