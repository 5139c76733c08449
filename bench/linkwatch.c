/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * linkwatch: timestamps, on CLOCK_MONOTONIC, of what the kernel and udev say
 * about network links, for the failover benchmark.
 *
 *   linkwatch [--no-udev] [--rt PRIO]
 *
 * One process listening on its own sockets (rtnetlink RTNLGRP_LINK and, with
 * libudev, udevd's "udev" multicast group, the one hnvd listens to), so that
 * an event is stamped when it reaches a listener, not after a chain of
 * processes. hnvd's log uses the same clock. One line per event on stdout:
 *
 *   SECONDS ready realtime SECONDS   (CLOCK_REALTIME at the same moment)
 *   SECONDS mark N                    SIGUSR1 (the scenario's "now")
 *   SECONDS new IFNAME IFINDEX KIND   a link the kernel announced for the first time
 *   SECONDS del IFNAME IFINDEX
 *   SECONDS rename OLD NEW
 *   SECONDS carrier IFNAME 0|1        carrier changed
 *   SECONDS master IFNAME BOND|-      enslaved to BOND, or released
 *   SECONDS active BOND PORT|-        the bond's active port (IFLA_BOND_ACTIVE_SLAVE) changed
 *   SECONDS state PORT BOND active|backup   a bond port's state changed
 *   SECONDS udev ACTION IFNAME IFINDEX      udevd's event for a net device (rules and RUN done)
 *   SECONDS udevdb IFINDEX IFNAME     udevd wrote the device's database entry (rules done,
 *                                     properties final; RUN programs come after, then the event)
 *   SECONDS overrun                   the kernel dropped events (socket buffer full)
 *
 * With --rt it runs SCHED_FIFO: on a uniprocessor guest it is then the first
 * process to run after an event, so the stamp is when the event became
 * visible to user space rather than when the scheduler got round to us.
 *
 * Links that exist at start are learnt from a dump and not reported. Ends on
 * SIGTERM or SIGINT.
 */
#include <errno.h>
#include <libudev.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct LinkState {
        bool known;
        char name[IFNAMSIZ];
        char kind[16];
        int master;
        int carrier;
        int active;     /* bonds: the active port's ifindex, 0 for none */
        int port_state; /* bond ports: BOND_STATE_ACTIVE (0), BOND_STATE_BACKUP (1), -1 unknown */
} LinkState;

static LinkState *links;
static size_t n_links;
static unsigned marks;

static void stamp(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        printf("%lld.%06ld ", (long long)ts.tv_sec, ts.tv_nsec / 1000);
}

static LinkState *link_get(int ifindex) {
        if (ifindex <= 0)
                return NULL;
        if ((size_t)ifindex >= n_links) {
                size_t n = n_links ? n_links : 256;
                while (n <= (size_t)ifindex)
                        n *= 2;
                LinkState *a = realloc(links, n * sizeof(LinkState));
                if (!a) {
                        fprintf(stderr, "linkwatch: out of memory\n");
                        exit(1);
                }
                memset(a + n_links, 0, (n - n_links) * sizeof(LinkState));
                links = a;
                n_links = n;
        }
        return &links[ifindex];
}

static const char *name_of(int ifindex) {
        LinkState *l = ifindex > 0 && (size_t)ifindex < n_links ? &links[ifindex] : NULL;
        return l && l->known ? l->name : "?";
}

static void parse_nested(struct rtattr *tb[], int max, struct rtattr *rta, int len) {
        memset(tb, 0, sizeof(struct rtattr *) * (size_t)(max + 1));
        for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
                unsigned short type = rta->rta_type & NLA_TYPE_MASK;
                if (type <= max)
                        tb[type] = rta;
        }
}

static uint32_t rta_u32(const struct rtattr *a) {
        uint32_t v;
        memcpy(&v, RTA_DATA(a), sizeof(v));
        return v;
}

static void handle_link(const struct nlmsghdr *h, bool report) {
        const struct ifinfomsg *ifi = NLMSG_DATA(h);
        struct rtattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];
        int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*ifi));
        char name[IFNAMSIZ] = "", kind[16] = "", slave_kind[16] = "";
        int master = 0, carrier = -1, active = 0, port_state = -1;
        bool is_bond;
        LinkState *l;

        if (len < 0)
                return;
        parse_nested(tb, IFLA_MAX, IFLA_RTA(ifi), len);
        if (tb[IFLA_IFNAME])
                snprintf(name, sizeof(name), "%s", (const char *)RTA_DATA(tb[IFLA_IFNAME]));
        if (tb[IFLA_MASTER])
                master = (int)rta_u32(tb[IFLA_MASTER]);
        if (tb[IFLA_CARRIER])
                carrier = *(const uint8_t *)RTA_DATA(tb[IFLA_CARRIER]);
        if (tb[IFLA_LINKINFO]) {
                parse_nested(li, IFLA_INFO_MAX, RTA_DATA(tb[IFLA_LINKINFO]),
                             (int)RTA_PAYLOAD(tb[IFLA_LINKINFO]));
                if (li[IFLA_INFO_KIND])
                        snprintf(kind, sizeof(kind), "%s", (const char *)RTA_DATA(li[IFLA_INFO_KIND]));
                if (li[IFLA_INFO_SLAVE_KIND])
                        snprintf(slave_kind, sizeof(slave_kind), "%s",
                                 (const char *)RTA_DATA(li[IFLA_INFO_SLAVE_KIND]));
                if (strcmp(kind, "bond") == 0 && li[IFLA_INFO_DATA]) {
                        struct rtattr *bd[IFLA_BOND_MAX + 1];
                        parse_nested(bd, IFLA_BOND_MAX, RTA_DATA(li[IFLA_INFO_DATA]),
                                     (int)RTA_PAYLOAD(li[IFLA_INFO_DATA]));
                        if (bd[IFLA_BOND_ACTIVE_SLAVE])
                                active = (int)rta_u32(bd[IFLA_BOND_ACTIVE_SLAVE]);
                }
                if (strcmp(slave_kind, "bond") == 0 && li[IFLA_INFO_SLAVE_DATA]) {
                        struct rtattr *sd[IFLA_BOND_SLAVE_MAX + 1];
                        parse_nested(sd, IFLA_BOND_SLAVE_MAX, RTA_DATA(li[IFLA_INFO_SLAVE_DATA]),
                                     (int)RTA_PAYLOAD(li[IFLA_INFO_SLAVE_DATA]));
                        if (sd[IFLA_BOND_SLAVE_STATE])
                                port_state = *(const uint8_t *)RTA_DATA(sd[IFLA_BOND_SLAVE_STATE]);
                }
        }
        is_bond = strcmp(kind, "bond") == 0;

        l = link_get(ifi->ifi_index);
        if (!l)
                return;
        if (h->nlmsg_type == RTM_DELLINK) {
                if (report && l->known) {
                        stamp();
                        printf("del %s %d\n", l->name, ifi->ifi_index);
                }
                memset(l, 0, sizeof(*l));
                return;
        }

        if (!l->known) {
                l->known = true;
                snprintf(l->name, sizeof(l->name), "%s", name);
                snprintf(l->kind, sizeof(l->kind), "%s", kind[0] ? kind : "-");
                l->master = master;
                l->carrier = carrier;
                l->active = active;
                l->port_state = port_state;
                if (report) {
                        stamp();
                        printf("new %s %d %s\n", l->name, ifi->ifi_index, l->kind);
                        if (master > 0) {
                                stamp();
                                printf("master %s %s\n", l->name, name_of(master));
                        }
                        if (is_bond && active > 0) {
                                stamp();
                                printf("active %s %s\n", l->name, name_of(active));
                        }
                }
                return;
        }

        if (name[0] && strcmp(name, l->name) != 0) {
                if (report) {
                        stamp();
                        printf("rename %s %s\n", l->name, name);
                }
                snprintf(l->name, sizeof(l->name), "%s", name);
        }
        if (carrier >= 0 && carrier != l->carrier) {
                l->carrier = carrier;
                if (report) {
                        stamp();
                        printf("carrier %s %d\n", l->name, carrier);
                }
        }
        if (master != l->master) {
                l->master = master;
                if (report) {
                        stamp();
                        printf("master %s %s\n", l->name, master > 0 ? name_of(master) : "-");
                }
        }
        if (is_bond && active != l->active) {
                l->active = active;
                if (report) {
                        stamp();
                        printf("active %s %s\n", l->name, active > 0 ? name_of(active) : "-");
                }
        }
        if (port_state >= 0 && port_state != l->port_state) {
                l->port_state = port_state;
                if (report && master > 0) {
                        stamp();
                        printf("state %s %s %s\n", l->name, name_of(master),
                               port_state == 0 ? "active" : "backup");
                }
        }
}

/* Returns 1 when a dump ended (NLMSG_DONE), 0 otherwise, <0 on error. */
static int read_netlink(int fd, bool report) {
        static char buf[64 * 1024] __attribute__((aligned(NLMSG_ALIGNTO)));
        int done = 0;

        for (;;) {
                ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return done;
                        if (errno == ENOBUFS) {
                                stamp();
                                printf("overrun\n");
                                continue;
                        }
                        return -errno;
                }
                for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)n);
                     h = NLMSG_NEXT(h, n)) {
                        if (h->nlmsg_type == NLMSG_DONE)
                                done = 1;
                        else if (h->nlmsg_type == NLMSG_ERROR)
                                return -EIO;
                        else if (h->nlmsg_type == RTM_NEWLINK || h->nlmsg_type == RTM_DELLINK)
                                handle_link(h, report);
                }
        }
}

static int open_netlink(void) {
        struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = 1 << (RTNLGRP_LINK - 1)};
        int fd, size = 8 << 20;

        fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0)
                return -errno;
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
                (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                int k = -errno;
                close(fd);
                return k;
        }
        return fd;
}

static int dump_links(int fd) {
        struct {
                struct nlmsghdr h;
                struct ifinfomsg i;
        } req = {
                .h = {.nlmsg_len = sizeof(req),
                      .nlmsg_type = RTM_GETLINK,
                      .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
                      .nlmsg_seq = 1},
                .i = {.ifi_family = AF_UNSPEC},
        };
        struct pollfd p = {.fd = fd, .events = POLLIN};

        if (send(fd, &req, sizeof(req), 0) < 0)
                return -errno;
        for (int tries = 0; tries < 100; tries++) {
                int k = poll(&p, 1, 100);
                if (k < 0 && errno != EINTR)
                        return -errno;
                k = read_netlink(fd, false);
                if (k < 0)
                        return k;
                if (k > 0)
                        return 0;
        }
        return -ETIMEDOUT;
}

/* udevd writes /run/udev/data/n<ifindex> (to a temporary name, then renamed)
 * once the rules ran: from then on the device counts as initialized, which a
 * daemon querying udev's database can act on before the event goes out. The
 * number is an ifindex of any namespace (udevd handles the switch
 * namespace's devices too): match it with the new link's. */
static void handle_udevdb(int fd) {
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

        for (;;) {
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n <= 0)
                        return;
                for (char *p = buf; p < buf + n;) {
                        const struct inotify_event *e = (const struct inotify_event *)p;
                        char *end;
                        long ifindex;

                        p += sizeof(*e) + e->len;
                        if (e->len == 0 || e->name[0] != 'n')
                                continue;
                        ifindex = strtol(e->name + 1, &end, 10);
                        if (*end != '\0' || ifindex <= 0 || ifindex > INT32_MAX)
                                continue;
                        stamp();
                        printf("udevdb %ld %s\n", ifindex, name_of((int)ifindex));
                }
        }
}

static void handle_udev(struct udev_monitor *mon) {
        struct udev_device *d;

        while ((d = udev_monitor_receive_device(mon))) {
                const char *action = udev_device_get_action(d),
                           *ifindex = udev_device_get_property_value(d, "IFINDEX");
                stamp();
                printf("udev %s %s %s\n", action ? action : "?", udev_device_get_sysname(d),
                       ifindex ? ifindex : "0");
                udev_device_unref(d);
        }
}

int main(int argc, char *argv[]) {
        struct udev *udev = NULL;
        struct udev_monitor *mon = NULL;
        struct pollfd p[4];
        sigset_t mask;
        bool with_udev = true;
        int nlfd, sigfd, dbfd = -1, k, rt_prio = 0;

        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--no-udev") == 0)
                        with_udev = false;
                else if (strcmp(argv[i], "--rt") == 0 && i + 1 < argc) {
                        char *end;
                        long v = strtol(argv[++i], &end, 10);
                        if (*end != '\0' || v < 1 || v > 99) {
                                fprintf(stderr, "linkwatch: bad --rt '%s'\n", argv[i]);
                                return 2;
                        }
                        rt_prio = (int)v;
                } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
                        printf("linkwatch [--no-udev] [--rt PRIO]: timestamped link, bond and udev events "
                               "on stdout\n");
                        return 0;
                } else {
                        fprintf(stderr, "linkwatch: unknown argument '%s'\n", argv[i]);
                        return 2;
                }
        }
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (rt_prio > 0 &&
            sched_setscheduler(0, SCHED_FIFO, &(struct sched_param){.sched_priority = rt_prio}) < 0) {
                fprintf(stderr, "linkwatch: cannot switch to SCHED_FIFO %d: %m\n", rt_prio);
                return 1;
        }

        sigemptyset(&mask);
        sigaddset(&mask, SIGUSR1);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return 1;
        sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sigfd < 0) {
                fprintf(stderr, "linkwatch: signalfd: %m\n");
                return 1;
        }

        /* Subscribe first, then dump: nothing falls between the two. */
        nlfd = open_netlink();
        if (nlfd < 0) {
                fprintf(stderr, "linkwatch: rtnetlink: %s\n", strerror(-nlfd));
                return 1;
        }
        if (with_udev) {
                udev = udev_new();
                mon = udev ? udev_monitor_new_from_netlink(udev, "udev") : NULL;
                if (mon) {
                        (void)udev_monitor_set_receive_buffer_size(mon, 4 << 20);
                        (void)udev_monitor_filter_add_match_subsystem_devtype(mon, "net", NULL);
                        if (udev_monitor_enable_receiving(mon) < 0) {
                                udev_monitor_unref(mon);
                                mon = NULL;
                        }
                }
                if (!mon)
                        fprintf(stderr, "linkwatch: no udev monitor; udev events will not be reported\n");
                dbfd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
                if (dbfd >= 0 &&
                    inotify_add_watch(dbfd, "/run/udev/data", IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
                        fprintf(stderr, "linkwatch: cannot watch /run/udev/data: %m\n");
                        close(dbfd);
                        dbfd = -1;
                }
        }
        k = dump_links(nlfd);
        if (k < 0) {
                fprintf(stderr, "linkwatch: cannot dump links: %s\n", strerror(-k));
                return 1;
        }
        /* Both clocks at once, so that a script can turn its own
         * $EPOCHREALTIME into this clock without a process. */
        struct timespec rt;
        clock_gettime(CLOCK_REALTIME, &rt);
        stamp();
        printf("ready realtime %lld.%06ld\n", (long long)rt.tv_sec, rt.tv_nsec / 1000);

        p[0] = (struct pollfd){.fd = sigfd, .events = POLLIN};
        p[1] = (struct pollfd){.fd = nlfd, .events = POLLIN};
        p[2] = (struct pollfd){.fd = mon ? udev_monitor_get_fd(mon) : -1, .events = POLLIN};
        p[3] = (struct pollfd){.fd = dbfd, .events = POLLIN};
        for (;;) {
                k = poll(p, 4, -1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        fprintf(stderr, "linkwatch: poll: %m\n");
                        return 1;
                }
                /* Signals last: a mark raised after an event was read is
                 * printed after it. */
                if (p[3].revents)
                        handle_udevdb(dbfd);
                if (p[2].revents)
                        handle_udev(mon);
                if (p[1].revents) {
                        k = read_netlink(nlfd, true);
                        if (k < 0) {
                                fprintf(stderr, "linkwatch: rtnetlink: %s\n", strerror(-k));
                                return 1;
                        }
                }
                if (p[0].revents) {
                        struct signalfd_siginfo si;
                        while (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
                                if (si.ssi_signo == SIGUSR1) {
                                        stamp();
                                        printf("mark %u\n", ++marks);
                                } else {
                                        fflush(stdout);
                                        udev_monitor_unref(mon);
                                        udev_unref(udev);
                                        free(links);
                                        return 0;
                                }
                        }
                }
        }
}
