/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "link-msg.h"
#include "log.h"
#include "rtnl-internal.h"
#include "util.h"

/* 4 MiB: enough to absorb a burst of a few thousand link events without
 * ENOBUFS. An overrun is still handled, by a full resync. */
#define RTNL_MONITOR_RCVBUF (4 * 1024 * 1024)
/* Datagrams read per wake-up (each may hold several messages). */
#define RTNL_MONITOR_BATCH 16
/* rtnl_process_pending's bound: what a reconcile of every group can have
 * caused, with room; a storm's remainder waits for the loop. */
#define RTNL_PENDING_MAX 1024
/* The kernel answers in microseconds; under rtnl_lock contention (a storm,
 * a bond being torn down) in milliseconds. A request that has no answer in
 * this long has failed, and the loop is not held longer. */
#define RTNL_REQUEST_TIMEOUT_USEC (10ULL * 1000000ULL)
/* A timed-out dump may still be running in the kernel: each read of what it
 * left behind makes the next part. Far more than any real dump has. */
#define RTNL_DRAIN_MAX 100000
/* One read takes a whole datagram: the kernel makes a dump's parts at most
 * 32 KiB, and a single link's message far less. libnl would otherwise peek
 * at each datagram for its size first, a second system call for every
 * read, and in a UML guest every system call is a trip through the host. */
#define RTNL_MSG_BUF (64 * 1024)

typedef enum Answer {
        ANSWER_ACK,  /* NLMSG_ERROR, 0 or an errno */
        ANSWER_LINK, /* one RTM_NEWLINK, or an error */
        ANSWER_DUMP, /* RTM_NEWLINKs up to NLMSG_DONE, or an error */
} Answer;

struct Rtnl {
        sd_event *event;
        sd_event_source *io;
        struct nl_sock *monitor;
        struct nl_sock *request;
        struct nl_cb *request_cb;
        rtnl_link_handler_t on_link;
        rtnl_resync_handler_t on_resync;
        void *userdata;
        uint64_t request_timeout_usec;

        /* The request in flight: its sequence number, what completes it, and
         * what came back so far. Answers with another sequence number are
         * the leftovers of a request that gave up, and are skipped. */
        uint32_t seq;
        Answer answer;
        bool done;
        bool interrupted; /* the kernel flagged the dump NLM_F_DUMP_INTR */
        /* A request gave up before its answer was complete, or the socket was
         * lent out (rtnl_request_socket): what is left on it is drained
         * before the next request, and only then. */
        bool unclean;
        int error;
        LinkInfo *links;
        size_t n_links, n_alloc;
};

static bool parse_link_message(struct nl_msg *msg, LinkInfo *ret) {
        struct nlmsghdr *h = nlmsg_hdr(msg);

        if (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK)
                return false;
        if (link_message_parse(h, ret) < 0) {
                log_debug("rtnl: ignoring malformed link message");
                return false;
        }
        return true;
}

static int on_monitor_valid(struct nl_msg *msg, void *userdata) {
        Rtnl *r = userdata;
        LinkInfo link;

        if (parse_link_message(msg, &link) && r->on_link)
                r->on_link(r, nlmsg_hdr(msg)->nlmsg_type == RTM_DELLINK, &link, r->userdata);
        return NL_OK;
}

/* ---- the request socket ------------------------------------------------ */

static int on_request_seq_check(struct nl_msg *msg, void *userdata) {
        Rtnl *r = userdata;
        uint32_t seq = nlmsg_hdr(msg)->nlmsg_seq;

        if (seq == r->seq)
                return NL_OK;
        log_debug("rtnl: skipping a stale answer (sequence %u, waiting for %u)", seq, r->seq);
        return NL_SKIP;
}

static int on_request_valid(struct nl_msg *msg, void *userdata) {
        Rtnl *r = userdata;
        LinkInfo link;

        if (r->answer == ANSWER_ACK)
                return NL_OK;
        if (parse_link_message(msg, &link)) {
                if (r->n_links == r->n_alloc) {
                        size_t n = r->n_alloc ? r->n_alloc * 2 : 64;
                        LinkInfo *a = reallocarray(r->links, n, sizeof(LinkInfo));
                        if (!a) {
                                r->error = -ENOMEM; /* read on to the end; the request fails */
                                return NL_OK;
                        }
                        r->links = a;
                        r->n_alloc = n;
                }
                r->links[r->n_links++] = link;
        }
        /* One link asked for: this is all of the answer, even malformed. */
        if (r->answer == ANSWER_LINK) {
                r->done = true;
                return NL_STOP;
        }
        return NL_OK;
}

/* NLMSG_ERROR with 0 (an ACK) or NLMSG_DONE: the answer is complete. */
static int on_request_end(struct nl_msg *msg, void *userdata) {
        Rtnl *r = userdata;
        r->done = true;
        return NL_STOP;
}

static int on_request_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *userdata) {
        Rtnl *r = userdata;
        r->done = true;
        r->error = e->error < 0 ? e->error : -EIO;
        return NL_STOP;
}

/* Throws away whatever a request that gave up left behind: answers that
 * arrived late, and the rest of a dump, which the kernel goes on making as
 * it is read. Without this the next request would read them as its own, or
 * be refused (EBUSY) while the old dump runs. */
static void drain(Rtnl *r) {
        int fd = nl_socket_get_fd(r->request);
        char b;
        unsigned n = 0;

        if (!r->unclean)
                return;
        r->unclean = false;
        while (n < RTNL_DRAIN_MAX && recv(fd, &b, sizeof(b), MSG_DONTWAIT | MSG_TRUNC) >= 0)
                n++;
        if (n > 0)
                log_debug("rtnl: dropped %u stale answer(s) on the request socket", n);
}

/* Sends msg and reads until its answer is complete. The answer's links are
 * left in r->links. Nothing is handed to anyone while the socket is read:
 * a handler that makes a request of its own would read this one's answer. */
static int transact(Rtnl *r, struct nl_msg *msg, Answer answer) {
        /* Set at the first read that does not complete the answer: most
         * answers come whole in one read, and the clock is a system call. */
        uint64_t deadline = 0;
        int k;

        drain(r);
        r->answer = answer;
        r->done = false;
        r->interrupted = false;
        r->error = 0;
        r->n_links = 0;
        k = nl_send_auto(r->request, msg);
        if (k < 0)
                return nl_error_to_errno(k);
        r->seq = nlmsg_hdr(msg)->nlmsg_seq;
        /* Until the answer is complete: a return before that leaves the
         * rest of it for the next request to drain. */
        r->unclean = true;

        while (!r->done) {
                k = nl_recvmsgs(r->request, r->request_cb);
                if (k == -NLE_DUMP_INTR)
                        r->interrupted = true;
                if (r->done)
                        break;
                uint64_t now = now_usec();
                if (deadline == 0)
                        deadline = now + r->request_timeout_usec;
                if (k == -NLE_AGAIN || now >= deadline) {
                        log_warning("rtnl: no answer from the kernel in %llu ms",
                                    (unsigned long long)(r->request_timeout_usec / 1000));
                        return -ETIMEDOUT;
                }
                if (k < 0 && k != -NLE_DUMP_INTR)
                        return nl_error_to_errno(k);
        }
        r->unclean = false;
        return r->error;
}

/* Hands on at most max datagrams of link events; stops early once the
 * socket is empty. */
static void read_monitor(Rtnl *r, unsigned max) {
        for (unsigned i = 0; i < max; i++) {
                int n = nl_recvmsgs_default(r->monitor);
                if (n >= 0)
                        continue;
                if (n == -NLE_AGAIN)
                        return;
                if (n == -NLE_NOMEM) {
                        /* ENOBUFS: the kernel dropped events. Only a full dump
                         * tells us what is true now. */
                        log_warning("rtnl: monitor socket overran, resynchronising");
                        if (r->on_resync)
                                r->on_resync(r, r->userdata);
                        return;
                }
                log_warning("rtnl: receiving link events failed: %s", nl_geterror(n));
                return;
        }
}

static int on_monitor_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        /* A batch, not until the socket is empty: under a storm of link
         * events it never is, and the control socket, timers and udev would
         * wait behind us (root's hnvctl did, 10 s and more, in the storm
         * scenario). The fd stays readable, so sd-event comes back once the
         * sources that waited longer have had their turn. */
        read_monitor(userdata, RTNL_MONITOR_BATCH);
        return 0;
}

void rtnl_process_pending(Rtnl *r) {
        if (r->monitor && r->event)
                read_monitor(r, RTNL_PENDING_MAX);
}

Rtnl *rtnl_free(Rtnl *r) {
        if (!r)
                return NULL;
        sd_event_source_disable_unref(r->io);
        nl_socket_free(r->monitor);
        nl_socket_free(r->request);
        nl_cb_put(r->request_cb);
        free(r->links);
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

        r->request_timeout_usec = RTNL_REQUEST_TIMEOUT_USEC;
        r->request = nl_socket_alloc();
        r->monitor = nl_socket_alloc();
        r->request_cb = nl_cb_alloc(NL_CB_DEFAULT);
        if (!r->request || !r->monitor || !r->request_cb)
                return -ENOMEM;

        k = nl_connect(r->request, NETLINK_ROUTE);
        if (k < 0)
                return log_error_errno(nl_error_to_errno(k), "rtnl: cannot open request socket: %s",
                                       nl_geterror(k));
        /* Our messages say themselves whether they want an ACK. libnl would
         * add one to every GETLINK too, and an ACK left unread behind the
         * answer desynchronises the next request. */
        nl_socket_disable_auto_ack(r->request);
        nl_socket_disable_msg_peek(r->request);
        k = nl_socket_set_msg_buf_size(r->request, RTNL_MSG_BUF);
        if (k < 0)
                return nl_error_to_errno(k);
        nl_cb_set(r->request_cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, on_request_seq_check, r);
        nl_cb_set(r->request_cb, NL_CB_VALID, NL_CB_CUSTOM, on_request_valid, r);
        nl_cb_set(r->request_cb, NL_CB_ACK, NL_CB_CUSTOM, on_request_end, r);
        nl_cb_set(r->request_cb, NL_CB_FINISH, NL_CB_CUSTOM, on_request_end, r);
        nl_cb_err(r->request_cb, NL_CB_CUSTOM, on_request_error, r);
        struct timeval tv = {.tv_sec = r->request_timeout_usec / 1000000,
                             .tv_usec = r->request_timeout_usec % 1000000};
        if (setsockopt(nl_socket_get_fd(r->request), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
                return log_error_errno(errno, "rtnl: cannot bound the request socket's reads: %m");

        if (event) {
                /* Events carry no sequence numbers we sent. */
                nl_socket_disable_seq_check(r->monitor);
                nl_socket_disable_msg_peek(r->monitor);
                k = nl_socket_set_msg_buf_size(r->monitor, RTNL_MSG_BUF);
                if (k < 0)
                        return nl_error_to_errno(k);
                nl_socket_modify_cb(r->monitor, NL_CB_VALID, NL_CB_CUSTOM, on_monitor_valid, r);
                k = nl_connect(r->monitor, NETLINK_ROUTE);
                if (k < 0)
                        return log_error_errno(nl_error_to_errno(k), "rtnl: cannot open monitor socket: %s",
                                               nl_geterror(k));
                k = nl_socket_add_membership(r->monitor, RTNLGRP_LINK);
                if (k < 0)
                        return log_error_errno(nl_error_to_errno(k), "rtnl: cannot join RTNLGRP_LINK: %s",
                                               nl_geterror(k));
                int fd = nl_socket_get_fd(r->monitor);
                /* Without it hnvd only works against the kernel's own
                 * switch when a port is unplugged: worth a warning, not a
                 * refusal to start. */
                k = link_msg_monitor_filter_attach(fd);
                if (k < 0)
                        log_warning_errno(
                                k,
                                "rtnl: cannot filter link events, a port's unplugging will wake hnvd: %m");
                /* FORCE: past net.core.rmem_max (208 KiB by default, a
                 * second of a storm), as hnvd runs with CAP_NET_ADMIN. */
                int size = RTNL_MONITOR_RCVBUF;
                if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
                        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
                k = nl_socket_set_nonblocking(r->monitor);
                if (k < 0)
                        return nl_error_to_errno(k);

                r->event = sd_event_ref(event);
                k = sd_event_add_io(event, &r->io, fd, EPOLLIN, on_monitor_io, r);
                if (k < 0)
                        return k;
                (void)sd_event_source_set_description(r->io, "rtnl-monitor");
        }

        *ret = TAKE_PTR(r);
        return 0;
}

struct nl_sock *rtnl_request_socket(Rtnl *r) {
        drain(r);
        /* libnl's own requests read their answers as they see fit. */
        r->unclean = true;
        return r->request;
}

void rtnl_set_request_timeout(Rtnl *r, uint64_t usec) {
        struct timeval tv = {.tv_sec = usec / 1000000, .tv_usec = usec % 1000000};

        r->request_timeout_usec = usec;
        (void)setsockopt(nl_socket_get_fd(r->request), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

int rtnl_call(Rtnl *r, struct nl_msg *msg) {
        return transact(r, msg, ANSWER_ACK);
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

int rtnl_enumerate_links(Rtnl *r) {
        _cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
        _cleanup_(freep) LinkInfo *links = NULL;
        size_t n;
        bool interrupted;
        int k;

        k = link_msg_dump_request(&msg);
        if (k < 0)
                return k;
        k = transact(r, msg, ANSWER_DUMP);
        if (k < 0)
                return k;
        interrupted = r->interrupted;
        /* The handlers may make requests of their own: they get the dump as
         * a copy of their own, taken off the socket's buffer. */
        links = TAKE_PTR(r->links);
        n = r->n_links;
        r->n_links = r->n_alloc = 0;
        for (size_t i = 0; i < n && r->on_link; i++)
                r->on_link(r, false, &links[i], r->userdata);
        return interrupted ? 1 : 0;
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
        int k;

        k = get_link_request(&msg, ifindex, name);
        if (k < 0)
                return k;
        k = transact(r, msg, ANSWER_LINK);
        if (k < 0)
                return k;
        if (r->n_links != 1 || r->links[0].ifindex <= 0)
                return -ENODEV;
        *ret = r->links[0];
        return 0;
}

int rtnl_get_link(Rtnl *r, int ifindex, LinkInfo *ret) {
        return get_one(r, ifindex, NULL, ret);
}

int rtnl_get_link_by_name(Rtnl *r, const char *name, LinkInfo *ret) {
        return get_one(r, 0, name, ret);
}
