/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * udpflow: a paced UDP flow and its receiver, for measuring what a failover
 * costs the traffic that crosses it.
 *
 *   udpflow send --to ADDR:PORT [--rate PPS] [--duration S | --count N] ...
 *   udpflow recv --bind ADDR:PORT [--idle-timeout S] [--ready-file PATH] ...
 *
 * The sender sends sequence-numbered datagrams at a fixed rate, paced with
 * clock_nanosleep() on absolute CLOCK_MONOTONIC deadlines. When it wakes up
 * late it sends at once and re-anchors its schedule on the present: the slots
 * it missed are counted (late_slots), never made up for with a burst. The
 * sequence numbers stay consecutive, so a late sender never looks like loss.
 * At the end (after --duration or --count, or on SIGINT/SIGTERM) it sends
 * an end-of-stream marker carrying the number of data datagrams sent,
 * several times.
 *
 * The receiver ends on that marker (or, as a safety net, after a period
 * without any datagram, which it reports as such), never on a wall-clock
 * window, so loss at the very end of the flow is counted too: lost = sent -
 * received. It also counts duplicates and reordering and finds the longest
 * gap between two consecutive datagrams it received (the marker's arrival
 * counts as one, so an outage at the end is seen), with the sequence range
 * the gap covers, and lists the runs of missing numbers with the send time
 * of the datagram after each (CLOCK_MONOTONIC, to set beside other stamps
 * taken on the same kernel). Arrival times are the kernel's receive stamps
 * (SO_TIMESTAMPNS), so a receiver that is scheduled late, or that reads
 * only every --batch milliseconds, sees no gap that the network did not
 * make.
 *
 * Each prints one JSON line on stdout and, with --human, a summary on
 * stderr. --rt runs either SCHED_FIFO (for a sender: pacing that does not
 * depend on the scheduler's mood).
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define NSEC_PER_SEC  1000000000ULL
#define NSEC_PER_MSEC 1000000ULL
#define WIRE_MAGIC    0x484e5646U /* "HNVF" */
#define WIRE_DATA     1
#define WIRE_END      2
#define WIRE_HDR_LEN  32
#define MAX_PAYLOAD   9000
/* Sequence numbers above this are garbage, not a flow (2^27 datagrams is
 * more than 18 h at 2000/s; the bitmap for it is 16 MiB). */
#define SEQ_LIMIT (UINT64_C(1) << 27)

/* The datagram, in network byte order:
 *   u32 magic, u32 run id, u8 type, 3 bytes zero, u32 rate,
 *   u64 sequence (data) or number of data datagrams sent (end),
 *   u64 CLOCK_MONOTONIC send time in ns; then zero padding to --size. */
typedef struct Wire {
        uint32_t run_id;
        uint8_t type;
        uint32_t rate;
        uint64_t seq;
        uint64_t sent_ns;
} Wire;

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int sig) {
        stop_requested = sig;
}

static uint64_t now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static uint64_t realtime_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static struct timespec ns_to_timespec(uint64_t ns) {
        return (struct timespec){
                .tv_sec = (time_t)(ns / NSEC_PER_SEC),
                .tv_nsec = (long)(ns % NSEC_PER_SEC),
        };
}

static double ns_to_ms(uint64_t ns) {
        return (double)ns / (double)NSEC_PER_MSEC;
}

static void wire_encode(uint8_t *buf, const Wire *w) {
        uint32_t u32;
        uint64_t u64;

        memset(buf, 0, WIRE_HDR_LEN);
        u32 = htobe32(WIRE_MAGIC);
        memcpy(buf, &u32, 4);
        u32 = htobe32(w->run_id);
        memcpy(buf + 4, &u32, 4);
        buf[8] = w->type;
        u32 = htobe32(w->rate);
        memcpy(buf + 12, &u32, 4);
        u64 = htobe64(w->seq);
        memcpy(buf + 16, &u64, 8);
        u64 = htobe64(w->sent_ns);
        memcpy(buf + 24, &u64, 8);
}

static bool wire_decode(const uint8_t *buf, size_t len, Wire *ret) {
        uint32_t u32;
        uint64_t u64;

        if (len < WIRE_HDR_LEN)
                return false;
        memcpy(&u32, buf, 4);
        if (be32toh(u32) != WIRE_MAGIC)
                return false;
        memcpy(&u32, buf + 4, 4);
        ret->run_id = be32toh(u32);
        ret->type = buf[8];
        memcpy(&u32, buf + 12, 4);
        ret->rate = be32toh(u32);
        memcpy(&u64, buf + 16, 8);
        ret->seq = be64toh(u64);
        memcpy(&u64, buf + 24, 8);
        ret->sent_ns = be64toh(u64);
        return ret->type == WIRE_DATA || ret->type == WIRE_END;
}

/* ADDR:PORT, [ADDR]:PORT (IPv6) or, when port_optional, a bare ADDR. "*"
 * or an empty ADDR is the wildcard (IPv6 any, which takes IPv4 too). */
static int parse_endpoint(const char *s, bool port_optional, struct sockaddr_storage *ret,
                          socklen_t *ret_len) {
        char host[256] = "", port[16] = "0";
        const char *colon;
        struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV};
        struct addrinfo *ai = NULL;
        int r;

        if (s[0] == '[') {
                const char *close = strchr(s, ']');
                if (!close || (size_t)(close - s - 1) >= sizeof(host))
                        return -EINVAL;
                memcpy(host, s + 1, (size_t)(close - s - 1));
                if (close[1] == ':')
                        snprintf(port, sizeof(port), "%s", close + 2);
                else if (close[1] != '\0' || !port_optional)
                        return -EINVAL;
        } else {
                colon = strrchr(s, ':');
                /* More than one colon without brackets: a bare IPv6 address. */
                if (colon && strchr(s, ':') != colon)
                        colon = NULL;
                if (colon) {
                        if ((size_t)(colon - s) >= sizeof(host))
                                return -EINVAL;
                        memcpy(host, s, (size_t)(colon - s));
                        snprintf(port, sizeof(port), "%s", colon + 1);
                } else {
                        if (!port_optional || strlen(s) >= sizeof(host))
                                return -EINVAL;
                        snprintf(host, sizeof(host), "%s", s);
                }
        }
        char *end;
        errno = 0;
        unsigned long p = strtoul(port, &end, 10);
        if (errno != 0 || end == port || *end != '\0' || p > 65535 || (p == 0 && !port_optional))
                return -EINVAL;
        if (host[0] == '\0' || strcmp(host, "*") == 0) {
                struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ret;
                memset(ret, 0, sizeof(*ret));
                sin6->sin6_family = AF_INET6;
                sin6->sin6_addr = in6addr_any;
                sin6->sin6_port = htons((uint16_t)p);
                *ret_len = sizeof(*sin6);
                return 0;
        }
        r = getaddrinfo(host, port, &hints, &ai);
        if (r != 0 || !ai)
                return -EINVAL;
        memcpy(ret, ai->ai_addr, ai->ai_addrlen);
        *ret_len = ai->ai_addrlen;
        freeaddrinfo(ai);
        return 0;
}

static const char *endpoint_to_string(const struct sockaddr_storage *sa, char *buf, size_t size) {
        char host[INET6_ADDRSTRLEN] = "?";
        unsigned port = 0;

        if (sa->ss_family == AF_INET) {
                const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
                inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
                port = ntohs(sin->sin_port);
                snprintf(buf, size, "%s:%u", host, port);
        } else {
                const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
                inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
                port = ntohs(sin6->sin6_port);
                snprintf(buf, size, "[%s]:%u", host, port);
        }
        return buf;
}

/* A string safe to put between JSON quotes (labels are ours, but still). */
static void json_string(FILE *f, const char *s) {
        fputc('"', f);
        for (; s && *s; s++) {
                unsigned char c = (unsigned char)*s;
                if (c == '"' || c == '\\')
                        fprintf(f, "\\%c", c);
                else if (c < 0x20)
                        fprintf(f, "\\u%04x", c);
                else
                        fputc(c, f);
        }
        fputc('"', f);
}

static int parse_seconds(const char *s, uint64_t *ret_ns) {
        char *end;
        double v;

        errno = 0;
        v = strtod(s, &end);
        if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 86400.0 * 365)
                return -EINVAL;
        *ret_ns = (uint64_t)(v * (double)NSEC_PER_SEC + 0.5);
        return 0;
}

static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *ret) {
        char *end;
        unsigned long long v;

        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < min || v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

static int open_socket(int family, const char *dev) {
        int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
        if (fd < 0) {
                fprintf(stderr, "udpflow: socket: %m\n");
                return -1;
        }
        if (dev && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, (socklen_t)strlen(dev) + 1) < 0) {
                fprintf(stderr, "udpflow: cannot bind to device %s: %m\n", dev);
                close(fd);
                return -1;
        }
        return fd;
}

static void set_buffer(int fd, int force_opt, int opt, int bytes) {
        /* The FORCE variant (root) goes beyond rmem_max/wmem_max. */
        if (setsockopt(fd, SOL_SOCKET, force_opt, &bytes, sizeof(bytes)) < 0)
                (void)setsockopt(fd, SOL_SOCKET, opt, &bytes, sizeof(bytes));
}

/* SCHED_FIFO: the flow is instrumentation, and a sender that the scheduler
 * wakes late paces badly and a receiver that it wakes late stamps late. */
static int set_realtime(int prio) {
        struct sched_param sp = {.sched_priority = prio};

        if (prio <= 0)
                return 0;
        if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0) {
                fprintf(stderr, "udpflow: cannot switch to SCHED_FIFO %d: %m\n", prio);
                return -errno;
        }
        return 0;
}

static void install_signals(void) {
        struct sigaction sa = {.sa_handler = on_signal};
        sigemptyset(&sa.sa_mask);
        /* No SA_RESTART: a signal must interrupt the sleep or the poll. */
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
}

/* ---- sender ------------------------------------------------------------ */

typedef struct SendOptions {
        struct sockaddr_storage to, from;
        socklen_t to_len, from_len;
        const char *to_str, *dev, *label;
        uint64_t rate, count, duration_ns, size, end_copies, end_interval_ns;
        int rt_prio;
        bool human;
} SendOptions;

static int send_one(int fd, const SendOptions *o, uint8_t *buf, const Wire *w) {
        wire_encode(buf, w);
        for (;;) {
                ssize_t n =
                        sendto(fd, buf, o->size, MSG_DONTWAIT, (const struct sockaddr *)&o->to, o->to_len);
                if (n >= 0)
                        return 0;
                if (errno == EINTR && !stop_requested)
                        continue;
                return -errno;
        }
}

static void sleep_until(uint64_t deadline_ns) {
        struct timespec ts = ns_to_timespec(deadline_ns);
        while (!stop_requested && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
                ;
}

static int run_sender(const SendOptions *o) {
        uint8_t buf[MAX_PAYLOAD] = {};
        uint64_t period = NSEC_PER_SEC / o->rate, start, next, end, seq = 0, errors = 0, late_slots = 0,
                 max_late = 0, last_errno = 0, t_end;
        uint32_t run_id;
        char to[128];
        int fd;

        if (getrandom(&run_id, sizeof(run_id), 0) != sizeof(run_id))
                run_id = (uint32_t)now_ns() ^ (uint32_t)getpid();

        fd = open_socket(o->to.ss_family, o->dev);
        if (fd < 0)
                return 1;
        set_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, 1 << 20);
        if (o->from_len > 0 && bind(fd, (const struct sockaddr *)&o->from, o->from_len) < 0) {
                fprintf(stderr, "udpflow: cannot bind the sender: %m\n");
                close(fd);
                return 1;
        }
        install_signals();
        if (set_realtime(o->rt_prio) < 0) {
                close(fd);
                return 1;
        }

        start = next = now_ns();
        end = o->duration_ns > 0 ? start + o->duration_ns : UINT64_MAX;
        while (!stop_requested && (o->count == 0 || seq < o->count) && next < end) {
                uint64_t t, late;
                int k;

                sleep_until(next);
                if (stop_requested)
                        break;
                t = now_ns();
                k = send_one(fd, o, buf,
                             &(Wire){.run_id = run_id,
                                     .type = WIRE_DATA,
                                     .rate = (uint32_t)o->rate,
                                     .seq = seq,
                                     .sent_ns = t});
                if (k < 0) {
                        /* Counted and given its number anyway: a datagram
                         * the stack would not take is lost to the receiver
                         * like any other. */
                        errors++;
                        last_errno = (uint64_t)-k;
                }
                seq++;
                late = t > next ? t - next : 0;
                if (late > max_late)
                        max_late = late;
                if (late >= period) {
                        /* Woken up a slot or more late: send the next one a
                         * full period from now rather than the missed ones
                         * in a burst. */
                        late_slots += late / period;
                        next = t + period;
                } else
                        next += period;
        }
        t_end = now_ns();

        /* The end-of-stream marker: several copies, spaced so that one short
         * outage cannot take them all. */
        for (uint64_t i = 0; i < o->end_copies; i++) {
                if (i > 0) {
                        struct timespec ts = ns_to_timespec(o->end_interval_ns);
                        nanosleep(&ts, NULL);
                }
                (void)send_one(fd, o, buf,
                               &(Wire){.run_id = run_id,
                                       .type = WIRE_END,
                                       .rate = (uint32_t)o->rate,
                                       .seq = seq,
                                       .sent_ns = now_ns()});
        }
        close(fd);

        endpoint_to_string(&o->to, to, sizeof(to));
        printf("{\"role\":\"sender\",\"label\":");
        json_string(stdout, o->label);
        printf(",\"to\":");
        json_string(stdout, to);
        printf(",\"run_id\":%" PRIu32 ",\"rate\":%" PRIu64 ",\"sent\":%" PRIu64 ",\"send_errors\":%" PRIu64
               ",\"last_errno\":%" PRIu64 ",\"late_slots\":%" PRIu64
               ",\"max_late_ms\":%.3f,\"duration_s\":%.3f"
               ",\"interrupted\":%s}\n",
               run_id, o->rate, seq, errors, last_errno, late_slots, ns_to_ms(max_late),
               (double)(t_end - start) / (double)NSEC_PER_SEC, stop_requested ? "true" : "false");
        fflush(stdout);
        if (o->human)
                fprintf(stderr,
                        "udpflow send %s: %" PRIu64 " datagrams to %s in %.2f s (%" PRIu64
                        " refused by the stack, %" PRIu64 " slots late, worst %.1f ms late)\n",
                        o->label, seq, to, (double)(t_end - start) / (double)NSEC_PER_SEC, errors,
                        late_slots, ns_to_ms(max_late));
        return 0;
}

/* ---- receiver ---------------------------------------------------------- */

typedef struct RecvOptions {
        struct sockaddr_storage bind;
        socklen_t bind_len;
        const char *dev, *label, *ready_file;
        uint64_t idle_ns, start_ns, batch_ns;
        int rt_prio;
        bool human;
} RecvOptions;

typedef struct Bitmap {
        uint64_t *words;
        size_t n_words;
} Bitmap;

/* Marks bit i; returns 1 if it was already set, 0 if not, <0 on ENOMEM. */
static int bitmap_test_and_set(Bitmap *b, uint64_t i) {
        size_t w = (size_t)(i / 64);
        uint64_t bit = UINT64_C(1) << (i % 64);

        if (w >= b->n_words) {
                size_t n = b->n_words ? b->n_words : 1024;
                while (n <= w)
                        n *= 2;
                uint64_t *a = realloc(b->words, n * sizeof(uint64_t));
                if (!a)
                        return -ENOMEM;
                memset(a + b->n_words, 0, (n - b->n_words) * sizeof(uint64_t));
                b->words = a;
                b->n_words = n;
        }
        if (b->words[w] & bit)
                return 1;
        b->words[w] |= bit;
        return 0;
}

/* A run of sequence numbers missing when a later datagram arrived, and the
 * send time of that datagram (CLOCK_MONOTONIC: on the same kernel, comparable
 * with the stamps of other tools and of hnvd's log). */
typedef struct Hole {
        uint64_t from, to, next_sent_ns;
} Hole;

#define MAX_HOLES 16

typedef struct RecvStats {
        Hole holes[MAX_HOLES];
        size_t n_holes;
        bool holes_truncated;
        bool locked, have_prev, got_end;
        uint32_t run_id, rate;
        uint64_t received, duplicates, reordered, foreign, drops, max_seq, first_seq;
        uint64_t end_sent;
        uint64_t first_ns, last_ns, prev_ns, prev_sent_ns, prev_seq;
        uint64_t max_gap_ns, gap_from, gap_to;
        bool gap_to_end;
        uint64_t max_send_gap_ns, max_delay_ns;
        uint64_t user_stamps;
} RecvStats;

static void note_hole(RecvStats *s, uint64_t from, uint64_t to, uint64_t next_sent_ns) {
        if (s->n_holes >= MAX_HOLES) {
                s->holes_truncated = true;
                return;
        }
        s->holes[s->n_holes++] = (Hole){.from = from, .to = to, .next_sent_ns = next_sent_ns};
}

static bool bitmap_test(const Bitmap *b, uint64_t i) {
        size_t w = (size_t)(i / 64);
        return w < b->n_words && (b->words[w] & (UINT64_C(1) << (i % 64)));
}

static void note_gap(RecvStats *s, uint64_t t, uint64_t to_seq, bool to_end) {
        if (s->have_prev && t > s->prev_ns && t - s->prev_ns > s->max_gap_ns) {
                s->max_gap_ns = t - s->prev_ns;
                s->gap_from = s->prev_seq;
                s->gap_to = to_seq;
                s->gap_to_end = to_end;
        }
}

static int run_receiver(const RecvOptions *o) {
        _Alignas(uint64_t) uint8_t buf[MAX_PAYLOAD + 64];
        char cbuf[CMSG_SPACE(sizeof(uint32_t)) + CMSG_SPACE(sizeof(struct timespec)) + 64];
        RecvStats s = {};
        Bitmap seen = {};
        const char *end_reason = "signal";
        char bound[128];
        uint64_t t_start, t_stop, rt_offset;
        int fd, one = 1;

        fd = open_socket(o->bind.ss_family, o->dev);
        if (fd < 0)
                return 1;
        set_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, 4 << 20);
        /* The socket's own drop counter (receive buffer full) arrives with
         * every datagram: loss in this process, not in the network. */
        (void)setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
        /* Arrival is the kernel's receive stamp, not when this process got
         * round to reading: scheduling delays here are no outage. The stamp
         * is CLOCK_REALTIME; it is mapped to CLOCK_MONOTONIC with the offset
         * between the two taken at start (nothing sets the clock during a
         * run in the benchmark's guest). */
        (void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
        if (o->bind.ss_family == AF_INET6) {
                int zero = 0;
                (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
        }
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, (const struct sockaddr *)&o->bind, o->bind_len) < 0) {
                fprintf(stderr, "udpflow: cannot bind to %s: %m\n",
                        endpoint_to_string(&o->bind, bound, sizeof(bound)));
                close(fd);
                return 1;
        }
        endpoint_to_string(&o->bind, bound, sizeof(bound));
        install_signals();
        if (set_realtime(o->rt_prio) < 0) {
                close(fd);
                return 1;
        }

        if (o->ready_file) {
                FILE *f = fopen(o->ready_file, "we");
                if (!f) {
                        fprintf(stderr, "udpflow: cannot create %s: %m\n", o->ready_file);
                        close(fd);
                        return 1;
                }
                fprintf(f, "%d\n", (int)getpid());
                fclose(f);
        }

        t_start = now_ns();
        rt_offset = realtime_ns() - t_start;
        while (!stop_requested) {
                struct pollfd p = {.fd = fd, .events = POLLIN};
                uint64_t t = now_ns(), since = s.received > 0 ? s.last_ns : t_start;
                uint64_t limit = s.received > 0 ? o->idle_ns : o->start_ns;
                int timeout_ms, k;

                if (since > t)
                        since = t;
                if (t - since >= limit) {
                        end_reason = s.received > 0 ? "idle-timeout" : "no-data";
                        break;
                }
                timeout_ms = (int)((limit - (t - since) + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
                k = poll(&p, 1, timeout_ms);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        fprintf(stderr, "udpflow: poll: %m\n");
                        end_reason = "error";
                        break;
                }
                if (k == 0)
                        continue;

                /* Drain what is queued before polling again. */
                for (;;) {
                        struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
                        struct msghdr mh = {.msg_iov = &iov,
                                            .msg_iovlen = 1,
                                            .msg_control = cbuf,
                                            .msg_controllen = sizeof(cbuf)};
                        ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);
                        Wire w;

                        if (n < 0)
                                break;
                        t = 0;
                        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
                                        uint32_t d;
                                        memcpy(&d, CMSG_DATA(c), sizeof(d));
                                        s.drops = d;
                                } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                                        struct timespec ts;
                                        memcpy(&ts, CMSG_DATA(c), sizeof(ts));
                                        uint64_t rt =
                                                (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
                                        if (rt > rt_offset)
                                                t = rt - rt_offset;
                                }
                        if (t == 0) {
                                t = now_ns();
                                s.user_stamps++;
                        }
                        if (!wire_decode(buf, (size_t)n, &w)) {
                                s.foreign++;
                                continue;
                        }
                        if (!s.locked) {
                                s.locked = true;
                                s.run_id = w.run_id;
                                s.rate = w.rate;
                        } else if (w.run_id != s.run_id) {
                                /* Another flow (a previous run's marker). */
                                s.foreign++;
                                continue;
                        }
                        if (w.type == WIRE_END) {
                                s.got_end = true;
                                s.end_sent = w.seq;
                                /* Lost at the very end, after the last one received. */
                                if (s.received > 0 && w.seq > s.max_seq + 1)
                                        note_hole(&s, s.max_seq + 1, w.seq - 1, w.sent_ns);
                                else if (s.received == 0 && w.seq > 0)
                                        note_hole(&s, 0, w.seq - 1, w.sent_ns);
                                note_gap(&s, t, w.seq, true);
                                end_reason = "marker";
                                goto done;
                        }
                        if (w.seq >= SEQ_LIMIT) {
                                s.foreign++;
                                continue;
                        }
                        k = bitmap_test_and_set(&seen, w.seq);
                        if (k < 0) {
                                fprintf(stderr, "udpflow: out of memory\n");
                                end_reason = "error";
                                goto done;
                        }
                        if (k > 0) {
                                s.duplicates++;
                                continue;
                        }
                        if (s.received == 0) {
                                s.first_ns = t;
                                s.first_seq = w.seq;
                                if (w.seq > 0)
                                        note_hole(&s, 0, w.seq - 1, w.sent_ns);
                        } else if (w.seq < s.max_seq)
                                s.reordered++;
                        else if (w.seq > s.max_seq + 1)
                                note_hole(&s, s.max_seq + 1, w.seq - 1, w.sent_ns);
                        note_gap(&s, t, w.seq, false);
                        if (s.have_prev && w.sent_ns > s.prev_sent_ns &&
                            w.sent_ns - s.prev_sent_ns > s.max_send_gap_ns)
                                s.max_send_gap_ns = w.sent_ns - s.prev_sent_ns;
                        /* Sender and receiver share CLOCK_MONOTONIC only on
                         * the same kernel (network namespaces do): then this
                         * is the one-way delay. */
                        if (t > w.sent_ns && t - w.sent_ns > s.max_delay_ns)
                                s.max_delay_ns = t - w.sent_ns;
                        if (s.received == 0 || w.seq > s.max_seq)
                                s.max_seq = w.seq;
                        s.received++;
                        s.have_prev = true;
                        s.prev_ns = s.last_ns = t;
                        s.prev_sent_ns = w.sent_ns;
                        s.prev_seq = w.seq;
                }
                /* With --batch, read what queued up every so often instead
                 * of waking up for each datagram (the stamps are the
                 * kernel's, so this costs no precision, only wakeups). */
                if (o->batch_ns > 0) {
                        struct timespec ts = ns_to_timespec(o->batch_ns);
                        nanosleep(&ts, NULL);
                }
        }
done:
        t_stop = now_ns();
        close(fd);

        /* With the marker, the sender's own count; without it, what the
         * sequence numbers prove (a lower bound: the tail is unknown). */
        bool known = s.got_end;
        uint64_t expected = s.got_end ? s.end_sent : (s.received > 0 ? s.max_seq + 1 : 0);
        uint64_t lost = expected > s.received ? expected - s.received : 0;

        printf("{\"role\":\"receiver\",\"label\":");
        json_string(stdout, o->label);
        printf(",\"bind\":");
        json_string(stdout, bound);
        printf(",\"end\":\"%s\",\"run_id\":%" PRIu32 ",\"rate\":%" PRIu32, end_reason, s.run_id, s.rate);
        if (known)
                printf(",\"sent\":%" PRIu64, s.end_sent);
        else
                printf(",\"sent\":null");
        printf(",\"received\":%" PRIu64 ",\"lost\":%" PRIu64
               ",\"lost_is_lower_bound\":%s,\"duplicates\":%" PRIu64 ",\"reordered\":%" PRIu64
               ",\"foreign\":%" PRIu64 ",\"socket_drops\":%" PRIu64,
               s.received, lost, known ? "false" : "true", s.duplicates, s.reordered, s.foreign, s.drops);
        if (s.max_gap_ns > 0)
                printf(",\"max_gap_ms\":%.3f,\"max_gap_from_seq\":%" PRIu64 ",\"max_gap_to_seq\":%" PRIu64
                       ",\"max_gap_to_end\":%s",
                       ns_to_ms(s.max_gap_ns), s.gap_from, s.gap_to, s.gap_to_end ? "true" : "false");
        else
                printf(",\"max_gap_ms\":null,\"max_gap_from_seq\":null,\"max_gap_to_seq\":null"
                       ",\"max_gap_to_end\":false");
        if (s.received > 1)
                printf(",\"max_send_gap_ms\":%.3f", ns_to_ms(s.max_send_gap_ns));
        else
                printf(",\"max_send_gap_ms\":null");
        if (s.received > 0)
                printf(",\"max_delay_ms\":%.3f,\"first_seq\":%" PRIu64 ",\"max_seq\":%" PRIu64
                       ",\"active_s\":%.3f,\"first_s\":%.6f,\"last_s\":%.6f",
                       ns_to_ms(s.max_delay_ns), s.first_seq, s.max_seq,
                       (double)(s.last_ns - s.first_ns) / (double)NSEC_PER_SEC,
                       (double)s.first_ns / (double)NSEC_PER_SEC, (double)s.last_ns / (double)NSEC_PER_SEC);
        else
                printf(",\"max_delay_ms\":null,\"first_seq\":null,\"max_seq\":null,\"active_s\":0"
                       ",\"first_s\":null,\"last_s\":null");
        printf(",\"stamps\":\"%s\"", s.user_stamps == 0            ? "kernel"
                                     : s.user_stamps == s.received ? "user"
                                                                   : "mixed");
        /* Where the loss was: the runs of missing numbers that reordering
         * did not fill in later. */
        printf(",\"holes\":[");
        bool first = true;
        for (size_t i = 0; i < s.n_holes; i++) {
                uint64_t missing = 0;
                for (uint64_t q = s.holes[i].from; q <= s.holes[i].to; q++)
                        if (!bitmap_test(&seen, q))
                                missing++;
                if (missing == 0)
                        continue;
                printf("%s{\"from\":%" PRIu64 ",\"to\":%" PRIu64 ",\"missing\":%" PRIu64
                       ",\"next_sent_s\":%.6f}",
                       first ? "" : ",", s.holes[i].from, s.holes[i].to, missing,
                       (double)s.holes[i].next_sent_ns / (double)NSEC_PER_SEC);
                first = false;
        }
        printf("],\"holes_truncated\":%s", s.holes_truncated ? "true" : "false");
        free(seen.words);
        printf(",\"duration_s\":%.3f}\n", (double)(t_stop - t_start) / (double)NSEC_PER_SEC);
        fflush(stdout);

        if (o->human) {
                fprintf(stderr, "udpflow recv %s: %" PRIu64 " received", o->label, s.received);
                if (known)
                        fprintf(stderr, " of %" PRIu64 ", %" PRIu64 " lost", s.end_sent, lost);
                else
                        fprintf(stderr, ", at least %" PRIu64 " lost", lost);
                fprintf(stderr, ", %" PRIu64 " duplicates, %" PRIu64 " reordered", s.duplicates,
                        s.reordered);
                if (s.max_gap_ns > 0)
                        fprintf(stderr, ", longest gap %.1f ms (seq %" PRIu64 "..%" PRIu64 "%s)",
                                ns_to_ms(s.max_gap_ns), s.gap_from, s.gap_to, s.gap_to_end ? ", end" : "");
                fprintf(stderr, "; ended on %s\n", end_reason);
        }
        return 0;
}

/* ---- command line ------------------------------------------------------ */

static void usage(FILE *f) {
        fprintf(f,
                "udpflow send --to ADDR:PORT [OPTIONS]   a paced, numbered UDP flow\n"
                "udpflow recv --bind ADDR:PORT [OPTIONS] its receiver; ends on the end-of-stream marker\n"
                "\n"
                "Both:\n"
                "  --dev IFNAME           SO_BINDTODEVICE\n"
                "  --label TEXT           a name for the JSON line and the summary\n"
                "  --human                a one-line summary on stderr as well\n"
                "  --rt PRIO              run SCHED_FIFO at PRIO (1-99; root)\n"
                "send:\n"
                "  --to ADDR:PORT         destination ([ADDR]:PORT for IPv6)\n"
                "  --bind ADDR[:PORT]     source address\n"
                "  --rate PPS             datagrams per second (default 2000)\n"
                "  --duration SECONDS     how long to send (default 10 unless --count)\n"
                "  --count N              how many data datagrams to send\n"
                "  --size BYTES           datagram payload size (default 64, min %d)\n"
                "  --end-copies N         copies of the end-of-stream marker (default 5)\n"
                "  --end-interval MS      spacing of those copies (default 10)\n"
                "recv:\n"
                "  --bind ADDR:PORT       where to listen (*:PORT for any address)\n"
                "  --idle-timeout SECONDS end after this long without a datagram (default 5)\n"
                "  --start-timeout SECONDS  ... or without a first one (default 30)\n"
                "  --ready-file PATH      created (with the pid) once the socket is bound\n"
                "  --batch MS             read every MS milliseconds rather than waking per datagram\n",
                WIRE_HDR_LEN);
}

enum {
        OPT_TO = 256,
        OPT_BIND,
        OPT_DEV,
        OPT_RATE,
        OPT_DURATION,
        OPT_COUNT,
        OPT_SIZE,
        OPT_END_COPIES,
        OPT_END_INTERVAL,
        OPT_IDLE,
        OPT_START,
        OPT_READY,
        OPT_BATCH,
        OPT_LABEL,
        OPT_HUMAN,
        OPT_RT,
        OPT_HELP,
};

int main(int argc, char *argv[]) {
        static const struct option options[] = {{"to", required_argument, NULL, OPT_TO},
                                                {"bind", required_argument, NULL, OPT_BIND},
                                                {"dev", required_argument, NULL, OPT_DEV},
                                                {"rate", required_argument, NULL, OPT_RATE},
                                                {"duration", required_argument, NULL, OPT_DURATION},
                                                {"count", required_argument, NULL, OPT_COUNT},
                                                {"size", required_argument, NULL, OPT_SIZE},
                                                {"end-copies", required_argument, NULL, OPT_END_COPIES},
                                                {"end-interval", required_argument, NULL, OPT_END_INTERVAL},
                                                {"idle-timeout", required_argument, NULL, OPT_IDLE},
                                                {"start-timeout", required_argument, NULL, OPT_START},
                                                {"ready-file", required_argument, NULL, OPT_READY},
                                                {"batch", required_argument, NULL, OPT_BATCH},
                                                {"label", required_argument, NULL, OPT_LABEL},
                                                {"human", no_argument, NULL, OPT_HUMAN},
                                                {"rt", required_argument, NULL, OPT_RT},
                                                {"help", no_argument, NULL, OPT_HELP},
                                                {}};
        SendOptions so = {
                .rate = 2000,
                .size = 64,
                .end_copies = 5,
                .end_interval_ns = 10 * NSEC_PER_MSEC,
                .label = "",
        };
        RecvOptions ro = {
                .idle_ns = 5 * NSEC_PER_SEC,
                .start_ns = 30 * NSEC_PER_SEC,
                .label = "",
        };
        const char *bind_str = NULL;
        bool sender;
        int c;

        if (argc < 2) {
                usage(stderr);
                return 2;
        }
        if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
                usage(stdout);
                return 0;
        }
        if (strcmp(argv[1], "send") == 0)
                sender = true;
        else if (strcmp(argv[1], "recv") == 0)
                sender = false;
        else {
                fprintf(stderr, "udpflow: the first argument is send or recv, not '%s'\n", argv[1]);
                return 2;
        }
        argv++;
        argc--;

#define BAD(what)                                                                                           \
        do {                                                                                                \
                fprintf(stderr, "udpflow: bad %s '%s'\n", what, optarg);                                    \
                return 2;                                                                                   \
        } while (0)

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case OPT_TO:
                        so.to_str = optarg;
                        if (parse_endpoint(optarg, false, &so.to, &so.to_len) < 0)
                                BAD("--to");
                        break;
                case OPT_BIND:
                        bind_str = optarg;
                        break;
                case OPT_DEV:
                        if (strlen(optarg) >= IFNAMSIZ)
                                BAD("--dev");
                        so.dev = ro.dev = optarg;
                        break;
                case OPT_RATE:
                        if (parse_u64(optarg, 1, 1000000, &so.rate) < 0)
                                BAD("--rate");
                        break;
                case OPT_DURATION:
                        if (parse_seconds(optarg, &so.duration_ns) < 0 || so.duration_ns == 0)
                                BAD("--duration");
                        break;
                case OPT_COUNT:
                        if (parse_u64(optarg, 1, SEQ_LIMIT - 1, &so.count) < 0)
                                BAD("--count");
                        break;
                case OPT_SIZE:
                        if (parse_u64(optarg, WIRE_HDR_LEN, MAX_PAYLOAD, &so.size) < 0)
                                BAD("--size");
                        break;
                case OPT_END_COPIES:
                        if (parse_u64(optarg, 1, 1000, &so.end_copies) < 0)
                                BAD("--end-copies");
                        break;
                case OPT_END_INTERVAL: {
                        uint64_t ms;
                        if (parse_u64(optarg, 0, 10000, &ms) < 0)
                                BAD("--end-interval");
                        so.end_interval_ns = ms * NSEC_PER_MSEC;
                        break;
                }
                case OPT_IDLE:
                        if (parse_seconds(optarg, &ro.idle_ns) < 0 || ro.idle_ns == 0)
                                BAD("--idle-timeout");
                        break;
                case OPT_START:
                        if (parse_seconds(optarg, &ro.start_ns) < 0 || ro.start_ns == 0)
                                BAD("--start-timeout");
                        break;
                case OPT_READY:
                        ro.ready_file = optarg;
                        break;
                case OPT_BATCH: {
                        uint64_t ms;
                        if (parse_u64(optarg, 0, 1000, &ms) < 0)
                                BAD("--batch");
                        ro.batch_ns = ms * NSEC_PER_MSEC;
                        break;
                }
                case OPT_LABEL:
                        so.label = ro.label = optarg;
                        break;
                case OPT_HUMAN:
                        so.human = ro.human = true;
                        break;
                case OPT_RT: {
                        uint64_t prio;
                        if (parse_u64(optarg, 1, 99, &prio) < 0)
                                BAD("--rt");
                        so.rt_prio = ro.rt_prio = (int)prio;
                        break;
                }
                case 'h':
                case OPT_HELP:
                        usage(stdout);
                        return 0;
                default:
                        return 2;
                }
#undef BAD
        if (optind < argc) {
                fprintf(stderr, "udpflow: unexpected argument '%s'\n", argv[optind]);
                return 2;
        }

        if (sender) {
                if (!so.to_str) {
                        fprintf(stderr, "udpflow send: --to ADDR:PORT is required\n");
                        return 2;
                }
                if (so.count == 0 && so.duration_ns == 0)
                        so.duration_ns = 10 * NSEC_PER_SEC;
                if (bind_str) {
                        if (parse_endpoint(bind_str, true, &so.from, &so.from_len) < 0) {
                                fprintf(stderr, "udpflow: bad --bind '%s'\n", bind_str);
                                return 2;
                        }
                        if (so.from.ss_family != so.to.ss_family) {
                                fprintf(stderr, "udpflow: --bind and --to are of different families\n");
                                return 2;
                        }
                }
                return run_sender(&so);
        }

        if (!bind_str) {
                fprintf(stderr, "udpflow recv: --bind ADDR:PORT is required\n");
                return 2;
        }
        if (parse_endpoint(bind_str, false, &ro.bind, &ro.bind_len) < 0) {
                fprintf(stderr, "udpflow: bad --bind '%s'\n", bind_str);
                return 2;
        }
        return run_receiver(&ro);
}
