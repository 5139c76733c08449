/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The rtnetlink messages hnvd sends and the link messages it reads. The
 * builders are checked byte for byte against messages written out by hand
 * from the wire format, so a wrong attribute type, size, order or nesting
 * shows up here instead of as an EINVAL (or a silently ignored option) from
 * the kernel. The parser is fed hand-made messages, good and broken.
 *
 * Wire format reminders:
 *  - everything is in host byte order (U16/U32 below follow it);
 *  - struct nlmsghdr (16 bytes), then struct ifinfomsg (16 bytes), then
 *    attributes: u16 nla_len (header + payload, without padding), u16
 *    nla_type, payload, zero padding to 4 bytes;
 *  - a nest's nla_len covers its header and every attribute in it, padding
 *    included.
 *
 * libnl 3.7 quirks the expected bytes depend on (test_libnl_nest_quirks
 * pins them, so a libnl update that changes them fails there first):
 *  - nla_nest_start() sets NLA_F_NESTED (0x8000) in the nest's type. The
 *    kernel accepts it everywhere (nla_type() masks it) and its strict
 *    validation even wants it, so the expected bytes carry it;
 *  - nla_nest_end() drops an empty nest altogether instead of closing it;
 *  - nlmsg_alloc_simple() leaves nlmsg_seq and nlmsg_pid at 0; the socket
 *    fills them in when sending. compare_msg() sets fixed values anyway, so
 *    the test does not depend on that. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include <net/if.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/if_bonding.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>

#include "link-msg.h"
#include "macro.h"

/* Host byte order, one byte at a time; the cast to uint8_t keeps the low byte. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define U16(v) (uint8_t)(v), (uint8_t)((uint16_t)(v) >> 8)
#define U32(v)                                                                                              \
        (uint8_t)(v), (uint8_t)((uint32_t)(v) >> 8), (uint8_t)((uint32_t)(v) >> 16),                        \
                (uint8_t)((uint32_t)(v) >> 24)
#else
#define U16(v) (uint8_t)((uint16_t)(v) >> 8), (uint8_t)(v)
#define U32(v)                                                                                              \
        (uint8_t)((uint32_t)(v) >> 24), (uint8_t)((uint32_t)(v) >> 16), (uint8_t)((uint32_t)(v) >> 8),      \
                (uint8_t)(v)
#endif

#define TEST_SEQ 0x01020304u
#define TEST_PID 0x0a0b0c0du

/* struct nlmsghdr: len, type, flags, seq, pid. */
#define NLMSGHDR(len, type, flags) U32(len), U16(type), U16(flags), U32(TEST_SEQ), U32(TEST_PID)
/* struct ifinfomsg: family, pad, type, index, flags, change. */
#define IFINFOMSG(type, index, flags, change) AF_UNSPEC, 0, U16(type), U32(index), U32(flags), U32(change)
/* struct nlattr header. */
#define NLA(len, type)   U16(len), U16(type)
#define NEST(len, type)  NLA(len, (type) | NLA_F_NESTED)
#define NLA_U8(type, v)  NLA(5, type), (v), 0, 0, 0
#define NLA_U32(type, v) NLA(8, type), U32(v)
/* A 6-byte address: 4 + 6 = 10, padded to 12. */
#define NLA_MAC(type, a, b, c, d, e, f) NLA(10, type), a, b, c, d, e, f, 0, 0

#define REQ_ACK (NLM_F_REQUEST | NLM_F_ACK)

static void hexdump(const char *title, const uint8_t *p, size_t n) {
        fprintf(stderr, "%s (%zu bytes):", title, n);
        for (size_t i = 0; i < n; i++)
                fprintf(stderr, "%s%02x", i % 16 == 0 ? "\n  " : " ", p[i]);
        fprintf(stderr, "\n");
}

static void compare_msg(struct nl_msg *m, const uint8_t *expected, size_t n) {
        struct nlmsghdr *h = nlmsg_hdr(m);

        h->nlmsg_seq = TEST_SEQ;
        h->nlmsg_pid = TEST_PID;

        if (h->nlmsg_len != n || memcmp(h, expected, n) != 0) {
                hexdump("got", (const uint8_t *)h, h->nlmsg_len);
                hexdump("expected", expected, n);
                for (size_t i = 0; i < n && i < h->nlmsg_len; i++)
                        if (((const uint8_t *)h)[i] != expected[i]) {
                                fprintf(stderr, "first difference at offset %zu\n", i);
                                break;
                        }
                fail_msg("message differs from the expected bytes");
        }
}

/* Parses a copy in a heap buffer of exactly n bytes, so ASan catches any
 * read past the message. nlmsg_len comes from the bytes themselves. */
static int parse_bytes(const uint8_t *bytes, size_t n, LinkInfo *ret) {
        _cleanup_(freep) void *buf = NULL;

        buf = malloc(n);
        assert_non_null(buf);
        memcpy(buf, bytes, n);

        return link_message_parse(buf, ret);
}

static BondOptions test_options(void) {
        /* Every value distinct, so that two swapped attributes cannot
         * produce the expected bytes by accident. */
        return (BondOptions){
                .miimon_ms = 100,
                .updelay_ms = 200,
                .downdelay_ms = 400,
                .fail_over_mac = 2,
                .num_peer_notif = 3,
                .peer_notif_delay_ms = 300,
                .mtu = 1500,
        };
}

/* ---- the messages ----
 *
 * Laid out as the wire format nests them, one attribute a line; clang-format
 * would put every byte on a line of its own. */

/* clang-format off */

/* What the builders must produce. */

static const uint8_t expected_new_bond[] = {
        NLMSGHDR(136, RTM_NEWLINK, REQ_ACK | NLM_F_CREATE | NLM_F_EXCL),
        IFINFOMSG(0, 0, 0, 0),
        NLA(9, IFLA_IFNAME), 'h', 'n', 'v', '0', 0, /* padding: */ 0, 0, 0,
        NLA_U32(IFLA_MTU, 1500),
        NEST(84, IFLA_LINKINFO),
                NLA(9, IFLA_INFO_KIND), 'b', 'o', 'n', 'd', 0, /* padding: */ 0, 0, 0,
                NEST(68, IFLA_INFO_DATA),
                        NLA_U8(IFLA_BOND_MODE, BOND_MODE_ACTIVEBACKUP),
                        NLA_U32(IFLA_BOND_MIIMON, 100),
                        NLA_U32(IFLA_BOND_UPDELAY, 200),
                        NLA_U32(IFLA_BOND_DOWNDELAY, 400),
                        NLA_U8(IFLA_BOND_FAIL_OVER_MAC, 2),
                        NLA_U8(IFLA_BOND_PRIMARY_RESELECT, 0),
                        NLA_U8(IFLA_BOND_NUM_PEER_NOTIF, 3),
                        NLA_U32(IFLA_BOND_PEER_NOTIF_DELAY, 300),
};

/* mtu 0: no IFLA_MTU. A 15-character name is 16 bytes with its NUL, so no
 * padding. */
static const uint8_t expected_new_bond_no_mtu[] = {
        NLMSGHDR(136, RTM_NEWLINK, REQ_ACK | NLM_F_CREATE | NLM_F_EXCL),
        IFINFOMSG(0, 0, 0, 0),
        NLA(20, IFLA_IFNAME), 'b', 'o', 'n', 'd', '-', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 0,
        NEST(84, IFLA_LINKINFO),
                NLA(9, IFLA_INFO_KIND), 'b', 'o', 'n', 'd', 0, /* padding: */ 0, 0, 0,
                NEST(68, IFLA_INFO_DATA),
                        NLA_U8(IFLA_BOND_MODE, BOND_MODE_ACTIVEBACKUP),
                        NLA_U32(IFLA_BOND_MIIMON, 100),
                        NLA_U32(IFLA_BOND_UPDELAY, 200),
                        NLA_U32(IFLA_BOND_DOWNDELAY, 400),
                        NLA_U8(IFLA_BOND_FAIL_OVER_MAC, 2),
                        NLA_U8(IFLA_BOND_PRIMARY_RESELECT, 0),
                        NLA_U8(IFLA_BOND_NUM_PEER_NOTIF, 3),
                        NLA_U32(IFLA_BOND_PEER_NOTIF_DELAY, 300),
};

/* miimon 0: no updelay, downdelay or peer_notif_delay, which the kernel
 * would refuse with EPERM. */
static const uint8_t expected_new_bond_no_miimon[] = {
        NLMSGHDR(104, RTM_NEWLINK, REQ_ACK | NLM_F_CREATE | NLM_F_EXCL),
        IFINFOMSG(0, 0, 0, 0),
        NLA(9, IFLA_IFNAME), 'h', 'n', 'v', '0', 0, /* padding: */ 0, 0, 0,
        NEST(60, IFLA_LINKINFO),
                NLA(9, IFLA_INFO_KIND), 'b', 'o', 'n', 'd', 0, /* padding: */ 0, 0, 0,
                NEST(44, IFLA_INFO_DATA),
                        NLA_U8(IFLA_BOND_MODE, BOND_MODE_ACTIVEBACKUP),
                        NLA_U32(IFLA_BOND_MIIMON, 0),
                        NLA_U8(IFLA_BOND_FAIL_OVER_MAC, 2),
                        NLA_U8(IFLA_BOND_PRIMARY_RESELECT, 0),
                        NLA_U8(IFLA_BOND_NUM_PEER_NOTIF, 3),
};

/* The same with the bond's MAC: IFLA_ADDRESS after the name. */
static const uint8_t expected_new_bond_mac[] = {
        NLMSGHDR(116, RTM_NEWLINK, REQ_ACK | NLM_F_CREATE | NLM_F_EXCL),
        IFINFOMSG(0, 0, 0, 0),
        NLA(9, IFLA_IFNAME), 'h', 'n', 'v', '0', 0, /* padding: */ 0, 0, 0,
        NLA_MAC(IFLA_ADDRESS, 0x02, 0, 0, 0, 0x01, 0x01),
        NEST(60, IFLA_LINKINFO),
                NLA(9, IFLA_INFO_KIND), 'b', 'o', 'n', 'd', 0, /* padding: */ 0, 0, 0,
                NEST(44, IFLA_INFO_DATA),
                        NLA_U8(IFLA_BOND_MODE, BOND_MODE_ACTIVEBACKUP),
                        NLA_U32(IFLA_BOND_MIIMON, 0),
                        NLA_U8(IFLA_BOND_FAIL_OVER_MAC, 2),
                        NLA_U8(IFLA_BOND_PRIMARY_RESELECT, 0),
                        NLA_U8(IFLA_BOND_NUM_PEER_NOTIF, 3),
};

static const uint8_t expected_set_primary[] = {
        NLMSGHDR(60, RTM_NEWLINK, REQ_ACK),
        IFINFOMSG(0, 7, 0, 0),
        NEST(28, IFLA_LINKINFO),
                NLA(9, IFLA_INFO_KIND), 'b', 'o', 'n', 'd', 0, /* padding: */ 0, 0, 0,
                NEST(12, IFLA_INFO_DATA),
                        NLA_U32(IFLA_BOND_PRIMARY, 3),
};

/* A u8 takes a whole 8-byte attribute: 4 header, 1 value, 3 padding. */
static const uint8_t expected_all_slaves_active_on[] = {
        NLMSGHDR(60, RTM_NEWLINK, REQ_ACK),
        IFINFOMSG(0, 7, 0, 0),
        NEST(28, IFLA_LINKINFO),
                NLA(9, IFLA_INFO_KIND), 'b', 'o', 'n', 'd', 0, /* padding: */ 0, 0, 0,
                NEST(12, IFLA_INFO_DATA),
                        NLA_U8(IFLA_BOND_ALL_SLAVES_ACTIVE, 1),
};

static const uint8_t expected_all_slaves_active_off[] = {
        NLMSGHDR(60, RTM_NEWLINK, REQ_ACK),
        IFINFOMSG(0, 7, 0, 0),
        NEST(28, IFLA_LINKINFO),
                NLA(9, IFLA_INFO_KIND), 'b', 'o', 'n', 'd', 0, /* padding: */ 0, 0, 0,
                NEST(12, IFLA_INFO_DATA),
                        NLA_U8(IFLA_BOND_ALL_SLAVES_ACTIVE, 0),
};

static const uint8_t expected_clear_primary[] = {
        NLMSGHDR(60, RTM_NEWLINK, REQ_ACK),
        IFINFOMSG(0, 7, 0, 0),
        NEST(28, IFLA_LINKINFO),
                NLA(9, IFLA_INFO_KIND), 'b', 'o', 'n', 'd', 0, /* padding: */ 0, 0, 0,
                NEST(12, IFLA_INFO_DATA),
                        NLA_U32(IFLA_BOND_PRIMARY, 0),
};

static const uint8_t expected_set_active[] = {
        NLMSGHDR(60, RTM_NEWLINK, REQ_ACK),
        IFINFOMSG(0, 7, 0, 0),
        NEST(28, IFLA_LINKINFO),
                NLA(9, IFLA_INFO_KIND), 'b', 'o', 'n', 'd', 0, /* padding: */ 0, 0, 0,
                NEST(12, IFLA_INFO_DATA),
                        NLA_U32(IFLA_BOND_ACTIVE_SLAVE, 4),
};

/* No mode, fail_over_mac or primary_reselect: not runtime options. */
static const uint8_t expected_set_options[] = {
        NLMSGHDR(92, RTM_NEWLINK, REQ_ACK),
        IFINFOMSG(0, 7, 0, 0),
        NEST(60, IFLA_LINKINFO),
                NLA(9, IFLA_INFO_KIND), 'b', 'o', 'n', 'd', 0, /* padding: */ 0, 0, 0,
                NEST(44, IFLA_INFO_DATA),
                        NLA_U32(IFLA_BOND_MIIMON, 100),
                        NLA_U32(IFLA_BOND_UPDELAY, 200),
                        NLA_U32(IFLA_BOND_DOWNDELAY, 400),
                        NLA_U8(IFLA_BOND_NUM_PEER_NOTIF, 3),
                        NLA_U32(IFLA_BOND_PEER_NOTIF_DELAY, 300),
};

static const uint8_t expected_set_options_no_miimon[] = {
        NLMSGHDR(68, RTM_NEWLINK, REQ_ACK),
        IFINFOMSG(0, 7, 0, 0),
        NEST(36, IFLA_LINKINFO),
                NLA(9, IFLA_INFO_KIND), 'b', 'o', 'n', 'd', 0, /* padding: */ 0, 0, 0,
                NEST(20, IFLA_INFO_DATA),
                        NLA_U32(IFLA_BOND_MIIMON, 0),
                        NLA_U8(IFLA_BOND_NUM_PEER_NOTIF, 3),
};

static const uint8_t expected_set_master[] = {
        NLMSGHDR(40, RTM_NEWLINK, REQ_ACK),
        IFINFOMSG(0, 5, 0, 0),
        NLA_U32(IFLA_MASTER, 7),
};

static const uint8_t expected_release[] = {
        NLMSGHDR(40, RTM_NEWLINK, REQ_ACK),
        IFINFOMSG(0, 5, 0, 0),
        NLA_U32(IFLA_MASTER, 0),
};

static const uint8_t expected_up[] = {
        NLMSGHDR(32, RTM_NEWLINK, REQ_ACK),
        IFINFOMSG(0, 5, IFF_UP, IFF_UP),
};

static const uint8_t expected_down[] = {
        NLMSGHDR(32, RTM_NEWLINK, REQ_ACK),
        IFINFOMSG(0, 5, 0, IFF_UP),
};

static const uint8_t expected_set_mtu[] = {
        NLMSGHDR(40, RTM_NEWLINK, REQ_ACK),
        IFINFOMSG(0, 5, 0, 0),
        NLA_U32(IFLA_MTU, 9000),
};

static const uint8_t expected_set_address[] = {
        NLMSGHDR(44, RTM_NEWLINK, REQ_ACK),
        IFINFOMSG(0, 5, 0, 0),
        NLA_MAC(IFLA_ADDRESS, 0x02, 0, 0, 0, 0x01, 0x01),
};

static const uint8_t expected_delete[] = {
        NLMSGHDR(32, RTM_DELLINK, REQ_ACK),
        IFINFOMSG(0, 5, 0, 0),
};

static const uint8_t expected_dump[] = {
        NLMSGHDR(32, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP),
        IFINFOMSG(0, 0, 0, 0),
};

/* What the parser is fed. */

#define BOND_FLAGS (IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MASTER | IFF_MULTICAST | IFF_LOWER_UP)
#define PORT_FLAGS (IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_SLAVE | IFF_MULTICAST | IFF_LOWER_UP)

/* What the kernel sends for an active-backup bond, minus most attributes;
 * IFLA_TXQLEN and IFLA_BOND_USE_CARRIER stand for those hnv ignores. */
static const uint8_t msg_bond[] = {
        NLMSGHDR(164, RTM_NEWLINK, 0),
        IFINFOMSG(ARPHRD_ETHER, 7, BOND_FLAGS, 0),
        NLA(10, IFLA_IFNAME), 'b', 'o', 'n', 'd', '0', 0, /* padding: */ 0, 0,
        NLA_U32(IFLA_TXQLEN, 1000),
        NLA_U32(IFLA_MTU, 1500),
        NLA_U8(IFLA_OPERSTATE, IF_OPER_UP),
        NLA_MAC(IFLA_ADDRESS, 0x02, 0x00, 0x00, 0x00, 0x00, 0xaa),
        NEST(84, IFLA_LINKINFO),
                NLA(9, IFLA_INFO_KIND), 'b', 'o', 'n', 'd', 0, /* padding: */ 0, 0, 0,
                NEST(68, IFLA_INFO_DATA),
                        NLA_U8(IFLA_BOND_ALL_SLAVES_ACTIVE, 1),
                        NLA_U8(IFLA_BOND_MODE, BOND_MODE_ACTIVEBACKUP),
                        NLA_U32(IFLA_BOND_ACTIVE_SLAVE, 3),
                        NLA_U32(IFLA_BOND_MIIMON, 100),
                        NLA_U8(IFLA_BOND_USE_CARRIER, 1),
                        NLA_U32(IFLA_BOND_PRIMARY, 3),
                        NLA_U8(IFLA_BOND_FAIL_OVER_MAC, 2),
                        NLA_U8(IFLA_BOND_NUM_PEER_NOTIF, 3),
};

/* The event a bond sends as it tells its peers where it is now
 * (NETDEV_NOTIFY_PEERS), and the one for a failover, which is not that. */
#define MSG_BOND_EVENT(event)                                                                               \
        {                                                                                                   \
                NLMSGHDR(52, RTM_NEWLINK, 0), IFINFOMSG(ARPHRD_ETHER, 7, BOND_FLAGS, 0),                    \
                        NLA(10, IFLA_IFNAME), 'b', 'o', 'n', 'd', '0', 0, /* padding: */ 0, 0,              \
                        NLA_U32(IFLA_EVENT, event),                                                         \
        }
static const uint8_t msg_bond_notify_peers[] = MSG_BOND_EVENT(IFLA_EVENT_NOTIFY_PEERS);
static const uint8_t msg_bond_failover[] = MSG_BOND_EVENT(IFLA_EVENT_BONDING_FAILOVER);

/* A VF enslaved to bond0, in backup state. Hardware has no IFLA_INFO_KIND,
 * only the port side of IFLA_LINKINFO; no IFLA_PERM_ADDRESS either, so the
 * bond's record of the original MAC must be used. */
static const uint8_t msg_port[] = {
        NLMSGHDR(124, RTM_NEWLINK, 0),
        IFINFOMSG(ARPHRD_ETHER, 3, PORT_FLAGS, 0),
        NLA(8, IFLA_IFNAME), 'v', 'f', '0', 0,
        NLA_U32(IFLA_MTU, 1500),
        NLA_U32(IFLA_MASTER, 7),
        NLA_MAC(IFLA_ADDRESS, 0x02, 0x00, 0x00, 0x00, 0x00, 0xaa),
        NEST(56, IFLA_LINKINFO),
                NLA(9, IFLA_INFO_SLAVE_KIND), 'b', 'o', 'n', 'd', 0, /* padding: */ 0, 0, 0,
                NEST(40, IFLA_INFO_SLAVE_DATA),
                        NLA_U8(IFLA_BOND_SLAVE_STATE, BOND_STATE_BACKUP),
                        NLA_U8(IFLA_BOND_SLAVE_MII_STATUS, BOND_LINK_UP),
                        NLA_U32(IFLA_BOND_SLAVE_LINK_FAILURE_COUNT, 2),
                        NLA_MAC(IFLA_BOND_SLAVE_PERM_HWADDR, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01),
};

/* The driver's permanent MAC wins over the bond's record; the active port
 * whose MII status is down is reported as such. */
static const uint8_t msg_port_perm[] = {
        NLMSGHDR(108, RTM_NEWLINK, 0),
        IFINFOMSG(ARPHRD_ETHER, 4, PORT_FLAGS, 0),
        NLA(8, IFLA_IFNAME), 'v', 'f', '1', 0,
        NLA_U32(IFLA_MASTER, 7),
        NLA_MAC(IFLA_PERM_ADDRESS, 0x02, 0x00, 0x00, 0x00, 0x00, 0xbb),
        NEST(48, IFLA_LINKINFO),
                NLA(9, IFLA_INFO_SLAVE_KIND), 'b', 'o', 'n', 'd', 0, /* padding: */ 0, 0, 0,
                NEST(32, IFLA_INFO_SLAVE_DATA),
                        NLA_U8(IFLA_BOND_SLAVE_STATE, BOND_STATE_ACTIVE),
                        NLA_U8(IFLA_BOND_SLAVE_MII_STATUS, BOND_LINK_DOWN),
                        NLA_MAC(IFLA_BOND_SLAVE_PERM_HWADDR, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01),
};

/* A veth without carrier: kind "veth", no master, an all-zero permanent
 * address (random MAC) that must not count as one. */
static const uint8_t msg_veth[] = {
        NLMSGHDR(100, RTM_NEWLINK, 0),
        IFINFOMSG(ARPHRD_ETHER, 9, IFF_UP | IFF_BROADCAST | IFF_MULTICAST, 0),
        NLA(10, IFLA_IFNAME), 'v', 'e', 't', 'h', '0', 0, /* padding: */ 0, 0,
        NLA_U32(IFLA_MTU, 9000),
        NLA_U8(IFLA_OPERSTATE, IF_OPER_LOWERLAYERDOWN),
        NLA_MAC(IFLA_ADDRESS, 0x5a, 0x11, 0x22, 0x33, 0x44, 0x55),
        NLA_MAC(IFLA_PERM_ADDRESS, 0, 0, 0, 0, 0, 0),
        NEST(16, IFLA_LINKINFO),
                NLA(9, IFLA_INFO_KIND), 'v', 'e', 't', 'h', 0, /* padding: */ 0, 0, 0,
};

static const uint8_t msg_dellink[] = {
        NLMSGHDR(44, RTM_DELLINK, 0),
        IFINFOMSG(ARPHRD_ETHER, 9, 0, 0),
        NLA(10, IFLA_IFNAME), 'v', 'e', 't', 'h', '0', 0, /* padding: */ 0, 0,
};

/* Half an ifinfomsg. */
static const uint8_t msg_short_ifinfo[] = {
        NLMSGHDR(24, RTM_NEWLINK, 0),
        AF_UNSPEC, 0, U16(ARPHRD_ETHER), U32(9),
};

/* No ifinfomsg at all. */
static const uint8_t msg_header_only[] = {
        NLMSGHDR(16, RTM_NEWLINK, 0),
};

/* The message ends in the middle of IFLA_MTU: nlmsg_len says so, the
 * attribute header claims 8 bytes. libnl's nla_parse() alone accepts it. */
static const uint8_t msg_cut_attr[] = {
        NLMSGHDR(50, RTM_NEWLINK, 0),
        IFINFOMSG(ARPHRD_ETHER, 9, 0, 0),
        NLA(10, IFLA_IFNAME), 'v', 'e', 't', 'h', '0', 0, /* padding: */ 0, 0,
        NLA(8, IFLA_MTU), U16(1500),
};

/* IFLA_MTU shorter than a u32. */
static const uint8_t msg_short_u32[] = {
        NLMSGHDR(52, RTM_NEWLINK, 0),
        IFINFOMSG(ARPHRD_ETHER, 9, 0, 0),
        NLA(10, IFLA_IFNAME), 'v', 'e', 't', 'h', '0', 0, /* padding: */ 0, 0,
        NLA(6, IFLA_MTU), U16(1500), /* padding: */ 0, 0,
};

/* A bond whose IFLA_INFO_DATA ends inside IFLA_BOND_MIIMON. */
static const uint8_t msg_cut_nested[] = {
        NLMSGHDR(72, RTM_NEWLINK, 0),
        IFINFOMSG(ARPHRD_ETHER, 7, 0, 0),
        NLA(10, IFLA_IFNAME), 'b', 'o', 'n', 'd', '0', 0, /* padding: */ 0, 0,
        NEST(28, IFLA_LINKINFO),
                NLA(9, IFLA_INFO_KIND), 'b', 'o', 'n', 'd', 0, /* padding: */ 0, 0, 0,
                NEST(10, IFLA_INFO_DATA),
                        NLA(8, IFLA_BOND_MIIMON), U16(100), /* padding: */ 0, 0,
};

static const uint8_t msg_no_name[] = {
        NLMSGHDR(40, RTM_NEWLINK, 0),
        IFINFOMSG(ARPHRD_ETHER, 9, 0, 0),
        NLA_U32(IFLA_MTU, 1500),
};

static const uint8_t msg_name_unterminated[] = {
        NLMSGHDR(44, RTM_NEWLINK, 0),
        IFINFOMSG(ARPHRD_ETHER, 9, 0, 0),
        NLA(9, IFLA_IFNAME), 'v', 'e', 't', 'h', '0', /* padding: */ 0, 0, 0,
};

/* 16 characters and a NUL: longer than any interface name. */
static const uint8_t msg_name_too_long[] = {
        NLMSGHDR(56, RTM_NEWLINK, 0),
        IFINFOMSG(ARPHRD_ETHER, 9, 0, 0),
        NLA(21, IFLA_IFNAME), 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 0,
                /* padding: */ 0, 0, 0,
};

/* Non-Ethernet links have other address lengths (ipip: 4 bytes). */
static const uint8_t msg_short_address[] = {
        NLMSGHDR(60, RTM_NEWLINK, 0),
        IFINFOMSG(ARPHRD_ETHER, 9, 0, 0),
        NLA(10, IFLA_IFNAME), 'v', 'e', 't', 'h', '0', 0, /* padding: */ 0, 0,
        NLA(7, IFLA_ADDRESS), 0x02, 0x00, 0x01, /* padding: */ 0,
        NLA(7, IFLA_PERM_ADDRESS), 0x02, 0x00, 0x02, /* padding: */ 0,
};

/* Link-shaped payloads under the wrong message types. */
static const uint8_t msg_newaddr[] = {
        NLMSGHDR(44, RTM_NEWADDR, 0),
        IFINFOMSG(ARPHRD_ETHER, 9, 0, 0),
        NLA(10, IFLA_IFNAME), 'v', 'e', 't', 'h', '0', 0, /* padding: */ 0, 0,
};

static const uint8_t msg_getlink[] = {
        NLMSGHDR(44, RTM_GETLINK, 0),
        IFINFOMSG(ARPHRD_ETHER, 9, 0, 0),
        NLA(10, IFLA_IFNAME), 'v', 'e', 't', 'h', '0', 0, /* padding: */ 0, 0,
};

/* clang-format on */

/* ---- libnl itself ---- */

static void test_libnl_nest_quirks(void **state) {
        _cleanup_(nlmsg_freep) struct nl_msg *m = NULL;
        struct nlattr *nest;

        m = nlmsg_alloc_simple(RTM_NEWLINK, 0);
        assert_non_null(m);
        assert_int_equal(nlmsg_hdr(m)->nlmsg_seq, 0);
        assert_int_equal(nlmsg_hdr(m)->nlmsg_pid, 0);

        nest = nla_nest_start(m, IFLA_LINKINFO);
        assert_non_null(nest);
        assert_int_equal(nest->nla_type, IFLA_LINKINFO | NLA_F_NESTED);

        /* Closed empty, the nest disappears. */
        assert_int_equal(nla_nest_end(m, nest), 0);
        assert_int_equal(nlmsg_hdr(m)->nlmsg_len, NLMSG_HDRLEN);
}

/* ---- builders ---- */

static void test_new_bond(void **state) {
        _cleanup_(nlmsg_freep) struct nl_msg *m = NULL;
        BondOptions o = test_options();

        assert_int_equal(link_msg_new_bond(&m, "hnv0", &o, NULL), 0);
        compare_msg(m, expected_new_bond, sizeof(expected_new_bond));
}

static void test_new_bond_no_mtu(void **state) {
        _cleanup_(nlmsg_freep) struct nl_msg *m = NULL;
        BondOptions o = test_options();

        o.mtu = 0;
        assert_int_equal(link_msg_new_bond(&m, "bond-abcdefghij", &o, NULL), 0);
        compare_msg(m, expected_new_bond_no_mtu, sizeof(expected_new_bond_no_mtu));
}

static void test_new_bond_no_miimon(void **state) {
        _cleanup_(nlmsg_freep) struct nl_msg *m = NULL;
        BondOptions o = test_options();

        o.miimon_ms = 0;
        o.mtu = 0;
        assert_int_equal(link_msg_new_bond(&m, "hnv0", &o, NULL), 0);
        compare_msg(m, expected_new_bond_no_miimon, sizeof(expected_new_bond_no_miimon));
}

static void test_new_bond_mac(void **state) {
        _cleanup_(nlmsg_freep) struct nl_msg *m = NULL, *n = NULL;
        BondOptions o = test_options();
        const HwAddr mac = {{0x02, 0, 0, 0, 0x01, 0x01}}, null = {{0}};

        o.miimon_ms = 0;
        o.mtu = 0;
        assert_int_equal(link_msg_new_bond(&m, "hnv0", &o, &mac), 0);
        compare_msg(m, expected_new_bond_mac, sizeof(expected_new_bond_mac));
        /* An all-zero MAC means none, as NULL does. */
        assert_int_equal(link_msg_new_bond(&n, "hnv0", &o, &null), 0);
        compare_msg(n, expected_new_bond_no_miimon, sizeof(expected_new_bond_no_miimon));
}

static void test_new_bond_invalid(void **state) {
        struct nl_msg *m = NULL;
        BondOptions o = test_options();

        assert_int_equal(link_msg_new_bond(&m, "", &o, NULL), -EINVAL);
        assert_int_equal(link_msg_new_bond(&m, "bond-abcdefghijk", &o, NULL), -EINVAL); /* 16 characters */
        assert_int_equal(link_msg_new_bond(&m, NULL, &o, NULL), -EINVAL);
        assert_int_equal(link_msg_new_bond(&m, "hnv0", NULL, NULL), -EINVAL);
        assert_int_equal(link_msg_new_bond(NULL, "hnv0", &o, NULL), -EINVAL);
        assert_null(m);
}

static void test_bond_set_primary(void **state) {
        _cleanup_(nlmsg_freep) struct nl_msg *m = NULL, *clear = NULL;

        assert_int_equal(link_msg_bond_set_primary(&m, 7, 3), 0);
        compare_msg(m, expected_set_primary, sizeof(expected_set_primary));

        /* 0 clears the primary. */
        assert_int_equal(link_msg_bond_set_primary(&clear, 7, 0), 0);
        compare_msg(clear, expected_clear_primary, sizeof(expected_clear_primary));
}

static void test_bond_set_all_slaves_active(void **state) {
        _cleanup_(nlmsg_freep) struct nl_msg *on = NULL, *off = NULL, *bad = NULL;

        assert_int_equal(link_msg_bond_set_all_slaves_active(&on, 7, true), 0);
        compare_msg(on, expected_all_slaves_active_on, sizeof(expected_all_slaves_active_on));
        assert_int_equal(link_msg_bond_set_all_slaves_active(&off, 7, false), 0);
        compare_msg(off, expected_all_slaves_active_off, sizeof(expected_all_slaves_active_off));
        assert_int_equal(link_msg_bond_set_all_slaves_active(&bad, 0, true), -EINVAL);
        assert_null(bad);
}

static void test_bond_set_active(void **state) {
        _cleanup_(nlmsg_freep) struct nl_msg *m = NULL;

        assert_int_equal(link_msg_bond_set_active(&m, 7, 4), 0);
        compare_msg(m, expected_set_active, sizeof(expected_set_active));
}

static void test_bond_set_options(void **state) {
        _cleanup_(nlmsg_freep) struct nl_msg *m = NULL;
        BondOptions o = test_options();

        assert_int_equal(link_msg_bond_set_options(&m, 7, &o), 0);
        compare_msg(m, expected_set_options, sizeof(expected_set_options));
}

static void test_bond_set_options_no_miimon(void **state) {
        _cleanup_(nlmsg_freep) struct nl_msg *m = NULL;
        BondOptions o = test_options();

        o.miimon_ms = 0;
        assert_int_equal(link_msg_bond_set_options(&m, 7, &o), 0);
        compare_msg(m, expected_set_options_no_miimon, sizeof(expected_set_options_no_miimon));
}

static void test_set_master(void **state) {
        _cleanup_(nlmsg_freep) struct nl_msg *m = NULL, *release = NULL;

        assert_int_equal(link_msg_set_master(&m, 5, 7), 0);
        compare_msg(m, expected_set_master, sizeof(expected_set_master));

        assert_int_equal(link_msg_set_master(&release, 5, 0), 0);
        compare_msg(release, expected_release, sizeof(expected_release));
}

static void test_set_up(void **state) {
        _cleanup_(nlmsg_freep) struct nl_msg *up = NULL, *down = NULL;

        assert_int_equal(link_msg_set_up(&up, 5, true), 0);
        compare_msg(up, expected_up, sizeof(expected_up));

        assert_int_equal(link_msg_set_up(&down, 5, false), 0);
        compare_msg(down, expected_down, sizeof(expected_down));
}

static void test_set_mtu(void **state) {
        _cleanup_(nlmsg_freep) struct nl_msg *m = NULL;

        assert_int_equal(link_msg_set_mtu(&m, 5, 9000), 0);
        compare_msg(m, expected_set_mtu, sizeof(expected_set_mtu));
}

static void test_set_address(void **state) {
        _cleanup_(nlmsg_freep) struct nl_msg *m = NULL;
        const HwAddr mac = {{0x02, 0, 0, 0, 0x01, 0x01}}, null = {{0}};

        assert_int_equal(link_msg_set_address(&m, 5, &mac), 0);
        compare_msg(m, expected_set_address, sizeof(expected_set_address));
        assert_int_equal(link_msg_set_address(&m, 5, &null), -EINVAL);
        assert_int_equal(link_msg_set_address(&m, 0, &mac), -EINVAL);
}

static void test_delete(void **state) {
        _cleanup_(nlmsg_freep) struct nl_msg *m = NULL;

        assert_int_equal(link_msg_delete(&m, 5), 0);
        compare_msg(m, expected_delete, sizeof(expected_delete));
}

static void test_dump_request(void **state) {
        _cleanup_(nlmsg_freep) struct nl_msg *m = NULL;

        assert_int_equal(link_msg_dump_request(&m), 0);
        compare_msg(m, expected_dump, sizeof(expected_dump));
}

static void test_builders_invalid(void **state) {
        struct nl_msg *m = NULL;
        BondOptions o = test_options();

        /* A message for ifindex 0 would be about no link at all (or, for
         * RTM_NEWLINK, about the one named in a missing IFLA_IFNAME). */
        assert_int_equal(link_msg_bond_set_primary(&m, 0, 3), -EINVAL);
        assert_int_equal(link_msg_bond_set_primary(&m, 7, -1), -EINVAL);
        assert_int_equal(link_msg_bond_set_active(&m, -7, 3), -EINVAL);
        assert_int_equal(link_msg_bond_set_options(&m, 0, &o), -EINVAL);
        assert_int_equal(link_msg_bond_set_options(&m, 7, NULL), -EINVAL);
        assert_int_equal(link_msg_set_master(&m, 0, 7), -EINVAL);
        assert_int_equal(link_msg_set_master(&m, 5, -1), -EINVAL);
        assert_int_equal(link_msg_set_up(&m, 0, true), -EINVAL);
        assert_int_equal(link_msg_set_mtu(&m, 0, 1500), -EINVAL);
        assert_int_equal(link_msg_set_mtu(&m, 5, 0), -EINVAL);
        assert_int_equal(link_msg_delete(&m, 0), -EINVAL);
        assert_int_equal(link_msg_delete(NULL, 5), -EINVAL);
        assert_int_equal(link_msg_dump_request(NULL), -EINVAL);
        assert_null(m);
}

/* ---- parser ---- */

static void test_parse_bond(void **state) {
        LinkInfo info;

        assert_int_equal(parse_bytes(msg_bond, sizeof(msg_bond), &info), 0);
        assert_int_equal(info.ifindex, 7);
        assert_string_equal(info.name, "bond0");
        assert_string_equal(info.kind, "bond");
        assert_memory_equal(info.mac.bytes, ((uint8_t[]){0x02, 0, 0, 0, 0, 0xaa}), 6);
        assert_false(info.has_perm_mac);
        assert_int_equal(info.flags, BOND_FLAGS);
        assert_true(info.carrier);
        assert_int_equal(info.mtu, 1500);
        assert_int_equal(info.operstate, IF_OPER_UP);
        assert_int_equal(info.master_ifindex, 0);
        assert_false(info.is_bond_port);

        assert_true(info.has_bond_info);
        assert_int_equal(info.bond_mode, BOND_MODE_ACTIVEBACKUP);
        assert_int_equal(info.bond_active_ifindex, 3);
        assert_int_equal(info.bond_primary_ifindex, 3);
        assert_int_equal(info.bond_miimon, 100);
        assert_int_equal(info.bond_fail_over_mac, 2);
        assert_int_equal(info.bond_num_peer_notif, 3);
        assert_true(info.bond_all_ports_active);
        assert_false(info.peers_notified);
}

static void test_parse_peer_notification(void **state) {
        LinkInfo info;

        assert_int_equal(parse_bytes(msg_bond_notify_peers, sizeof(msg_bond_notify_peers), &info), 0);
        assert_string_equal(info.name, "bond0");
        assert_true(info.peers_notified);
        assert_int_equal(parse_bytes(msg_bond_failover, sizeof(msg_bond_failover), &info), 0);
        assert_false(info.peers_notified);
}

static void test_parse_bond_port(void **state) {
        LinkInfo info;

        assert_int_equal(parse_bytes(msg_port, sizeof(msg_port), &info), 0);
        assert_int_equal(info.ifindex, 3);
        assert_string_equal(info.name, "vf0");
        assert_string_equal(info.kind, "");
        assert_memory_equal(info.mac.bytes, ((uint8_t[]){0x02, 0, 0, 0, 0, 0xaa}), 6);
        assert_true(info.has_perm_mac);
        assert_memory_equal(info.perm_mac.bytes, ((uint8_t[]){0x02, 0, 0, 0, 0, 0x01}), 6);
        assert_int_equal(info.master_ifindex, 7);
        assert_true(info.carrier);
        assert_int_equal(info.operstate, IF_OPER_UNKNOWN); /* not sent */
        assert_true(info.is_bond_port);
        assert_false(info.bond_port_active);
        assert_true(info.bond_port_mii_up);
        assert_false(info.has_bond_info);
}

static void test_parse_bond_port_perm_address(void **state) {
        LinkInfo info;

        assert_int_equal(parse_bytes(msg_port_perm, sizeof(msg_port_perm), &info), 0);
        assert_string_equal(info.name, "vf1");
        assert_true(info.has_perm_mac);
        assert_memory_equal(info.perm_mac.bytes, ((uint8_t[]){0x02, 0, 0, 0, 0, 0xbb}), 6);
        assert_true(info.is_bond_port);
        assert_true(info.bond_port_active);
        assert_false(info.bond_port_mii_up);
}

static void test_parse_veth(void **state) {
        LinkInfo info;

        assert_int_equal(parse_bytes(msg_veth, sizeof(msg_veth), &info), 0);
        assert_int_equal(info.ifindex, 9);
        assert_string_equal(info.name, "veth0");
        assert_string_equal(info.kind, "veth");
        assert_memory_equal(info.mac.bytes, ((uint8_t[]){0x5a, 0x11, 0x22, 0x33, 0x44, 0x55}), 6);
        assert_false(info.has_perm_mac);
        assert_int_equal(info.flags, IFF_UP | IFF_BROADCAST | IFF_MULTICAST);
        assert_false(info.carrier);
        assert_int_equal(info.mtu, 9000);
        assert_int_equal(info.operstate, IF_OPER_LOWERLAYERDOWN);
        assert_int_equal(info.master_ifindex, 0);
        assert_false(info.is_bond_port);
        assert_false(info.has_bond_info);
}

static void test_parse_dellink(void **state) {
        LinkInfo info;

        assert_int_equal(parse_bytes(msg_dellink, sizeof(msg_dellink), &info), 0);
        assert_int_equal(info.ifindex, 9);
        assert_string_equal(info.name, "veth0");
}

static void test_parse_truncated(void **state) {
        LinkInfo info;

        assert_int_equal(parse_bytes(msg_short_ifinfo, sizeof(msg_short_ifinfo), &info), -EBADMSG);
        assert_int_equal(parse_bytes(msg_header_only, sizeof(msg_header_only), &info), -EBADMSG);
        assert_int_equal(parse_bytes(msg_cut_attr, sizeof(msg_cut_attr), &info), -EBADMSG);
        assert_int_equal(parse_bytes(msg_short_u32, sizeof(msg_short_u32), &info), -EBADMSG);
        assert_int_equal(parse_bytes(msg_cut_nested, sizeof(msg_cut_nested), &info), -EBADMSG);
}

static void test_parse_bad_name(void **state) {
        LinkInfo info;

        assert_int_equal(parse_bytes(msg_no_name, sizeof(msg_no_name), &info), -EBADMSG);
        assert_int_equal(parse_bytes(msg_name_unterminated, sizeof(msg_name_unterminated), &info), -EBADMSG);
        assert_int_equal(parse_bytes(msg_name_too_long, sizeof(msg_name_too_long), &info), -EBADMSG);
}

static void test_parse_short_address(void **state) {
        LinkInfo info;

        /* No error, but no MAC either. */
        assert_int_equal(parse_bytes(msg_short_address, sizeof(msg_short_address), &info), 0);
        assert_string_equal(info.name, "veth0");
        assert_true(hw_addr_is_null(&info.mac));
        assert_false(info.has_perm_mac);
        assert_true(hw_addr_is_null(&info.perm_mac));
}

static void test_parse_wrong_type(void **state) {
        LinkInfo info;

        assert_int_equal(parse_bytes(msg_newaddr, sizeof(msg_newaddr), &info), -EBADMSG);
        assert_int_equal(parse_bytes(msg_getlink, sizeof(msg_getlink), &info), -EBADMSG);
}

static void test_parse_zeroes_result(void **state) {
        LinkInfo info;

        /* A LinkInfo reused across messages must not keep old fields. */
        assert_int_equal(parse_bytes(msg_bond, sizeof(msg_bond), &info), 0);
        assert_int_equal(parse_bytes(msg_veth, sizeof(msg_veth), &info), 0);
        assert_false(info.has_bond_info);
        assert_int_equal(info.bond_active_ifindex, 0);

        memset(&info, 0x55, sizeof(info));
        assert_int_equal(parse_bytes(msg_header_only, sizeof(msg_header_only), &info), -EBADMSG);
        assert_int_equal(info.ifindex, 0);
        assert_string_equal(info.name, "");
}

/* ---- round trips ---- */

/* Builder output parses back. Requests carry no IFLA_IFNAME, which the
 * parser requires of the kernel's messages, so one is added first. */
static void parse_request(struct nl_msg *m, LinkInfo *ret) {
        assert_int_equal(nla_put_string(m, IFLA_IFNAME, "vf0"), 0);
        assert_int_equal(link_message_parse(nlmsg_hdr(m), ret), 0);
}

static void test_round_trip_set_master(void **state) {
        _cleanup_(nlmsg_freep) struct nl_msg *m = NULL;
        LinkInfo info;

        assert_int_equal(link_msg_set_master(&m, 5, 7), 0);
        parse_request(m, &info);
        assert_int_equal(info.ifindex, 5);
        assert_int_equal(info.master_ifindex, 7);
        assert_string_equal(info.name, "vf0");
}

static void test_round_trip_bond(void **state) {
        _cleanup_(nlmsg_freep) struct nl_msg *bond = NULL, *primary = NULL, *active = NULL;
        BondOptions o = test_options();
        LinkInfo info;

        assert_int_equal(link_msg_new_bond(&bond, "hnv0", &o, NULL), 0);
        assert_int_equal(link_message_parse(nlmsg_hdr(bond), &info), 0);
        assert_string_equal(info.name, "hnv0");
        assert_string_equal(info.kind, "bond");
        assert_int_equal(info.mtu, 1500);
        assert_true(info.has_bond_info);
        assert_int_equal(info.bond_mode, BOND_MODE_ACTIVEBACKUP);
        assert_int_equal(info.bond_miimon, 100);
        assert_int_equal(info.bond_fail_over_mac, 2);
        assert_int_equal(info.bond_num_peer_notif, 3);

        assert_int_equal(link_msg_bond_set_primary(&primary, 7, 3), 0);
        parse_request(primary, &info);
        assert_int_equal(info.ifindex, 7);
        assert_int_equal(info.bond_primary_ifindex, 3);
        assert_int_equal(info.bond_active_ifindex, 0);

        assert_int_equal(link_msg_bond_set_active(&active, 7, 4), 0);
        parse_request(active, &info);
        assert_int_equal(info.bond_active_ifindex, 4);
        assert_int_equal(info.bond_primary_ifindex, 0);
}

/* ---- libnl error codes ---- */

typedef struct ErrnoCase {
        int nle;
        int errno_value;
} ErrnoCase;

static const ErrnoCase errno_cases[] = {
        {NLE_SUCCESS, 0},
        {NLE_NOMEM, ENOMEM},
        {NLE_EXIST, EEXIST},
        {NLE_NODEV, ENODEV},
        {NLE_PERM, EPERM},
        {NLE_INVAL, EINVAL},
        {NLE_BUSY, EBUSY},
        {NLE_OPNOTSUPP, EOPNOTSUPP},
        {NLE_AGAIN, EAGAIN},
        {NLE_MSGSIZE, EMSGSIZE},
        {NLE_RANGE, ERANGE},
        {NLE_NOACCESS, EACCES},
        {NLE_OBJ_NOTFOUND, ENOENT},
        {NLE_MSG_TRUNC, EMSGSIZE},
        {NLE_NOADDR, EADDRNOTAVAIL},
        {NLE_BAD_SOCK, EBADF},
        {NLE_INTR, EINTR},
        {NLE_DUMP_INTR, EINTR},
        {NLE_SEQ_MISMATCH, EBADMSG},
        {NLE_MSG_OVERFLOW, EBADMSG},
        {NLE_MSG_TOOSHORT, EBADMSG},
        {NLE_PARSE_ERR, EBADMSG},
        /* No faithful errno: EIO. */
        {NLE_FAILURE, EIO},
        {NLE_AF_NOSUPPORT, EIO},
        {NLE_NOATTR, EIO},
        {NLE_MISSING_ATTR, EIO},
        {NLE_OBJ_MISMATCH, EIO},
        {NLE_ATTRSIZE, EIO},
        {NLE_MAX + 1, EIO},
        {1000, EIO},
        {INT_MAX, EIO},
};

static void test_nl_error_to_errno(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(errno_cases); i++) {
                const ErrnoCase *t = &errno_cases[i];

                assert_int_equal(nl_error_to_errno(-t->nle), -t->errno_value);
                assert_int_equal(nl_error_to_errno(t->nle), -t->errno_value);
        }

        /* No positive counterpart: must not overflow when negated. */
        assert_int_equal(nl_error_to_errno(INT_MIN), -EIO);

        for (int i = -200; i <= 200; i++)
                assert_true(nl_error_to_errno(i) <= 0);
}

/* The monitor's socket filter, run by the kernel: attached to one end of a
 * datagram socket pair (the kernel applies a receiver's filter there as on
 * netlink), it is handed link messages as the kernel words them. */
static bool filter_passes(int rx, int tx, uint16_t type, unsigned flags, unsigned change, size_t len) {
        struct {
                struct nlmsghdr h;
                struct ifinfomsg ifi;
        } m = {
                .h = {.nlmsg_len = sizeof(m), .nlmsg_type = type},
                .ifi = {.ifi_family = AF_UNSPEC, .ifi_index = 7, .ifi_flags = flags, .ifi_change = change},
        };
        char buf[sizeof(m)];

        assert_true(len <= sizeof(m));
        assert_int_equal(send(tx, &m, len, 0), (ssize_t)len);
        ssize_t n = recv(rx, buf, sizeof(buf), MSG_DONTWAIT);
        if (n < 0) {
                assert_int_equal(errno, EAGAIN);
                return false;
        }
        assert_int_equal(n, (ssize_t)len);
        return true;
}

static void test_monitor_filter(void **state) {
        const unsigned port = IFF_BROADCAST | IFF_MULTICAST | IFF_SLAVE, closed = IFF_UP | IFF_RUNNING;
        int sv[2];

        assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), 0);
        assert_int_equal(link_msg_monitor_filter_attach(sv[0]), 0);

        /* A bond port closed by the kernel on its way out: kept back. */
        assert_false(filter_passes(sv[0], sv[1], RTM_NEWLINK, port, closed, 32));
        /* An administrator's "ip link set down" on the same port. */
        assert_true(filter_passes(sv[0], sv[1], RTM_NEWLINK, port, IFF_UP, 32));
        /* A port the bond released and closed: IFF_SLAVE already gone. */
        assert_true(filter_passes(sv[0], sv[1], RTM_NEWLINK, IFF_BROADCAST | IFF_MULTICAST, closed, 32));
        /* A device just registered, down: ifi_change is all ones. */
        assert_true(filter_passes(sv[0], sv[1], RTM_NEWLINK, port, ~0U, 32));
        /* The port's RTM_DELLINK, and anything still up. */
        assert_true(filter_passes(sv[0], sv[1], RTM_DELLINK, port, closed, 32));
        assert_true(filter_passes(sv[0], sv[1], RTM_NEWLINK, port | IFF_UP, closed, 32));
        /* Too short to be a link message: passed on for the parser to refuse. */
        assert_true(filter_passes(sv[0], sv[1], RTM_NEWLINK, port, closed, 20));
        close(sv[0]);
        close(sv[1]);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_libnl_nest_quirks),
                cmocka_unit_test(test_new_bond),
                cmocka_unit_test(test_new_bond_no_mtu),
                cmocka_unit_test(test_new_bond_no_miimon),
                cmocka_unit_test(test_new_bond_mac),
                cmocka_unit_test(test_new_bond_invalid),
                cmocka_unit_test(test_bond_set_primary),
                cmocka_unit_test(test_bond_set_all_slaves_active),
                cmocka_unit_test(test_bond_set_active),
                cmocka_unit_test(test_bond_set_options),
                cmocka_unit_test(test_bond_set_options_no_miimon),
                cmocka_unit_test(test_set_master),
                cmocka_unit_test(test_set_up),
                cmocka_unit_test(test_set_mtu),
                cmocka_unit_test(test_set_address),
                cmocka_unit_test(test_delete),
                cmocka_unit_test(test_dump_request),
                cmocka_unit_test(test_builders_invalid),
                cmocka_unit_test(test_parse_bond),
                cmocka_unit_test(test_parse_peer_notification),
                cmocka_unit_test(test_parse_bond_port),
                cmocka_unit_test(test_parse_bond_port_perm_address),
                cmocka_unit_test(test_parse_veth),
                cmocka_unit_test(test_parse_dellink),
                cmocka_unit_test(test_parse_truncated),
                cmocka_unit_test(test_parse_bad_name),
                cmocka_unit_test(test_parse_short_address),
                cmocka_unit_test(test_parse_wrong_type),
                cmocka_unit_test(test_parse_zeroes_result),
                cmocka_unit_test(test_round_trip_set_master),
                cmocka_unit_test(test_round_trip_bond),
                cmocka_unit_test(test_nl_error_to_errno),
                cmocka_unit_test(test_monitor_filter),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
