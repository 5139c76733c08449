/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <limits.h>
/* glibc's net/if.h first: linux/if.h only steps aside (libc-compat.h) for
 * what glibc defined before it, and adds IFF_LOWER_UP, which glibc lacks. */
#include <net/if.h>
#include <linux/if.h>
#include <linux/if_bonding.h>
#include <linux/filter.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "link-msg.h"

/* The kernel's IFLA_INFO_KIND for the bonding driver. */
#define BOND_KIND "bond"

int nl_error_to_errno(int nle) {
        /* libnl returns -NLE_*, but a caller may have kept the code positive
         * (nl_geterror() takes either); accept both. INT_MIN has no positive
         * counterpart and is no NLE_* code anyway. */
        if (nle == INT_MIN)
                return -EIO;
        if (nle < 0)
                nle = -nle;

        switch (nle) {
        case NLE_SUCCESS:
                return 0;
        case NLE_NOMEM:
                return -ENOMEM;
        case NLE_EXIST:
                return -EEXIST;
        case NLE_NODEV:
                return -ENODEV;
        case NLE_PERM:
                return -EPERM;
        case NLE_INVAL:
                return -EINVAL;
        case NLE_BUSY:
                return -EBUSY;
        case NLE_OPNOTSUPP:
                return -EOPNOTSUPP;
        case NLE_AGAIN:
                return -EAGAIN;
        case NLE_MSGSIZE:
        case NLE_MSG_TRUNC:
                return -EMSGSIZE;
        case NLE_RANGE:
                return -ERANGE;
        case NLE_NOACCESS:
                return -EACCES;
        case NLE_OBJ_NOTFOUND:
                return -ENOENT;
        case NLE_NOADDR:
                return -EADDRNOTAVAIL;
        case NLE_BAD_SOCK:
                return -EBADF;
        case NLE_INTR:
        case NLE_DUMP_INTR:
                return -EINTR;
        case NLE_SEQ_MISMATCH:
        case NLE_MSG_OVERFLOW:
        case NLE_MSG_TOOSHORT:
        case NLE_PARSE_ERR:
                return -EBADMSG;
        default:
                /* NLE_* are plain integers from libnl, not our enum: anything
                 * without a faithful errno equivalent is an I/O error. */
                return -EIO;
        }
}

/* Allocates a link message with its ifinfomsg. */
static int link_msg_new(struct nl_msg **ret, int type, int flags, int ifindex, unsigned ifi_flags,
                        unsigned ifi_change) {
        _cleanup_(nlmsg_freep) struct nl_msg *m = NULL;
        /* Not const: nlmsg_append() takes a plain pointer. */
        struct ifinfomsg ifi = {
                .ifi_family = AF_UNSPEC,
                .ifi_index = ifindex,
                .ifi_flags = ifi_flags,
                .ifi_change = ifi_change,
        };
        int r;

        m = nlmsg_alloc_simple(type, flags);
        if (!m)
                return -ENOMEM;

        r = nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
        if (r < 0)
                return nl_error_to_errno(r);

        *ret = TAKE_PTR(m);
        return 0;
}

/* A request about an existing link. It asks for an ACK: without one a
 * failed request is silent, and the caller would wait for a change that
 * never comes. */
static int link_msg_new_request(struct nl_msg **ret, int type, int ifindex) {
        if (ifindex <= 0)
                return -EINVAL;

        return link_msg_new(ret, type, NLM_F_REQUEST | NLM_F_ACK, ifindex, 0, 0);
}

/* Opens IFLA_LINKINFO{IFLA_INFO_KIND "bond", IFLA_INFO_DATA{...}}; the caller
 * puts IFLA_BOND_* and closes both with bond_data_end(). The kind is required
 * even on an existing link: rtnetlink only hands IFLA_INFO_DATA to the
 * driver whose kind matches the link's, and fails with EOPNOTSUPP otherwise. */
static int bond_data_begin(struct nl_msg *m, struct nlattr **ret_linkinfo, struct nlattr **ret_data) {
        struct nlattr *linkinfo = NULL, *data = NULL;
        int r;

        linkinfo = nla_nest_start(m, IFLA_LINKINFO);
        if (!linkinfo)
                return -ENOMEM;

        r = nla_put_string(m, IFLA_INFO_KIND, BOND_KIND);
        if (r < 0)
                return nl_error_to_errno(r);

        data = nla_nest_start(m, IFLA_INFO_DATA);
        if (!data)
                return -ENOMEM;

        *ret_linkinfo = linkinfo;
        *ret_data = data;
        return 0;
}

static int bond_data_end(struct nl_msg *m, struct nlattr *linkinfo, struct nlattr *data) {
        int r;

        r = nla_nest_end(m, data);
        if (r < 0)
                return nl_error_to_errno(r);

        r = nla_nest_end(m, linkinfo);
        if (r < 0)
                return nl_error_to_errno(r);

        return 0;
}

/* The options hnv may change on a live bond. mode and fail_over_mac are not
 * among them: the kernel refuses mode unless the bond is down and without
 * ports, and fail_over_mac unless it has no ports. The kernel applies
 * IFLA_BOND_* in its own fixed order (miimon before the delays it rounds to a
 * multiple of it), so the order here only keeps the bytes predictable. */
static int bond_put_runtime_options(struct nl_msg *m, const BondOptions *o) {
        int r;

        r = nla_put_u32(m, IFLA_BOND_MIIMON, o->miimon_ms);
        if (r < 0)
                return nl_error_to_errno(r);

        /* With miimon 0 the kernel fails any updelay, downdelay or
         * peer_notif_delay with EPERM, even 0 ("MII monitoring is
         * disabled"), and for a new bond that fails the whole RTM_NEWLINK.
         * They mean nothing without miimon, so they are left out. */
        if (o->miimon_ms == 0)
                return 0;

        r = nla_put_u32(m, IFLA_BOND_UPDELAY, o->updelay_ms);
        if (r < 0)
                return nl_error_to_errno(r);
        r = nla_put_u32(m, IFLA_BOND_DOWNDELAY, o->downdelay_ms);
        if (r < 0)
                return nl_error_to_errno(r);

        return 0;
}

static int bond_put_peer_notif(struct nl_msg *m, const BondOptions *o) {
        int r;

        r = nla_put_u8(m, IFLA_BOND_NUM_PEER_NOTIF, o->num_peer_notif);
        if (r < 0)
                return nl_error_to_errno(r);

        /* See bond_put_runtime_options(). */
        if (o->miimon_ms == 0)
                return 0;

        r = nla_put_u32(m, IFLA_BOND_PEER_NOTIF_DELAY, o->peer_notif_delay_ms);
        if (r < 0)
                return nl_error_to_errno(r);

        return 0;
}

int link_msg_new_bond(struct nl_msg **ret, const char *name, const BondOptions *o, const HwAddr *mac) {
        _cleanup_(nlmsg_freep) struct nl_msg *m = NULL;
        struct nlattr *linkinfo = NULL, *data = NULL;
        int r;

        if (!ret || !name || !o)
                return -EINVAL;
        /* The kernel would refuse these too, but with a less telling EINVAL
         * or, for "", by picking a "bond%d" name we would not know. */
        if (name[0] == '\0' || strlen(name) >= IFNAMSIZ)
                return -EINVAL;

        /* NLM_F_EXCL: a link of that name that hnv did not create must not be
         * silently adopted and reconfigured. */
        r = link_msg_new(&m, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, 0, 0, 0);
        if (r < 0)
                return r;

        r = nla_put_string(m, IFLA_IFNAME, name);
        if (r < 0)
                return nl_error_to_errno(r);

        if (o->mtu != 0) {
                r = nla_put_u32(m, IFLA_MTU, o->mtu);
                if (r < 0)
                        return nl_error_to_errno(r);
        }

        if (mac && !hw_addr_is_null(mac)) {
                r = nla_put(m, IFLA_ADDRESS, sizeof(mac->bytes), mac->bytes);
                if (r < 0)
                        return nl_error_to_errno(r);
        }

        r = bond_data_begin(m, &linkinfo, &data);
        if (r < 0)
                return r;

        /* mode and fail_over_mac can only be set while the bond has no ports,
         * so they go in at creation and never again. */
        r = nla_put_u8(m, IFLA_BOND_MODE, BOND_MODE_ACTIVEBACKUP);
        if (r < 0)
                return nl_error_to_errno(r);

        r = bond_put_runtime_options(m, o);
        if (r < 0)
                return r;

        r = nla_put_u8(m, IFLA_BOND_FAIL_OVER_MAC, o->fail_over_mac);
        if (r < 0)
                return nl_error_to_errno(r);

        /* primary_reselect=always (0): when the VF comes back it takes the
         * traffic again, which is the point of pairing it with a backup. */
        r = nla_put_u8(m, IFLA_BOND_PRIMARY_RESELECT, 0);
        if (r < 0)
                return nl_error_to_errno(r);

        r = bond_put_peer_notif(m, o);
        if (r < 0)
                return r;

        r = bond_data_end(m, linkinfo, data);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(m);
        return 0;
}

/* IFLA_BOND_PRIMARY and IFLA_BOND_ACTIVE_SLAVE are u32 ifindexes (not names,
 * as in sysfs). 0 clears either. For the primary, so does an ifindex that no
 * longer exists: the kernel does not fail with ENODEV there as it does for
 * the active port, so the caller cannot rely on an error to notice. */
static int bond_set_port_attr(struct nl_msg **ret, int bond_ifindex, int attr, int port_ifindex) {
        _cleanup_(nlmsg_freep) struct nl_msg *m = NULL;
        struct nlattr *linkinfo = NULL, *data = NULL;
        int r;

        if (!ret || port_ifindex < 0)
                return -EINVAL;

        r = link_msg_new_request(&m, RTM_NEWLINK, bond_ifindex);
        if (r < 0)
                return r;

        r = bond_data_begin(m, &linkinfo, &data);
        if (r < 0)
                return r;

        r = nla_put_u32(m, attr, (uint32_t)port_ifindex);
        if (r < 0)
                return nl_error_to_errno(r);

        r = bond_data_end(m, linkinfo, data);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(m);
        return 0;
}

int link_msg_bond_set_primary(struct nl_msg **ret, int bond_ifindex, int port_ifindex) {
        return bond_set_port_attr(ret, bond_ifindex, IFLA_BOND_PRIMARY, port_ifindex);
}

int link_msg_bond_set_active(struct nl_msg **ret, int bond_ifindex, int port_ifindex) {
        return bond_set_port_attr(ret, bond_ifindex, IFLA_BOND_ACTIVE_SLAVE, port_ifindex);
}

int link_msg_bond_set_all_slaves_active(struct nl_msg **ret, int bond_ifindex, bool on) {
        _cleanup_(nlmsg_freep) struct nl_msg *m = NULL;
        struct nlattr *linkinfo = NULL, *data = NULL;
        int r;

        if (!ret)
                return -EINVAL;

        r = link_msg_new_request(&m, RTM_NEWLINK, bond_ifindex);
        if (r < 0)
                return r;
        r = bond_data_begin(m, &linkinfo, &data);
        if (r < 0)
                return r;
        r = nla_put_u8(m, IFLA_BOND_ALL_SLAVES_ACTIVE, on ? 1 : 0);
        if (r < 0)
                return nl_error_to_errno(r);
        r = bond_data_end(m, linkinfo, data);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(m);
        return 0;
}

int link_msg_bond_set_options(struct nl_msg **ret, int bond_ifindex, const BondOptions *o) {
        _cleanup_(nlmsg_freep) struct nl_msg *m = NULL;
        struct nlattr *linkinfo = NULL, *data = NULL;
        int r;

        if (!ret || !o)
                return -EINVAL;

        r = link_msg_new_request(&m, RTM_NEWLINK, bond_ifindex);
        if (r < 0)
                return r;

        r = bond_data_begin(m, &linkinfo, &data);
        if (r < 0)
                return r;

        r = bond_put_runtime_options(m, o);
        if (r < 0)
                return r;

        r = bond_put_peer_notif(m, o);
        if (r < 0)
                return r;

        r = bond_data_end(m, linkinfo, data);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(m);
        return 0;
}

int link_msg_set_master(struct nl_msg **ret, int ifindex, int master_ifindex) {
        _cleanup_(nlmsg_freep) struct nl_msg *m = NULL;
        int r;

        if (!ret || master_ifindex < 0)
                return -EINVAL;

        r = link_msg_new_request(&m, RTM_NEWLINK, ifindex);
        if (r < 0)
                return r;

        r = nla_put_u32(m, IFLA_MASTER, (uint32_t)master_ifindex);
        if (r < 0)
                return nl_error_to_errno(r);

        *ret = TAKE_PTR(m);
        return 0;
}

int link_msg_set_up(struct nl_msg **ret, int ifindex, bool up) {
        if (!ret || ifindex <= 0)
                return -EINVAL;

        /* ifi_change limits the request to IFF_UP: without it the kernel
         * would take ifi_flags as the whole flag word and clear the others. */
        return link_msg_new(ret, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, ifindex, up ? IFF_UP : 0, IFF_UP);
}

int link_msg_set_mtu(struct nl_msg **ret, int ifindex, uint32_t mtu) {
        _cleanup_(nlmsg_freep) struct nl_msg *m = NULL;
        int r;

        /* 0 is BondOptions' "keep what the ports have", never a real MTU:
         * catching it here keeps that value from reaching the kernel. */
        if (!ret || mtu == 0)
                return -EINVAL;

        r = link_msg_new_request(&m, RTM_NEWLINK, ifindex);
        if (r < 0)
                return r;

        r = nla_put_u32(m, IFLA_MTU, mtu);
        if (r < 0)
                return nl_error_to_errno(r);

        *ret = TAKE_PTR(m);
        return 0;
}

int link_msg_set_address(struct nl_msg **ret, int ifindex, const HwAddr *mac) {
        _cleanup_(nlmsg_freep) struct nl_msg *m = NULL;
        int r;

        if (!ret || !mac || hw_addr_is_null(mac))
                return -EINVAL;

        r = link_msg_new_request(&m, RTM_NEWLINK, ifindex);
        if (r < 0)
                return r;

        r = nla_put(m, IFLA_ADDRESS, sizeof(mac->bytes), mac->bytes);
        if (r < 0)
                return nl_error_to_errno(r);

        *ret = TAKE_PTR(m);
        return 0;
}

int link_msg_delete(struct nl_msg **ret, int ifindex) {
        if (!ret)
                return -EINVAL;

        return link_msg_new_request(ret, RTM_DELLINK, ifindex);
}

int link_msg_dump_request(struct nl_msg **ret) {
        if (!ret)
                return -EINVAL;

        /* No IFLA_EXT_MASK: hnv needs no VF details, and asking for them
         * makes every dump message of a PF much larger. */
        return link_msg_new(ret, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 0, 0, 0);
}

/* Only the attributes read below have a policy entry: the others stay
 * NLA_UNSPEC, so a new or odd attribute the kernel adds cannot make a
 * message we need unparseable. Binary addresses are NLA_UNSPEC too, their
 * length is checked where they are read (non-Ethernet links have other
 * address lengths, which is no error). */
/* clang-format off */
static const struct nla_policy link_policy[IFLA_MAX + 1] = {
        [IFLA_IFNAME] = {.type = NLA_STRING, .maxlen = IFNAMSIZ},
        [IFLA_MTU] = {.type = NLA_U32},
        [IFLA_OPERSTATE] = {.type = NLA_U8},
        [IFLA_MASTER] = {.type = NLA_U32},
        [IFLA_EVENT] = {.type = NLA_U32},
        [IFLA_LINKINFO] = {.type = NLA_NESTED},
};

static const struct nla_policy linkinfo_policy[IFLA_INFO_MAX + 1] = {
        [IFLA_INFO_KIND] = {.type = NLA_STRING},
        [IFLA_INFO_DATA] = {.type = NLA_NESTED},
        [IFLA_INFO_SLAVE_KIND] = {.type = NLA_STRING},
        [IFLA_INFO_SLAVE_DATA] = {.type = NLA_NESTED},
};

static const struct nla_policy bond_policy[IFLA_BOND_MAX + 1] = {
        [IFLA_BOND_MODE] = {.type = NLA_U8},
        [IFLA_BOND_ACTIVE_SLAVE] = {.type = NLA_U32},
        [IFLA_BOND_MIIMON] = {.type = NLA_U32},
        [IFLA_BOND_PRIMARY] = {.type = NLA_U32},
        [IFLA_BOND_FAIL_OVER_MAC] = {.type = NLA_U8},
        [IFLA_BOND_NUM_PEER_NOTIF] = {.type = NLA_U8},
        [IFLA_BOND_ALL_SLAVES_ACTIVE] = {.type = NLA_U8},
};

static const struct nla_policy bond_port_policy[IFLA_BOND_SLAVE_MAX + 1] = {
        [IFLA_BOND_SLAVE_STATE] = {.type = NLA_U8},
        [IFLA_BOND_SLAVE_MII_STATUS] = {.type = NLA_U8},
};
/* clang-format on */

/* nla_parse() with the policy checks, plus what libnl only logs: bytes
 * left over after the last whole attribute mean a truncated or corrupt
 * message, and one cut in the middle of an attribute could be missing
 * exactly the attribute we look for. The last attribute may lack its
 * padding, which leaves rem negative, not positive. */
static int parse_attrs(struct nlattr **tb, int maxtype, struct nlattr *head, int len,
                       const struct nla_policy *policy) {
        struct nlattr *a;
        int rem;

        if (nla_parse(tb, maxtype, head, len, policy) < 0)
                return -EBADMSG;

        nla_for_each_attr(a, head, len, rem) {
        }
        if (rem > 0)
                return -EBADMSG;

        return 0;
}

static int parse_nested(struct nlattr **tb, int maxtype, struct nlattr *nest,
                        const struct nla_policy *policy) {
        return parse_attrs(tb, maxtype, nla_data(nest), nla_len(nest), policy);
}

/* Reads a 6-byte hardware address. Returns false for other lengths and for
 * all zeroes, which the kernel uses for "no address". */
static bool hw_addr_from_attr(const struct nlattr *a, HwAddr *ret) {
        HwAddr addr;

        if (!a || nla_len(a) != (int)sizeof(addr.bytes))
                return false;

        memcpy(addr.bytes, nla_data(a), sizeof(addr.bytes));
        if (hw_addr_is_null(&addr))
                return false;

        *ret = addr;
        return true;
}

static int parse_bond_info(struct nlattr *data, LinkInfo *info) {
        struct nlattr *tb[IFLA_BOND_MAX + 1] = {};
        int r;

        r = parse_nested(tb, IFLA_BOND_MAX, data, bond_policy);
        if (r < 0)
                return r;

        info->has_bond_info = true;
        if (tb[IFLA_BOND_MODE])
                info->bond_mode = nla_get_u8(tb[IFLA_BOND_MODE]);
        /* Both are left out by the kernel when unset: 0 is "none". */
        if (tb[IFLA_BOND_ACTIVE_SLAVE])
                info->bond_active_ifindex = (int)nla_get_u32(tb[IFLA_BOND_ACTIVE_SLAVE]);
        if (tb[IFLA_BOND_PRIMARY])
                info->bond_primary_ifindex = (int)nla_get_u32(tb[IFLA_BOND_PRIMARY]);
        if (tb[IFLA_BOND_MIIMON])
                info->bond_miimon = nla_get_u32(tb[IFLA_BOND_MIIMON]);
        if (tb[IFLA_BOND_FAIL_OVER_MAC])
                info->bond_fail_over_mac = nla_get_u8(tb[IFLA_BOND_FAIL_OVER_MAC]);
        if (tb[IFLA_BOND_NUM_PEER_NOTIF])
                info->bond_num_peer_notif = nla_get_u8(tb[IFLA_BOND_NUM_PEER_NOTIF]);
        if (tb[IFLA_BOND_ALL_SLAVES_ACTIVE])
                info->bond_all_ports_active = nla_get_u8(tb[IFLA_BOND_ALL_SLAVES_ACTIVE]);

        return 0;
}

static int parse_bond_port_info(struct nlattr *data, LinkInfo *info, struct nlattr **ret_perm_hwaddr) {
        struct nlattr *tb[IFLA_BOND_SLAVE_MAX + 1] = {};
        int r;

        r = parse_nested(tb, IFLA_BOND_SLAVE_MAX, data, bond_port_policy);
        if (r < 0)
                return r;

        /* BOND_STATE_ACTIVE and BOND_LINK_UP are both 0 in the kernel, so a
         * missing attribute must not read as "active" or "up". */
        info->bond_port_active =
                tb[IFLA_BOND_SLAVE_STATE] && nla_get_u8(tb[IFLA_BOND_SLAVE_STATE]) == BOND_STATE_ACTIVE;
        info->bond_port_mii_up =
                tb[IFLA_BOND_SLAVE_MII_STATUS] && nla_get_u8(tb[IFLA_BOND_SLAVE_MII_STATUS]) == BOND_LINK_UP;
        *ret_perm_hwaddr = tb[IFLA_BOND_SLAVE_PERM_HWADDR];

        return 0;
}

static int parse_linkinfo(struct nlattr *linkinfo, LinkInfo *info, struct nlattr **ret_perm_hwaddr) {
        struct nlattr *tb[IFLA_INFO_MAX + 1] = {};
        int r;

        r = parse_nested(tb, IFLA_INFO_MAX, linkinfo, linkinfo_policy);
        if (r < 0)
                return r;

        /* Truncation is harmless here: kinds are short ("bond", "veth"), and
         * a longer one cut to fit can never compare equal to "bond". */
        if (tb[IFLA_INFO_KIND])
                nla_strlcpy(info->kind, tb[IFLA_INFO_KIND], sizeof(info->kind));

        if (streq(info->kind, BOND_KIND) && tb[IFLA_INFO_DATA]) {
                r = parse_bond_info(tb[IFLA_INFO_DATA], info);
                if (r < 0)
                        return r;
        }

        if (tb[IFLA_INFO_SLAVE_KIND] && streq(nla_data(tb[IFLA_INFO_SLAVE_KIND]), BOND_KIND)) {
                info->is_bond_port = true;
                if (tb[IFLA_INFO_SLAVE_DATA]) {
                        r = parse_bond_port_info(tb[IFLA_INFO_SLAVE_DATA], info, ret_perm_hwaddr);
                        if (r < 0)
                                return r;
                }
        }

        return 0;
}

int link_message_parse(const struct nlmsghdr *h, LinkInfo *ret) {
        struct nlattr *tb[IFLA_MAX + 1] = {}, *port_perm_hwaddr = NULL;
        const struct ifinfomsg *ifi;
        LinkInfo info = {};
        int r;

        if (!h || !ret)
                return -EINVAL;

        *ret = (LinkInfo){};

        if (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK)
                return -EBADMSG;
        if (!nlmsg_valid_hdr(h, sizeof(struct ifinfomsg)))
                return -EBADMSG;

        /* Not nlmsg_parse(): it takes a non-const header although it only
         * reads it. nlmsg_valid_hdr() above is the length check it would do. */
        r = parse_attrs(tb, IFLA_MAX, nlmsg_attrdata(h, sizeof(struct ifinfomsg)),
                        nlmsg_attrlen(h, sizeof(struct ifinfomsg)), link_policy);
        if (r < 0)
                return r;

        ifi = nlmsg_data(h);
        info.ifindex = ifi->ifi_index;
        info.flags = ifi->ifi_flags;
        info.carrier = !!(ifi->ifi_flags & IFF_LOWER_UP);

        /* The kernel always sends the name; a message without one cannot be
         * matched against configuration and is treated as garbage. */
        if (!tb[IFLA_IFNAME])
                return -EBADMSG;
        r = strscpy_strict(info.name, sizeof(info.name), nla_data(tb[IFLA_IFNAME]));
        if (r < 0)
                return -EBADMSG;

        if (tb[IFLA_MTU])
                info.mtu = nla_get_u32(tb[IFLA_MTU]);
        if (tb[IFLA_OPERSTATE])
                info.operstate = nla_get_u8(tb[IFLA_OPERSTATE]);
        if (tb[IFLA_MASTER])
                info.master_ifindex = (int)nla_get_u32(tb[IFLA_MASTER]);
        info.peers_notified = tb[IFLA_EVENT] && nla_get_u32(tb[IFLA_EVENT]) == IFLA_EVENT_NOTIFY_PEERS;

        (void)hw_addr_from_attr(tb[IFLA_ADDRESS], &info.mac);

        if (tb[IFLA_LINKINFO]) {
                r = parse_linkinfo(tb[IFLA_LINKINFO], &info, &port_perm_hwaddr);
                if (r < 0)
                        return r;
        }

        /* IFLA_PERM_ADDRESS is the driver's own; devices with a random MAC
         * (veth, some paravirtual NICs) have none. For those the bond's
         * record of the MAC the port had when it was enslaved is the best
         * identity left, since fail_over_mac may have rewritten IFLA_ADDRESS. */
        info.has_perm_mac = hw_addr_from_attr(tb[IFLA_PERM_ADDRESS], &info.perm_mac) ||
                            hw_addr_from_attr(port_perm_hwaddr, &info.perm_mac);

        *ret = info;
        return 0;
}

/* Drops the one message a bond port's own closing sends: RTM_NEWLINK,
 * IFF_UP gone, ifi_change exactly IFF_UP|IFF_RUNNING (only dev_close()
 * says that; an administrator's "ip link set down" says IFF_UP), and
 * IFF_SLAVE still set (the bond clears it before it closes a port it
 * releases). The kernel closes a port so when it unregisters it (a VF
 * unplugged, its driver unbound) or moves it to another namespace, and
 * in both cases the bond lets go of the port and switches a moment
 * later, under the same lock. Woken by the message, hnvd could do nothing
 * but take the CPU from that switch: on a one-CPU guest a VF's surprise
 * removal cost the traffic more than twice the plain bond's, even with
 * hnvd reading the message and doing nothing (docs/performance.md). What
 * hnvd misses by it comes right after: the port's
 * RTM_DELLINK and the bond's new active port. A driver that closes a port
 * and keeps it leaves the switch to miimon, as without hnvd, and the
 * bond's report of the port's lost link brings hnvd up to date. */
int link_msg_monitor_filter_attach(int fd) {
        /* Classic BPF loads halfwords and words as big-endian; netlink is in
         * host order, so each constant goes through the same conversion. */
        enum { KEEP = 9, DROP = 10 };
#define TO(target, from) ((target) - (from)-1)
        /* clang-format off */
        struct sock_filter code[] = {
                /* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
                /* 1 */ BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, NLMSG_HDRLEN + sizeof(struct ifinfomsg), 0, TO(KEEP, 1)),
                /* 2 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, offsetof(struct nlmsghdr, nlmsg_type)),
                /* 3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htons(RTM_NEWLINK), 0, TO(KEEP, 3)),
                /* 4 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NLMSG_HDRLEN + offsetof(struct ifinfomsg, ifi_change)),
                /* 5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htonl(IFF_UP | IFF_RUNNING), 0, TO(KEEP, 5)),
                /* 6 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NLMSG_HDRLEN + offsetof(struct ifinfomsg, ifi_flags)),
                /* 7 */ BPF_STMT(BPF_ALU | BPF_AND | BPF_K, htonl(IFF_UP | IFF_SLAVE)),
                /* 8 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htonl(IFF_SLAVE), TO(DROP, 8), TO(KEEP, 8)),
                /* 9: KEEP */ BPF_STMT(BPF_RET | BPF_K, UINT32_MAX),
                /* 10: DROP */ BPF_STMT(BPF_RET | BPF_K, 0),
        };
        /* clang-format on */
#undef TO
        struct sock_fprog prog = {.len = ELEMENTSOF(code), .filter = code};

        if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
                return -errno;
        return 0;
}
