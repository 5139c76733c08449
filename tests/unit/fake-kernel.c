/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* glibc's net/if.h first: linux/if.h then adds only IFF_LOWER_UP. */
#include <net/if.h>
#include <linux/if.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake-kernel.h"

#define FAKE_MAX_LINKS  64
#define FAKE_MAX_EVENTS 512

typedef struct FakeLink {
        bool present;
        LinkInfo li;            /* the stored facts; view() derives the rest */
        bool cable;             /* carrier while up */
        bool mii_up;            /* the bond's view of a port's link, as of its last miimon tick */
        bool udev_ready;        /* udev has finished with it */
        HwAddr mac_before;      /* a port's MAC when enslaved: the kernel restores it on release */
        char primary[IFNAMSIZ]; /* a bond's primary, by name as the kernel keeps it */
        bool bond_mac_set;
        int addresses;
        bool pci;
        char *driver;
        char **props;
} FakeLink;

typedef enum FakeEventKind { EV_LINK, EV_REMOVED, EV_UDEV, EV_NOTIFY_PEERS } FakeEventKind;

typedef struct FakeEvent {
        FakeEventKind kind;
        int ifindex;
        LinkInfo removed; /* EV_REMOVED: the last word on it */
} FakeEvent;

struct FakeKernel {
        sd_event *event;
        FakeLink links[FAKE_MAX_LINKS];
        int next_ifindex;
        FakeEvent queue[FAKE_MAX_EVENTS];
        size_t n_queue;
        sd_event_source *deliver;
        PlatformHandlers handlers;
        bool started;
        char calls[16384];
        size_t calls_len;
        char fail_op[32];
        int fail_error;
        unsigned fail_n;
        bool bonds_silent; /* no NOTIFY_PEERS events */
        bool dump_interrupted;
        unsigned get_link_calls;
};

/* ---- links -------------------------------------------------------------- */

static FakeLink *by_ifindex(FakeKernel *k, int ifindex) {
        for (size_t i = 0; i < FAKE_MAX_LINKS; i++)
                if (k->links[i].present && k->links[i].li.ifindex == ifindex)
                        return &k->links[i];
        return NULL;
}

static FakeLink *by_name(FakeKernel *k, const char *name) {
        for (size_t i = 0; i < FAKE_MAX_LINKS; i++)
                if (k->links[i].present && streq(k->links[i].li.name, name))
                        return &k->links[i];
        return NULL;
}

static const char *name_of(FakeKernel *k, int ifindex) {
        FakeLink *l = by_ifindex(k, ifindex);
        return l ? l->li.name : "?";
}

static bool is_bond(const FakeLink *l) {
        return streq(l->li.kind, "bond");
}

static bool is_up(const FakeLink *l) {
        return l->li.flags & IFF_UP;
}

static FakeLink *master_of(FakeKernel *k, const FakeLink *l) {
        return l->li.master_ifindex > 0 ? by_ifindex(k, l->li.master_ifindex) : NULL;
}

/* What the kernel reports: the stored facts plus what follows from them. */
static LinkInfo view(FakeKernel *k, const FakeLink *l) {
        LinkInfo li = l->li;
        bool carrier = is_up(l) && l->cable;

        if (is_bond(l)) {
                carrier = false;
                li.bond_primary_ifindex = 0;
                for (size_t i = 0; i < FAKE_MAX_LINKS; i++) {
                        const FakeLink *p = &k->links[i];
                        if (!p->present || p->li.master_ifindex != l->li.ifindex)
                                continue;
                        carrier = carrier || (is_up(l) && p->mii_up);
                        if (l->primary[0] && streq(p->li.name, l->primary))
                                li.bond_primary_ifindex = p->li.ifindex;
                }
        }
        FakeLink *m = master_of(k, l);
        li.is_bond_port = m && is_bond(m);
        li.bond_port_mii_up = li.is_bond_port && l->mii_up;
        li.bond_port_active = li.is_bond_port && m->li.bond_active_ifindex == l->li.ifindex;
        li.carrier = carrier;
        if (carrier)
                li.flags |= IFF_LOWER_UP | IFF_RUNNING;
        else
                li.flags &= ~(IFF_LOWER_UP | IFF_RUNNING);
        return li;
}

/* ---- events ------------------------------------------------------------- */

static int on_deliver(sd_event_source *s, void *userdata);

static void queue(FakeKernel *k, FakeEventKind kind, const FakeLink *l) {
        if (!k->started)
                return;
        if (kind == EV_LINK)
                for (size_t i = 0; i < k->n_queue; i++)
                        if (k->queue[i].kind == EV_LINK && k->queue[i].ifindex == l->li.ifindex)
                                return; /* it will report what is true then */
        assert_true(k->n_queue < FAKE_MAX_EVENTS);
        k->queue[k->n_queue++] = (FakeEvent){.kind = kind,
                                             .ifindex = l->li.ifindex,
                                             .removed = kind == EV_REMOVED ? view(k, l) : (LinkInfo){}};
        (void)sd_event_source_set_enabled(k->deliver, SD_EVENT_ONESHOT);
}

static void changed(FakeKernel *k, const FakeLink *l) {
        if (l)
                queue(k, EV_LINK, l);
}

static void deliver_udev(FakeKernel *k, FakeLink *l, const char *action) {
        UdevInfo info = {
                .ifindex = l->li.ifindex,
                .name = l->li.name,
                .action = action,
                .initialized = true,
                .is_pci = l->pci,
                .driver = l->driver ? strdup(l->driver) : NULL,
        };
        size_t n = 0;

        while (l->props && l->props[n])
                n++;
        info.properties = calloc(n + 1, sizeof(char *));
        assert_non_null(info.properties);
        for (size_t i = 0; i < n; i++)
                info.properties[i] = strdup(l->props[i]);
        k->handlers.device(k->handlers.userdata, &info);
        free(info.driver);
        strv_free(info.properties);
}

static int on_deliver(sd_event_source *s, void *userdata) {
        FakeKernel *k = userdata;
        FakeEvent batch[FAKE_MAX_EVENTS];
        size_t n = k->n_queue;

        /* What the handlers cause is queued for the next round, as the
         * kernel's answers to hnvd's requests reach its monitor later. */
        memcpy(batch, k->queue, n * sizeof(FakeEvent));
        k->n_queue = 0;
        for (size_t i = 0; i < n; i++) {
                FakeLink *l = by_ifindex(k, batch[i].ifindex);
                LinkInfo li;

                switch (batch[i].kind) {
                case EV_REMOVED:
                        k->handlers.link(k->handlers.userdata, true, &batch[i].removed);
                        break;
                case EV_LINK:
                        if (!l)
                                break;
                        li = view(k, l);
                        k->handlers.link(k->handlers.userdata, false, &li);
                        break;
                case EV_UDEV:
                        if (!l)
                                break;
                        l->udev_ready = true;
                        deliver_udev(k, l, "add");
                        break;
                case EV_NOTIFY_PEERS:
                        if (!l)
                                break;
                        li = view(k, l);
                        li.peers_notified = true;
                        k->handlers.link(k->handlers.userdata, false, &li);
                        break;
                }
        }
        return 0;
}

/* ---- the bonding driver -------------------------------------------------- */

static FakeLink *port_by_ifindex(FakeKernel *k, FakeLink *bond, int ifindex) {
        FakeLink *p = by_ifindex(k, ifindex);
        return p && p->li.master_ifindex == bond->li.ifindex ? p : NULL;
}

static bool usable(const FakeLink *p);

/* fail_over_mac decides whose MAC moves at a switch: with follow the new
 * active port takes the bond's and the old one the new one's old MAC. */
static void make_active(FakeKernel *k, FakeLink *bond, FakeLink *port) {
        FakeLink *old = bond->li.bond_active_ifindex ? by_ifindex(k, bond->li.bond_active_ifindex) : NULL;

        if (old == port)
                return;
        if (port && bond->li.bond_fail_over_mac == FAIL_OVER_MAC_FOLLOW) {
                if (old && old->li.master_ifindex == bond->li.ifindex) {
                        old->li.mac = port->li.mac;
                        changed(k, old);
                }
                port->li.mac = bond->li.mac;
        } else if (port && bond->li.bond_fail_over_mac == FAIL_OVER_MAC_ACTIVE)
                bond->li.mac = port->li.mac;
        bond->li.bond_active_ifindex = port ? port->li.ifindex : 0;
        changed(k, bond);
        changed(k, old);
        changed(k, port);
        /* The kernel tells the peers at once, as it switches, when the new
         * port's link is up (bond_change_active_slave()). */
        if (port && is_up(bond) && usable(port) && bond->li.bond_num_peer_notif > 0 && !k->bonds_silent)
                queue(k, EV_NOTIFY_PEERS, bond);
}

static bool usable(const FakeLink *p) {
        return p && is_up(p) && p->mii_up;
}

/* Active-backup with primary_reselect=always: the primary when its link is
 * up, else the current port while its link is up, else the first port up. */
static void reselect(FakeKernel *k, FakeLink *bond) {
        FakeLink *cur = port_by_ifindex(k, bond, bond->li.bond_active_ifindex);

        if (!usable(cur))
                cur = NULL;
        for (size_t i = 0; i < FAKE_MAX_LINKS; i++) {
                FakeLink *p = &k->links[i];
                if (p->present && p->li.master_ifindex == bond->li.ifindex && bond->primary[0] &&
                    streq(p->li.name, bond->primary) && usable(p))
                        cur = p;
        }
        for (size_t i = 0; !cur && i < FAKE_MAX_LINKS; i++) {
                FakeLink *p = &k->links[i];
                if (p->present && p->li.master_ifindex == bond->li.ifindex && usable(p))
                        cur = p;
        }
        make_active(k, bond, cur);
}

static void release(FakeKernel *k, FakeLink *bond, FakeLink *port) {
        port->li.master_ifindex = 0;
        port->li.flags &= ~IFF_UP; /* the bond closes it */
        port->mii_up = false;
        port->li.mac = port->mac_before;
        if (bond->li.bond_active_ifindex == port->li.ifindex) {
                bond->li.bond_active_ifindex = 0;
                reselect(k, bond);
        }
        changed(k, port);
        changed(k, bond);
}

static void remove_link(FakeKernel *k, FakeLink *l) {
        FakeLink *bond = master_of(k, l);

        if (bond)
                release(k, bond, l);
        if (is_bond(l))
                for (size_t i = 0; i < FAKE_MAX_LINKS; i++)
                        if (k->links[i].present && k->links[i].li.master_ifindex == l->li.ifindex)
                                release(k, l, &k->links[i]);
        queue(k, EV_REMOVED, l);
        free(l->driver);
        strv_free(l->props);
        *l = (FakeLink){};
}

void fake_miimon(FakeKernel *k) {
        for (size_t i = 0; i < FAKE_MAX_LINKS; i++) {
                FakeLink *p = &k->links[i];
                FakeLink *bond = p->present ? master_of(k, p) : NULL;
                bool up = bond && is_up(p) && p->cable;
                if (bond && p->mii_up != up) {
                        p->mii_up = up;
                        changed(k, p);
                        changed(k, bond);
                }
        }
        for (size_t i = 0; i < FAKE_MAX_LINKS; i++)
                if (k->links[i].present && is_bond(&k->links[i]))
                        reselect(k, &k->links[i]);
}

/* ---- the test's hands ------------------------------------------------------ */

static FakeLink *new_link(FakeKernel *k, const char *name) {
        assert_null(by_name(k, name));
        assert_true(strlen(name) < IFNAMSIZ);
        for (size_t i = 0; i < FAKE_MAX_LINKS; i++)
                if (!k->links[i].present) {
                        FakeLink *l = &k->links[i];
                        *l = (FakeLink){.present = true};
                        l->li.ifindex = k->next_ifindex++;
                        strcpy(l->li.name, name);
                        l->li.mtu = 1500;
                        return l;
                }
        fail_msg("too many fake links");
        return NULL;
}

int fake_link_add(FakeKernel *k, const char *name, const char *mac, bool pci, const char *driver,
                  const char *const *props) {
        FakeLink *l = new_link(k, name);
        size_t n = 0;

        assert_int_equal(hw_addr_parse(mac, &l->li.mac), 0);
        l->li.perm_mac = l->li.mac;
        l->li.has_perm_mac = true;
        l->cable = true;
        l->pci = pci;
        l->driver = driver ? strdup(driver) : NULL;
        while (props && props[n])
                n++;
        l->props = calloc(n + 1, sizeof(char *));
        assert_non_null(l->props);
        for (size_t i = 0; i < n; i++)
                l->props[i] = strdup(props[i]);
        l->udev_ready = !k->started;
        queue(k, EV_LINK, l);
        queue(k, EV_UDEV, l);
        return l->li.ifindex;
}

void fake_link_remove(FakeKernel *k, const char *name) {
        FakeLink *l = by_name(k, name);
        assert_non_null(l);
        remove_link(k, l);
}

void fake_overrun(FakeKernel *k, bool interrupted) {
        k->n_queue = 0;
        k->dump_interrupted = interrupted;
        k->get_link_calls = 0;
        k->handlers.resync(k->handlers.userdata);
        k->dump_interrupted = false;
}

unsigned fake_get_link_calls(FakeKernel *k) {
        return k->get_link_calls;
}

void fake_link_set_carrier(FakeKernel *k, const char *name, bool on) {
        FakeLink *l = by_name(k, name);
        assert_non_null(l);
        l->cable = on;
        changed(k, l);
        changed(k, master_of(k, l));
}

void fake_link_set_up(FakeKernel *k, const char *name, bool up) {
        FakeLink *l = by_name(k, name);
        assert_non_null(l);
        if (up)
                l->li.flags |= IFF_UP;
        else
                l->li.flags &= ~IFF_UP;
        changed(k, l);
        changed(k, master_of(k, l));
}

void fake_link_set_addresses(FakeKernel *k, const char *name, int n) {
        FakeLink *l = by_name(k, name);
        assert_non_null(l);
        l->addresses = n;
}

int fake_ifindex(FakeKernel *k, const char *name) {
        FakeLink *l = by_name(k, name);
        return l ? l->li.ifindex : -1;
}

const LinkInfo *fake_link(FakeKernel *k, const char *name) {
        static LinkInfo li;
        FakeLink *l = by_name(k, name);
        assert_non_null(l);
        li = view(k, l);
        return &li;
}

int fake_addresses(FakeKernel *k, const char *name) {
        FakeLink *l = by_name(k, name);
        return l ? l->addresses : -1;
}

const char *fake_active(FakeKernel *k, const char *bond) {
        FakeLink *b = by_name(k, bond);
        if (!b)
                return NULL;
        return b->li.bond_active_ifindex ? name_of(k, b->li.bond_active_ifindex) : "";
}

const char *fake_master(FakeKernel *k, const char *port) {
        FakeLink *l = by_name(k, port);
        FakeLink *m = l ? master_of(k, l) : NULL;
        return m ? m->li.name : "";
}

const char *fake_calls(FakeKernel *k) {
        return k->calls;
}

void fake_calls_clear(FakeKernel *k) {
        k->calls[0] = '\0';
        k->calls_len = 0;
}

void fake_fail(FakeKernel *k, const char *op, int error, unsigned n) {
        snprintf(k->fail_op, sizeof(k->fail_op), "%s", op);
        k->fail_error = error;
        k->fail_n = n;
}

void fake_bonds_silent(FakeKernel *k, bool silent) {
        k->bonds_silent = silent;
}

bool fake_pending(FakeKernel *k) {
        return k->n_queue > 0;
}

FakeKernel *fake_kernel_new(sd_event *event) {
        FakeKernel *k = calloc(1, sizeof(FakeKernel));

        assert_non_null(k);
        k->event = sd_event_ref(event);
        k->next_ifindex = 2; /* 1 is lo's */
        assert_int_equal(sd_event_add_defer(event, &k->deliver, on_deliver, k), 0);
        (void)sd_event_source_set_enabled(k->deliver, SD_EVENT_OFF);
        return k;
}

FakeKernel *fake_kernel_free(FakeKernel *k) {
        if (!k)
                return NULL;
        for (size_t i = 0; i < FAKE_MAX_LINKS; i++) {
                free(k->links[i].driver);
                strv_free(k->links[i].props);
        }
        sd_event_source_disable_unref(k->deliver);
        sd_event_unref(k->event);
        free(k);
        return NULL;
}

/* ---- the platform ------------------------------------------------------- */

typedef struct FakePlatform {
        Platform platform;
        FakeKernel *kernel;
} FakePlatform;

static FakeKernel *platform_kernel(Platform *p) {
        return ((FakePlatform *)p)->kernel;
}

static int fp_start(Platform *p, sd_event *event, const PlatformHandlers *h) {
        FakeKernel *k = platform_kernel(p);

        k->handlers = *h;
        k->started = true;
        k->n_queue = 0;
        return 0;
}

static int fp_enumerate_links(Platform *p) {
        FakeKernel *k = platform_kernel(p);

        for (size_t i = 0; i < FAKE_MAX_LINKS; i++)
                if (k->links[i].present) {
                        LinkInfo li = view(k, &k->links[i]);
                        k->handlers.link(k->handlers.userdata, false, &li);
                }
        return k->dump_interrupted ? 1 : 0;
}

static int fp_enumerate_devices(Platform *p) {
        FakeKernel *k = platform_kernel(p);

        for (size_t i = 0; i < FAKE_MAX_LINKS; i++)
                if (k->links[i].present && k->links[i].udev_ready)
                        deliver_udev(k, &k->links[i], "");
        return 0;
}

/* What the fake kernel has queued so far, now, as the real one's monitor
 * holds the events of hnvd's requests before it answers them. */
static void fp_sync_links(Platform *p) {
        (void)on_deliver(NULL, platform_kernel(p));
}

static int fp_get_link(Platform *p, int ifindex, LinkInfo *ret) {
        FakeKernel *k = platform_kernel(p);
        FakeLink *l = by_ifindex(k, ifindex);

        k->get_link_calls++;
        if (!l)
                return -ENODEV;
        *ret = view(k, l);
        return 0;
}

static int fp_query_device(Platform *p, int ifindex) {
        FakeKernel *k = platform_kernel(p);
        FakeLink *l = by_ifindex(k, ifindex);

        if (!l || !l->udev_ready)
                return -ENODEV;
        deliver_udev(k, l, "");
        return 0;
}

static int fp_count_addresses(Platform *p, int ifindex) {
        FakeLink *l = by_ifindex(platform_kernel(p), ifindex);
        return l ? l->addresses : -ENODEV;
}

static bool fp_udev_running(Platform *p) {
        return true;
}

static Rtnl *fp_rtnl(Platform *p) {
        return NULL;
}

static Platform *fp_free(Platform *p) {
        FakeKernel *k = platform_kernel(p);

        /* The manager is gone: nobody listens until the next one starts. */
        k->started = false;
        k->n_queue = 0;
        (void)sd_event_source_set_enabled(k->deliver, SD_EVENT_OFF);
        free(p);
        return NULL;
}

static const PlatformOps fake_platform_ops = {
        .start = fp_start,
        .enumerate_links = fp_enumerate_links,
        .enumerate_devices = fp_enumerate_devices,
        .sync_links = fp_sync_links,
        .get_link = fp_get_link,
        .query_device = fp_query_device,
        .count_addresses = fp_count_addresses,
        .udev_running = fp_udev_running,
        .rtnl = fp_rtnl,
        .free = fp_free,
};

Platform *fake_platform_new(FakeKernel *k) {
        FakePlatform *p = calloc(1, sizeof(FakePlatform));

        assert_non_null(p);
        p->platform.ops = &fake_platform_ops;
        p->kernel = k;
        return &p->platform;
}

/* ---- the backend -------------------------------------------------------- */

typedef struct FakeBackend {
        Backend backend;
        FakeKernel *kernel;
} FakeBackend;

static FakeKernel *backend_kernel(Backend *b) {
        return ((FakeBackend *)b)->kernel;
}

/* Logs the call; returns the error the test asked for, or 0. */
static int call(FakeKernel *k, const char *op, const char *fmt, ...) _printf_(3, 4);
static int call(FakeKernel *k, const char *op, const char *fmt, ...) {
        va_list ap;
        int n;

        n = snprintf(k->calls + k->calls_len, sizeof(k->calls) - k->calls_len, "%s ", op);
        assert_true(n > 0 && (size_t)n < sizeof(k->calls) - k->calls_len);
        k->calls_len += (size_t)n;
        va_start(ap, fmt);
        n = vsnprintf(k->calls + k->calls_len, sizeof(k->calls) - k->calls_len, fmt, ap);
        va_end(ap);
        assert_true(n >= 0 && (size_t)n + 1 < sizeof(k->calls) - k->calls_len);
        k->calls_len += (size_t)n;
        k->calls[k->calls_len++] = '\n';
        k->calls[k->calls_len] = '\0';
        if (k->fail_n > 0 && streq(op, k->fail_op)) {
                k->fail_n--;
                return k->fail_error;
        }
        return 0;
}

static int fb_create_bond(Backend *b, const GroupSpec *spec, const HwAddr *mac, int *ret_ifindex) {
        FakeKernel *k = backend_kernel(b);
        int r = call(k, "create-bond", "%s", spec->bond_name);

        if (r < 0)
                return r;
        if (by_name(k, spec->bond_name))
                return -EEXIST;
        FakeLink *l = new_link(k, spec->bond_name);
        strcpy(l->li.kind, "bond");
        l->li.has_bond_info = true;
        l->li.bond_mode = 1;
        l->li.bond_miimon = spec->options.miimon_ms;
        l->li.bond_fail_over_mac = spec->options.fail_over_mac;
        l->li.bond_num_peer_notif = spec->options.num_peer_notif;
        if (mac) {
                l->li.mac = *mac;
                l->bond_mac_set = true;
        }
        l->udev_ready = false;
        queue(k, EV_LINK, l);
        queue(k, EV_UDEV, l);
        *ret_ifindex = l->li.ifindex;
        return 0;
}

static int fb_dissolve_bond(Backend *b, int bond_ifindex, int keep_ifindex) {
        FakeKernel *k = backend_kernel(b);
        FakeLink *bond = by_ifindex(k, bond_ifindex), *keep = by_ifindex(k, keep_ifindex);
        int r = call(k, "dissolve-bond", "%s %s", name_of(k, bond_ifindex), keep ? keep->li.name : "-");

        if (r < 0)
                return r;
        if (!bond || !is_bond(bond))
                return -ENODEV;
        if (keep) {
                keep->addresses += bond->addresses;
                bond->addresses = 0;
        }
        remove_link(k, bond);
        if (keep) {
                keep->li.flags |= IFF_UP;
                changed(k, keep);
        }
        return 0;
}

static int fb_set_up(Backend *b, int ifindex, bool up) {
        FakeKernel *k = backend_kernel(b);
        FakeLink *l = by_ifindex(k, ifindex);
        int r = call(k, "set-up", "%s %s", name_of(k, ifindex), up ? "up" : "down");

        if (r < 0)
                return r;
        if (!l)
                return -ENODEV;
        fake_link_set_up(k, l->li.name, up);
        return 0;
}

static int fb_enslave(Backend *b, int bond_ifindex, int port_ifindex) {
        FakeKernel *k = backend_kernel(b);
        FakeLink *bond = by_ifindex(k, bond_ifindex), *p = by_ifindex(k, port_ifindex);
        int r = call(k, "enslave", "%s %s", name_of(k, bond_ifindex), name_of(k, port_ifindex));

        if (r < 0)
                return r;
        if (!bond || !p)
                return -ENODEV;
        if (p->li.master_ifindex > 0)
                return -EBUSY;
        p->li.master_ifindex = bond_ifindex;
        p->mac_before = p->li.mac;
        p->li.flags |= IFF_UP;
        p->mii_up = p->cable;
        if (!bond->bond_mac_set) {
                bond->li.mac = p->li.mac;
                bond->bond_mac_set = true;
        }
        if (bond->li.bond_fail_over_mac == FAIL_OVER_MAC_NONE)
                p->li.mac = bond->li.mac;
        changed(k, p);
        changed(k, bond);
        reselect(k, bond);
        return 0;
}

static int fb_release(Backend *b, int port_ifindex) {
        FakeKernel *k = backend_kernel(b);
        FakeLink *p = by_ifindex(k, port_ifindex), *bond = p ? master_of(k, p) : NULL;
        int r = call(k, "release", "%s", name_of(k, port_ifindex));

        if (r < 0)
                return r;
        if (!p)
                return -ENODEV;
        if (!bond)
                return -EINVAL;
        release(k, bond, p);
        return 0;
}

static int fb_set_primary(Backend *b, int bond_ifindex, int port_ifindex) {
        FakeKernel *k = backend_kernel(b);
        FakeLink *bond = by_ifindex(k, bond_ifindex), *p = by_ifindex(k, port_ifindex);
        int r = call(k, "set-primary", "%s %s", name_of(k, bond_ifindex), name_of(k, port_ifindex));

        if (r < 0)
                return r;
        if (!bond || !p)
                return -ENODEV;
        strcpy(bond->primary, p->li.name);
        changed(k, bond);
        reselect(k, bond);
        return 0;
}

static int fb_set_active(Backend *b, int bond_ifindex, int port_ifindex) {
        FakeKernel *k = backend_kernel(b);
        FakeLink *bond = by_ifindex(k, bond_ifindex), *p;
        int r = call(k, "set-active", "%s %s", name_of(k, bond_ifindex), name_of(k, port_ifindex));

        if (r < 0)
                return r;
        if (!bond)
                return -ENODEV;
        p = port_by_ifindex(k, bond, port_ifindex);
        /* The kernel's rule: only a port whose link the bond sees up. */
        if (!usable(p))
                return -EINVAL;
        make_active(k, bond, p);
        return 0;
}

static int fb_set_all_ports_active(Backend *b, int bond_ifindex, bool on) {
        FakeKernel *k = backend_kernel(b);
        FakeLink *bond = by_ifindex(k, bond_ifindex);
        int r = call(k, "all-ports-active", "%s %s", name_of(k, bond_ifindex), on ? "on" : "off");

        if (r < 0)
                return r;
        if (!bond)
                return -ENODEV;
        bond->li.bond_all_ports_active = on;
        changed(k, bond);
        return 0;
}

static int fb_set_address(Backend *b, int ifindex, const HwAddr *mac) {
        FakeKernel *k = backend_kernel(b);
        FakeLink *l = by_ifindex(k, ifindex);
        char buf[HW_ADDR_STRLEN];
        int r = call(k, "set-address", "%s %s", name_of(k, ifindex), hw_addr_format(mac, buf));

        if (r < 0)
                return r;
        if (!l)
                return -ENODEV;
        l->li.mac = *mac;
        changed(k, l);
        return 0;
}

static int fb_move_addresses(Backend *b, int from_ifindex, int to_ifindex) {
        FakeKernel *k = backend_kernel(b);
        FakeLink *from = by_ifindex(k, from_ifindex), *to = by_ifindex(k, to_ifindex);
        int r = call(k, "move-addresses", "%s %s", name_of(k, from_ifindex), name_of(k, to_ifindex));

        if (r < 0)
                return r;
        if (!from || !to)
                return -ENODEV;
        to->addresses += from->addresses;
        from->addresses = 0;
        return 0;
}

static Backend *fb_free(Backend *b) {
        free(b);
        return NULL;
}

static const BackendOps fake_backend_ops = {
        .name = "fake",
        .create_bond = fb_create_bond,
        .dissolve_bond = fb_dissolve_bond,
        .set_up = fb_set_up,
        .enslave = fb_enslave,
        .release = fb_release,
        .set_primary = fb_set_primary,
        .set_active = fb_set_active,
        .set_all_ports_active = fb_set_all_ports_active,
        .set_address = fb_set_address,
        .move_addresses = fb_move_addresses,
        .free = fb_free,
};

Backend *fake_backend_new(FakeKernel *k) {
        FakeBackend *b = calloc(1, sizeof(FakeBackend));

        assert_non_null(b);
        b->backend.ops = &fake_backend_ops;
        b->kernel = k;
        return &b->backend;
}
