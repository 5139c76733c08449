/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <net/if.h>
#include <stdio.h>

#include "addresses.h"
#include "backend-nm.h"
#include "glib-event.h"
#include "log.h"
#include "nm-profile.h"

/* The NetworkManager backend. What NetworkManager owns and would put back if
 * hnvd changed it behind its back -- which devices are in which bond, the
 * bond itself, the IP configuration -- goes through profiles and
 * activations. What it leaves alone once a bond is up -- the active port, a
 * port's MAC around a switch, all_slaves_active, the runtime primary -- goes
 * straight to the kernel, so failover never waits for D-Bus and keeps
 * working while NetworkManager restarts.
 *
 * NetworkManager answers later, so operations that need it return
 * -EINPROGRESS: the request is out, and the manager learns the outcome from
 * the kernel (the bond appears, the port changes master). A request that
 * fails is logged here, where the error is, and the manager is told to
 * look again. */

/* How long NetworkManager gets to finish a re-activation of its own before
 * hnvd activates what is still down. */
#define NM_SETTLE_S 5

/* How long a request may go unanswered before hnvd asks again: the answer
 * normally comes within a second, but one lost on the way (seen once in
 * many runs: an added bond profile whose completion never arrived) would
 * otherwise keep the group waiting for good. Activations being watched to
 * their end are exempt: DHCP may take its time. */
#define NM_REQUEST_STALE_S   15
#define NM_ACTIVATING_PREFIX "activating:"

typedef struct NmBackend {
        Backend base;
        Backend *kernel;
        Rtnl *rtnl; /* the kernel backend's, for the addresses a hand-over waits for */
        GlibEvent *glib;
        NMClient *client;
        GCancellable *cancel;
        BackendNotify notify;
        void *userdata;
        /* Profile names with a request in flight -> when it was sent (seconds,
         * monotonic): asked once, not on every reconcile until
         * NetworkManager's answer arrives. */
        GHashTable *pending;
        /* UUIDs of ports' own profiles whose IP configuration the bond's
         * profile now carries (deleted once the bond has it), and the names
         * of the bonds whose activation has been given that configuration
         * (reapplied, or started after the commit). */
        GHashTable *moved;
        /* Bonds taking a static configuration from a port's own profile:
         * no other port joins them until the old profile is gone. */
        GHashTable *holding;
        /* bond name -> the port hnvd last made primary, for persisting. */
        GHashTable *primaries;
        /* bond name -> its new profile (NMConnection), held back until
         * NetworkManager shows a device for hnvd's link: add_waiting_profile. */
        GHashTable *unprofiled;
        /* Activations accepted but not finished (each holds its Request). */
        GPtrArray *watched;
        bool waiting_logged;
        guint settle_source, recheck_source;
        bool settle_expired;
} NmBackend;

typedef struct Request {
        NmBackend *nm;
        char *name; /* the key in pending */
        char *what; /* for the log */
        /* Chained: activate this once added (port or bond). */
        bool activate;
        char *ifname;
        char *delete_after; /* dissolve: delete the group's profiles once activated */
} Request;

static NmBackend *nm_of(Backend *b) {
        return (NmBackend *)b;
}

static void nm_notify(NmBackend *nm) {
        if (nm->notify)
                nm->notify(nm->userdata);
}

static void pending_add(NmBackend *nm, const char *name) {
        g_hash_table_insert(nm->pending, g_strdup(name),
                            GSIZE_TO_POINTER((gsize)(g_get_monotonic_time() / G_USEC_PER_SEC)));
}

static Request *request_new(NmBackend *nm, const char *name, const char *what) {
        Request *r = g_new0(Request, 1);
        r->nm = nm;
        r->name = g_strdup(name);
        r->what = g_strdup(what);
        pending_add(nm, name);
        return r;
}

static void request_free(Request *r) {
        g_free(r->name);
        g_free(r->what);
        g_free(r->ifname);
        g_free(r->delete_after);
        g_free(r);
}

static void persist_primary(NmBackend *nm, const char *bond);

/* Ends a request (the caller frees it); false when the backend is going
 * away: nothing but the request may be touched then. */
static bool request_done(Request *r, GError *error) {
        NmBackend *nm = r->nm;

        if (error && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                return false;
        g_hash_table_remove(nm->pending, r->name);
        if (error)
                log_error("NetworkManager: %s %s failed: %s", r->what, r->name, error->message);
        persist_primary(nm, r->name);
        nm_notify(nm);
        return true;
}

static gboolean on_recheck(gpointer userdata);

static bool is_pending(NmBackend *nm, const char *name) {
        gpointer sent;
        gint64 now = g_get_monotonic_time() / G_USEC_PER_SEC, age;

        if (!g_hash_table_lookup_extended(nm->pending, name, NULL, &sent))
                return false;
        if (g_str_has_prefix(name, NM_ACTIVATING_PREFIX))
                return true;
        age = now - (gint64)GPOINTER_TO_SIZE(sent);
        if (age >= NM_REQUEST_STALE_S) {
                log_warning("NetworkManager: no answer about %s for %" G_GINT64_FORMAT " s; asking again",
                            name, age);
                g_hash_table_remove(nm->pending, name);
                return false;
        }
        /* Looked at again when it would be stale, answer or not. */
        if (!nm->recheck_source)
                nm->recheck_source =
                        g_timeout_add_seconds((guint)(NM_REQUEST_STALE_S - age), on_recheck, nm);
        return true;
}

static bool running(NmBackend *nm) {
        if (nm_client_get_nm_running(nm->client)) {
                nm->waiting_logged = false;
                return true;
        }
        if (!nm->waiting_logged)
                log_info("waiting for NetworkManager to start");
        nm->waiting_logged = true;
        return false;
}

static NMRemoteConnection *find_profile(NmBackend *nm, const char *id) {
        const GPtrArray *all = nm_client_get_connections(nm->client);
        for (guint i = 0; i < all->len; i++) {
                NMRemoteConnection *c = all->pdata[i];
                if (streq_ptr(nm_connection_get_id(NM_CONNECTION(c)), id))
                        return c;
        }
        return NULL;
}

static NMActiveConnection *active_of(NmBackend *nm, NMRemoteConnection *c) {
        const GPtrArray *all = nm_client_get_active_connections(nm->client);
        for (guint i = 0; i < all->len; i++) {
                NMActiveConnection *ac = all->pdata[i];
                if (nm_active_connection_get_connection(ac) == c &&
                    nm_active_connection_get_state(ac) <= NM_ACTIVE_CONNECTION_STATE_ACTIVATED)
                        return ac;
        }
        return NULL;
}

/* ---- asynchronous steps ------------------------------------------- */

/* An activation is watched until NetworkManager has finished it, not only
 * until it accepted it: libnm's view of the device lags, and asking again
 * in between starts a new activation that undoes the first. */
static void watch_done(NMActiveConnection *ac, Request *r) {
        g_signal_handlers_disconnect_by_data(ac, r);
        g_ptr_array_remove(r->nm->watched, ac);
        g_object_set_data(G_OBJECT(ac), "hnv-request", NULL);
        g_object_unref(ac);
        (void)request_done(r, NULL);
        request_free(r);
}

static void on_ac_state(NMActiveConnection *ac, GParamSpec *p, gpointer userdata) {
        if (nm_active_connection_get_state(ac) >= NM_ACTIVE_CONNECTION_STATE_ACTIVATED)
                watch_done(ac, userdata);
}

static void on_activated(GObject *source, GAsyncResult *result, gpointer userdata) {
        Request *r = userdata;
        g_autoptr(GError) error = NULL;
        NMActiveConnection *ac = nm_client_activate_connection_finish(NM_CLIENT(source), result, &error);

        if (error || nm_active_connection_get_state(ac) >= NM_ACTIVE_CONNECTION_STATE_ACTIVATED) {
                (void)request_done(r, error);
                request_free(r);
                if (ac)
                        g_object_unref(ac);
                return;
        }
        /* From here the activation is NetworkManager's to finish: other
         * requests on the profile may go out (a bond waiting for DHCP takes
         * its configuration and its ports meanwhile), and active_of() keeps
         * hnvd from starting a second one. */
        g_hash_table_remove(r->nm->pending, r->name);
        g_free(r->name);
        r->name = g_strconcat(NM_ACTIVATING_PREFIX, nm_active_connection_get_id(ac), NULL);
        pending_add(r->nm, r->name);
        g_object_set_data(G_OBJECT(ac), "hnv-request", r);
        g_ptr_array_add(r->nm->watched, ac);
        g_signal_connect(ac, "notify::" NM_ACTIVE_CONNECTION_STATE, G_CALLBACK(on_ac_state), r);
}

static void activate(NmBackend *nm, NMRemoteConnection *c, const char *ifname, const char *what) {
        NMDevice *dev = ifname ? nm_client_get_device_by_iface(nm->client, ifname) : NULL;
        Request *r = request_new(nm, nm_connection_get_id(NM_CONNECTION(c)), what);

        nm_client_activate_connection_async(nm->client, NM_CONNECTION(c), dev, NULL, nm->cancel,
                                            on_activated, r);
}

static void on_added(GObject *source, GAsyncResult *result, gpointer userdata) {
        Request *r = userdata;
        g_autoptr(GError) error = NULL;
        g_autoptr(NMRemoteConnection) c =
                nm_client_add_connection2_finish(NM_CLIENT(source), result, NULL, &error);

        if (!error && r->activate) {
                log_info("NetworkManager: profile %s added", r->name);
                g_hash_table_remove(r->nm->pending, r->name);
                activate(r->nm, c, r->ifname, "activating");
                request_free(r);
                return;
        }
        (void)request_done(r, error);
        request_free(r);
}

static void add_profile(NmBackend *nm, NMConnection *c, const char *ifname, bool and_activate) {
        Request *r = request_new(nm, nm_connection_get_id(c), "adding profile");
        r->activate = and_activate;
        r->ifname = g_strdup(ifname);
        /* Blocked from autoconnecting until hnvd activates it: NetworkManager
         * would otherwise start its own activation beside hnvd's, and the
         * second takes the port out of the bond and puts it back. */
        nm_client_add_connection2(nm->client, nm_connection_to_dbus(c, NM_CONNECTION_SERIALIZE_ALL),
                                  NM_SETTINGS_ADD_CONNECTION2_FLAG_TO_DISK |
                                          NM_SETTINGS_ADD_CONNECTION2_FLAG_BLOCK_AUTOCONNECT,
                                  NULL, TRUE, nm->cancel, on_added, r);
}

/* A new bond's profile goes to NetworkManager only once it shows a device
 * for hnvd's link. Given the profile first, NetworkManager makes a
 * placeholder device for it; when that placeholder already took the link's
 * index, NetworkManager's own handling of the new link finds it by index
 * and never realizes it. The bond then has no device in libnm, and its
 * ports wait for good (seen in CI: "no device object yet" for 60 s).
 * Returns -EINPROGRESS while a profile waits or was just sent, 0 if none
 * waits. */
static int add_waiting_profile(NmBackend *nm, const char *bond) {
        NMConnection *n = g_hash_table_lookup(nm->unprofiled, bond);

        if (!n)
                return 0;
        if (!nm_client_get_device_by_iface(nm->client, bond))
                return -EINPROGRESS; /* device-added wakes us */
        log_info("NetworkManager: adding profile %s", bond);
        add_profile(nm, n, NULL, false);
        g_hash_table_remove(nm->unprofiled, bond);
        return -EINPROGRESS;
}

static void on_committed(GObject *source, GAsyncResult *result, gpointer userdata) {
        Request *r = userdata;
        g_autoptr(GError) error = NULL;
        (void)nm_remote_connection_commit_changes_finish(NM_REMOTE_CONNECTION(source), result, &error);
        (void)request_done(r, error);
        request_free(r);
}

static void commit(NmBackend *nm, NMRemoteConnection *c, const char *what) {
        Request *r = request_new(nm, nm_connection_get_id(NM_CONNECTION(c)), what);
        nm_remote_connection_commit_changes_async(c, TRUE, nm->cancel, on_committed, r);
}

static void on_deleted(GObject *source, GAsyncResult *result, gpointer userdata) {
        Request *r = userdata;
        g_autoptr(GError) error = NULL;
        (void)nm_remote_connection_delete_finish(NM_REMOTE_CONNECTION(source), result, &error);
        if (!error)
                log_info("NetworkManager: profile %s deleted", r->name);
        /* hnvd made the bond's device (with the VF's MAC), so NetworkManager
         * counts it as external and leaves it behind, empty, when its
         * profile goes: take it away as the kernel backend would. */
        if (!error && r->ifname) {
                int ifindex = (int)if_nametoindex(r->ifname);
                if (ifindex > 0)
                        (void)r->nm->kernel->ops->dissolve_bond(r->nm->kernel, ifindex, 0);
        }
        (void)request_done(r, error);
        request_free(r);
}

static void delete_profile(NmBackend *nm, NMRemoteConnection *c) {
        Request *r = request_new(nm, nm_connection_get_id(NM_CONNECTION(c)), "deleting profile");
        if (nm_connection_is_type(NM_CONNECTION(c), NM_SETTING_BOND_SETTING_NAME))
                r->ifname = g_strdup(nm_connection_get_interface_name(NM_CONNECTION(c)));
        nm_remote_connection_delete_async(c, nm->cancel, on_deleted, r);
}

static void on_deactivated(GObject *source, GAsyncResult *result, gpointer userdata) {
        Request *r = userdata;
        g_autoptr(GError) error = NULL;
        (void)nm_client_deactivate_connection_finish(NM_CLIENT(source), result, &error);
        (void)request_done(r, error);
        request_free(r);
}

static void on_reapplied(GObject *source, GAsyncResult *result, gpointer userdata) {
        Request *r = userdata;
        g_autoptr(GError) error = NULL;
        (void)nm_device_reapply_finish(NM_DEVICE(source), result, &error);
        (void)request_done(r, error);
        request_free(r);
}

static void on_managed(GObject *source, GAsyncResult *result, gpointer userdata) {
        Request *r = userdata;
        g_autoptr(GError) error = NULL;
        (void)nm_client_dbus_set_property_finish(NM_CLIENT(source), result, &error);
        (void)request_done(r, error);
        request_free(r);
}

/* ---- operations ---------------------------------------------------- */

static int name_of(int ifindex, char buf[static IF_NAMESIZE]) {
        return if_indextoname((unsigned)ifindex, buf) ? 0 : -errno;
}

static gboolean on_recheck(gpointer userdata) {
        NmBackend *nm = userdata;
        nm->recheck_source = 0;
        nm_notify(nm);
        return G_SOURCE_REMOVE;
}

static gboolean on_settle_timeout(gpointer userdata) {
        NmBackend *nm = userdata;
        nm->settle_source = 0;
        /* Consumed by the next may_activate(): the reconcile this asks for
         * runs later, from hnvd's loop. */
        nm->settle_expired = true;
        nm_notify(nm);
        return G_SOURCE_REMOVE;
}

/* Whether hnvd may start an activation on dev now. Not while the device is
 * on its way somewhere, and not while NetworkManager is re-activating on its
 * own (an admin's "nmcli connection up" of the bond takes its ports down
 * and brings them back): a second activation would undo the first. If
 * NetworkManager does not go on by itself, hnvd looks again in a while. */
static bool may_activate(NmBackend *nm, NMDevice *dev) {
        /* A profile's placeholder for a software device not created yet:
         * activating it creates the device. */
        if (!nm_device_is_real(dev))
                return true;
        if (nm_device_get_state(dev) != NM_DEVICE_STATE_DISCONNECTED)
                return false; /* its state change wakes us */
        /* (not a switch: NetworkManager's enum is not ours to list) */
        NMDeviceStateReason why = nm_device_get_state_reason(dev);
        if (why != NM_DEVICE_STATE_REASON_NEW_ACTIVATION && why != NM_DEVICE_STATE_REASON_DEPENDENCY_FAILED)
                return true;
        if (nm->settle_expired) {
                nm->settle_expired = false;
                return true;
        }
        if (!nm->settle_source)
                nm->settle_source = g_timeout_add_seconds(NM_SETTLE_S, on_settle_timeout, nm);
        return false;
}

/* Asks NetworkManager to manage a device it leaves alone: a port hnv's
 * udev rule kept from it, or the bond hnvd created (a software device that
 * appears down is "external" to NetworkManager until told otherwise). */
static void set_managed(NmBackend *nm, NMDevice *dev, const char *pending_name) {
        /* libnm's view of the property lags the method's reply: ask again
         * only when an answer has had time to show (NetworkManager keeps
         * the object of a bond whose link went and came back, unmanaged
         * again). */
        gint64 now = g_get_monotonic_time();
        gint64 *asked = g_object_get_data(G_OBJECT(dev), "hnv-managed-asked");
        if (asked && now - *asked < 2 * G_USEC_PER_SEC)
                return;
        asked = g_new(gint64, 1);
        *asked = now;
        g_object_set_data_full(G_OBJECT(dev), "hnv-managed-asked", asked, g_free);
        Request *r = request_new(nm, pending_name, "managing device for");
        log_info("NetworkManager: letting it manage %s", nm_device_get_iface(dev));
        nm_client_dbus_set_property(nm->client, nm_object_get_path(NM_OBJECT(dev)), NM_DBUS_INTERFACE_DEVICE,
                                    "Managed", g_variant_new_boolean(TRUE), -1, nm->cancel, on_managed, r);
}

/* The bond's profile active on the bond's device: 0 once activated (or,
 * unless need_activated, once its activation is under way: ports join a
 * bond that is still waiting for DHCP), -EINPROGRESS while on its way (each
 * call takes the next step). */
static int ensure_bond_active(NmBackend *nm, NMRemoteConnection *bc, const char *bond, bool need_activated) {
        NMDevice *bdev = nm_client_get_device_by_iface(nm->client, bond);
        NMActiveConnection *ac = active_of(nm, bc);

        /* First, so that a bond whose activation waits for DHCP (which
         * needs a port) takes its ports. */
        if (ac) {
                if (nm_active_connection_get_state(ac) == NM_ACTIVE_CONNECTION_STATE_ACTIVATED)
                        return 0;
                if (!need_activated &&
                    nm_active_connection_get_state(ac) == NM_ACTIVE_CONNECTION_STATE_ACTIVATING)
                        return 0;
                return -EINPROGRESS;
        }
        if (is_pending(nm, bond) || !bdev) {
                log_debug("NetworkManager: %s: %s", bond,
                          bdev ? "a request on its profile is in flight" : "no device object yet");
                return -EINPROGRESS;
        }
        if (!nm_device_get_managed(bdev)) {
                set_managed(nm, bdev, bond);
                return -EINPROGRESS;
        }
        if (may_activate(nm, bdev))
                activate(nm, bc, bond, "activating");
        else
                log_debug("NetworkManager: %s: device %s, state %d: waiting", bond,
                          nm_device_is_real(bdev) ? "real" : "unrealized", (int)nm_device_get_state(bdev));
        return -EINPROGRESS;
}

/* The bond's device is created here, by the kernel backend, with the VF's
 * MAC and the group's options, and NetworkManager's profile is then
 * activated on it. NetworkManager cannot give a bond a MAC of its own
 * choosing: with fail_over_mac set, the bonding driver ignores a change of
 * the bond's MAC (and NetworkManager's activation fails on the check), so
 * only a MAC given when the link is created holds. */
static int nm_create_bond(Backend *b, const GroupSpec *spec, const HwAddr *mac, int *ret_ifindex) {
        NmBackend *nm = nm_of(b);
        NMRemoteConnection *c;
        int k;

        k = nm->kernel->ops->create_bond(nm->kernel, spec, mac, ret_ifindex);
        if (k < 0 && k != -EEXIST)
                return k;
        if (!running(nm) || is_pending(nm, spec->bond_name))
                return k < 0 ? -EINPROGRESS : 0;

        c = find_profile(nm, spec->bond_name);
        if (!c) {
                NMConnection *n = nm_profile_new_bond(spec, NULL);
                if (!n)
                        return -ENOMEM;
                g_hash_table_replace(nm->unprofiled, g_strdup(spec->bond_name), n);
                (void)add_waiting_profile(nm, spec->bond_name);
        } else if (nm_profile_update_bond(NM_CONNECTION(c), spec, NULL) > 0) {
                /* Ours, or the predecessor's by its name: adopted, options
                 * brought to what the group says. */
                log_info("NetworkManager: adopting profile %s", spec->bond_name);
                commit(nm, c, "updating profile");
        }
        /* Activated by the next steps (ensure_bond_active), once
         * NetworkManager has seen the device. */
        return k < 0 ? -EINPROGRESS : 0;
}

static int nm_enslave(Backend *b, int bond_ifindex, int port_ifindex) {
        NmBackend *nm = nm_of(b);
        char bond[IF_NAMESIZE], port[IF_NAMESIZE];
        g_autofree char *id = NULL;
        NMRemoteConnection *c, *bc;
        const char *group;
        NMDevice *dev;
        int k;

        if (!running(nm))
                return -EINPROGRESS;
        if ((k = name_of(bond_ifindex, bond)) < 0 || (k = name_of(port_ifindex, port)) < 0)
                return k;
        id = nm_profile_port_name(bond, port);
        if (!id)
                return -ENOMEM;
        if (is_pending(nm, id) || g_hash_table_contains(nm->holding, bond))
                return -EINPROGRESS;
        if ((k = add_waiting_profile(nm, bond)) < 0)
                return k;
        bc = find_profile(nm, bond);
        group = bc ? nm_profile_group(NM_CONNECTION(bc)) : NULL;
        if (!group) /* none of ours for this bond, or on its way */
                return is_pending(nm, bond) ? -EINPROGRESS : -ENOENT;
        dev = nm_client_get_device_by_iface(nm->client, port);
        if (!dev)
                return -EINPROGRESS; /* NetworkManager has not seen it yet: device-added wakes us */
        k = ensure_bond_active(nm, bc, bond, false);
        if (k < 0)
                return k;

        c = find_profile(nm, id);
        if (!c) {
                g_autoptr(NMConnection) n = nm_profile_new_port(group, bond, port);
                log_info("NetworkManager: adding profile %s", id);
                add_profile(nm, n, port, nm_device_get_managed(dev));
        } else if (nm_profile_update_port(NM_CONNECTION(c), group) > 0) {
                log_info("NetworkManager: adopting profile %s", id);
                commit(nm, c, "updating profile");
        } else if (!nm_device_get_managed(dev)) {
                /* hnv's udev rule keeps group members unmanaged until their
                 * port profile exists, so NetworkManager never gives them a
                 * profile of its own; now it may take them. */
                set_managed(nm, dev, id);
        } else if (nm_device_get_state(dev) < NM_DEVICE_STATE_DISCONNECTED) {
                /* NetworkManager takes a device it was just told to manage
                 * as it finds it: one that is down has no carrier, and it
                 * waits for one. Its state change wakes us. */
                if (nm_device_get_state(dev) == NM_DEVICE_STATE_UNAVAILABLE)
                        (void)nm->kernel->ops->set_up(nm->kernel, port_ifindex, true);
                return -EINPROGRESS;
        } else {
                NMActiveConnection *ac = active_of(nm, c);
                /* One NetworkManager started itself (autoconnect) is waited
                 * for like one of ours. */
                if ((!ac || nm_active_connection_get_state(ac) == NM_ACTIVE_CONNECTION_STATE_ACTIVATED) &&
                    may_activate(nm, dev))
                        activate(nm, c, port, "activating");
        }
        return -EINPROGRESS;
}

/* The port's profile, if it is the one of ours active on it. */
static NMActiveConnection *our_port_activation(NmBackend *nm, const char *port) {
        NMDevice *dev = nm_client_get_device_by_iface(nm->client, port);
        NMActiveConnection *ac = dev ? nm_device_get_active_connection(dev) : NULL;
        NMRemoteConnection *c = ac ? nm_active_connection_get_connection(ac) : NULL;
        return c && nm_profile_group(NM_CONNECTION(c)) ? ac : NULL;
}

static int nm_release(Backend *b, int port_ifindex) {
        NmBackend *nm = nm_of(b);
        char port[IF_NAMESIZE];
        NMActiveConnection *ac;
        int k;

        if (!running(nm))
                return nm->kernel->ops->release(nm->kernel, port_ifindex);
        if ((k = name_of(port_ifindex, port)) < 0)
                return k;
        ac = our_port_activation(nm, port);
        if (!ac)
                return nm->kernel->ops->release(nm->kernel, port_ifindex);
        const char *id = nm_active_connection_get_id(ac);
        if (is_pending(nm, id))
                return -EINPROGRESS;
        /* A deactivation by request blocks the profile's autoconnect, so
         * NetworkManager does not put the port back; the profile stays for
         * when hnvd activates it again. */
        Request *r = request_new(nm, id, "deactivating");
        nm_client_deactivate_connection_async(nm->client, ac, nm->cancel, on_deactivated, r);
        return -EINPROGRESS;
}

/* Persists the primary hnvd last set on bond into its profile, so that
 * NetworkManager's next activation of the bond (a reboot, an admin's "nmcli
 * connection up") makes the VF primary itself. Deferred while another
 * request on the profile is out: request_done() calls it again. */
static void persist_primary(NmBackend *nm, const char *bond) {
        const char *port = g_hash_table_lookup(nm->primaries, bond);
        NMRemoteConnection *c;
        NMSettingBond *s;

        if (!port || !nm_client_get_nm_running(nm->client) || is_pending(nm, bond))
                return;
        c = find_profile(nm, bond);
        s = c && nm_profile_group(NM_CONNECTION(c)) ? nm_connection_get_setting_bond(NM_CONNECTION(c))
                                                    : NULL;
        if (s && !streq_ptr(nm_setting_bond_get_option_by_name(s, "primary"), port)) {
                nm_setting_bond_add_option(s, "primary", port);
                commit(nm, c, "persisting primary in");
        }
}

static int nm_set_primary(Backend *b, int bond_ifindex, int port_ifindex) {
        NmBackend *nm = nm_of(b);
        char bond[IF_NAMESIZE], port[IF_NAMESIZE];
        int k;

        k = nm->kernel->ops->set_primary(nm->kernel, bond_ifindex, port_ifindex);
        if (k < 0 || name_of(bond_ifindex, bond) < 0 || name_of(port_ifindex, port) < 0)
                return k;
        g_hash_table_insert(nm->primaries, g_strdup(bond), g_strdup(port));
        persist_primary(nm, bond);
        return k;
}

/* The IP configuration of a port's own profile (a guest set up before hnv)
 * moves to the bond's profile. The bond gets it first; the port's profile
 * is deleted only after that, so the guest always has its address. */
static int nm_move_addresses(Backend *b, int from_ifindex, int to_ifindex) {
        NmBackend *nm = nm_of(b);
        char from[IF_NAMESIZE], to[IF_NAMESIZE];
        NMRemoteConnection *own, *bc;
        NMActiveConnection *ac;
        NMDevice *dev;
        int k;

        if (!running(nm))
                return -EINPROGRESS;
        if ((k = name_of(from_ifindex, from)) < 0 || (k = name_of(to_ifindex, to)) < 0)
                return k;
        if (is_pending(nm, to) || add_waiting_profile(nm, to) < 0)
                return -EINPROGRESS;
        bc = find_profile(nm, to);
        if (!bc || !nm_profile_group(NM_CONNECTION(bc)))
                return -EINPROGRESS; /* create_bond has not got its profile yet */
        dev = nm_client_get_device_by_iface(nm->client, from);
        ac = dev ? nm_device_get_active_connection(dev) : NULL;
        own = ac ? nm_active_connection_get_connection(ac) : NULL;
        if (!own || nm_profile_group(NM_CONNECTION(own)))
                /* Addresses NetworkManager did not put there: the kernel's way. */
                return nm->kernel->ops->move_addresses(nm->kernel, from_ifindex, to_ifindex);

        const char *uuid = nm_connection_get_uuid(NM_CONNECTION(own));
        if (is_pending(nm, nm_connection_get_id(NM_CONNECTION(own))))
                return -EINPROGRESS;
        if (!g_hash_table_contains(nm->moved, uuid)) {
                if (!nm_profile_has_ip(NM_CONNECTION(own)))
                        return 0;
                log_info("NetworkManager: moving the IP configuration of %s (%s) to %s",
                         nm_connection_get_id(NM_CONNECTION(own)), from, to);
                (void)nm_profile_copy_ip(NM_CONNECTION(bc), NM_CONNECTION(own));
                g_hash_table_add(nm->moved, g_strdup(uuid));
                /* No other port joins until the old profile is gone: the
                 * bond has the VF's MAC and, for a while, the old profile's
                 * addresses; meeting their holder on the link would fail
                 * IPv6 duplicate address detection, or split the switch's
                 * view of the MAC. */
                g_hash_table_add(nm->holding, g_strdup(to));
                commit(nm, bc, "moving IP configuration to");
                return -EINPROGRESS;
        }
        /* Started is enough: a bond given DHCP waits for a port before it
         * is activated, and its ports wait for this. */
        k = ensure_bond_active(nm, bc, to, false);
        if (k < 0)
                return k;
        if (!g_hash_table_contains(nm->moved, to)) {
                /* Once per bond. An activation that started after the commit
                 * has the configuration already; an activated bond takes it
                 * by reapply. */
                g_hash_table_add(nm->moved, g_strdup(to));
                NMActiveConnection *bac = active_of(nm, bc);
                if (bac && nm_active_connection_get_state(bac) == NM_ACTIVE_CONNECTION_STATE_ACTIVATED) {
                        Request *r = request_new(nm, to, "reapplying");
                        nm_device_reapply_async(nm_client_get_device_by_iface(nm->client, to),
                                                NM_CONNECTION(bc), 0, 0, nm->cancel, on_reapplied, r);
                        return -EINPROGRESS;
                }
        }
        /* A bond given DHCP gets its lease only once a port is in, and
         * NetworkManager puts no address on a bond without carrier: the
         * kernel backend moves the port's addresses (and routes) onto the
         * bond now, as it does without NetworkManager. The lease, as the
         * same client (the bond has the VF's MAC), brings the same address
         * back under NetworkManager's name. */
        bool held = false;
        if (nm_profile_needs_link(NM_CONNECTION(own)) && addresses_count(nm->rtnl, to_ifindex) <= 0) {
                k = nm->kernel->ops->move_addresses(nm->kernel, from_ifindex, to_ifindex);
                if (k < 0)
                        return k;
                log_info("NetworkManager: %s holds %s's addresses until its own lease arrives", to, from);
                /* (and the port has none left, so the policy will not ask
                 * for this move again: finish it now) */
                held = true;
        }
        /* Until the bond has an address, the old profile stays. */
        if (!held && addresses_count(nm->rtnl, to_ifindex) <= 0) {
                /* hnvd follows links, not addresses: look once a second
                 * while this one-time hand-over waits for NetworkManager
                 * to put them on. */
                if (!nm->recheck_source)
                        nm->recheck_source = g_timeout_add_seconds(1, on_recheck, nm);
                return -EINPROGRESS;
        }
        g_hash_table_remove(nm->moved, to);
        g_hash_table_remove(nm->moved, uuid);
        g_hash_table_remove(nm->holding, to);
        log_info("NetworkManager: %s now carries it; deleting %s", to,
                 nm_connection_get_id(NM_CONNECTION(own)));
        delete_profile(nm, own);
        return 0;
}

static void delete_group_profiles(NmBackend *nm, const char *group) {
        const GPtrArray *all = nm_client_get_connections(nm->client);
        g_autoptr(GPtrArray) doomed = g_ptr_array_new();

        for (guint i = 0; i < all->len; i++)
                if (streq_ptr(nm_profile_group(NM_CONNECTION(all->pdata[i])), group))
                        g_ptr_array_add(doomed, all->pdata[i]);
        for (guint i = 0; i < doomed->len; i++)
                delete_profile(nm, doomed->pdata[i]);
}

/* The boot reconcile: hnv's and hcnmgr's profiles for interfaces that are
 * gone (an inactive migration took the VF) would otherwise wait for a
 * device that never comes; anyone else's stay, whatever their names. */
static int nm_prune(Backend *b, bool (*keep)(const char *ifname, void *userdata), void *userdata) {
        NmBackend *nm = nm_of(b);
        const GPtrArray *all;
        g_autoptr(GPtrArray) doomed = g_ptr_array_new();

        if (!running(nm))
                return -ENOTCONN;
        all = nm_client_get_connections(nm->client);
        for (guint i = 0; i < all->len; i++) {
                NMConnection *c = NM_CONNECTION(all->pdata[i]);
                const char *ifname = nm_profile_prunable_ifname(c);
                if (ifname && !keep(ifname, userdata)) {
                        log_info("NetworkManager: %s is for %s, which is gone", nm_connection_get_id(c),
                                 ifname);
                        g_ptr_array_add(doomed, c);
                }
        }
        for (guint i = 0; i < doomed->len; i++)
                delete_profile(nm, doomed->pdata[i]);
        return (int)doomed->len;
}

static void on_standalone_activated(GObject *source, GAsyncResult *result, gpointer userdata) {
        Request *r = userdata;
        g_autoptr(GError) error = NULL;
        NmBackend *nm = r->nm;
        char *group = g_strdup(r->delete_after);

        /* Only whether it failed matters; the active connection is dropped. */
        NMActiveConnection *ac = nm_client_activate_connection_finish(NM_CLIENT(source), result, &error);
        g_clear_object(&ac);

        if (request_done(r, error))
                delete_group_profiles(nm, group);
        g_free(group);
        request_free(r);
}

static void on_standalone_added(GObject *source, GAsyncResult *result, gpointer userdata) {
        Request *r = userdata;
        g_autoptr(GError) error = NULL;
        g_autoptr(NMRemoteConnection) c =
                nm_client_add_connection2_finish(NM_CLIENT(source), result, NULL, &error);

        if (error) {
                if (request_done(r, error))
                        delete_group_profiles(r->nm, r->delete_after);
                request_free(r);
                return;
        }
        NMDevice *dev = nm_client_get_device_by_iface(r->nm->client, r->ifname);
        nm_client_activate_connection_async(r->nm->client, NM_CONNECTION(c), dev, NULL, r->nm->cancel,
                                            on_standalone_activated, r);
}

/* Dissolving hands the bond's IP configuration to the port that stays, as
 * a standalone profile, and then deletes hnv's profiles of the group (and
 * only those: they carry hnv's mark). */
static int nm_dissolve_bond(Backend *b, int bond_ifindex, int keep_ifindex) {
        NmBackend *nm = nm_of(b);
        char bond[IF_NAMESIZE], keep[IF_NAMESIZE];
        NMRemoteConnection *bc;
        const char *group;

        if (!running(nm))
                return -EAGAIN;
        if (name_of(bond_ifindex, bond) < 0)
                return -ENODEV;
        g_hash_table_remove(nm->unprofiled, bond);
        bc = find_profile(nm, bond);
        group = bc ? nm_profile_group(NM_CONNECTION(bc)) : NULL;
        if (!group)
                return nm->kernel->ops->dissolve_bond(nm->kernel, bond_ifindex, keep_ifindex);
        if (keep_ifindex <= 0 || name_of(keep_ifindex, keep) < 0 || !nm_profile_has_ip(NM_CONNECTION(bc))) {
                delete_group_profiles(nm, group);
                return 0;
        }
        g_autoptr(NMConnection) n = nm_profile_new_standalone(keep, NM_CONNECTION(bc));
        Request *r = request_new(nm, keep, "handing the IP configuration to");
        r->ifname = g_strdup(keep);
        r->delete_after = g_strdup(group);
        nm_client_add_connection2(nm->client, nm_connection_to_dbus(n, NM_CONNECTION_SERIALIZE_ALL),
                                  NM_SETTINGS_ADD_CONNECTION2_FLAG_TO_DISK, NULL, TRUE, nm->cancel,
                                  on_standalone_added, r);
        return 0;
}

/* ---- straight to the kernel ----------------------------------------- */

/* A bond with hnv's profile is brought up by NetworkManager's activation:
 * it sets options that only a bond that is down takes ("unable to set
 * option because the bond is up"), so a bond hnvd set up itself, or set up
 * again while NetworkManager re-activated it, failed the activation. */
static int nm_set_up(Backend *b, int ifindex, bool up) {
        NmBackend *nm = nm_of(b);
        char name[IF_NAMESIZE];
        NMRemoteConnection *bc;

        if (up && nm_client_get_nm_running(nm->client) && name_of(ifindex, name) >= 0) {
                if (add_waiting_profile(nm, name) < 0)
                        return -EINPROGRESS;
                bc = find_profile(nm, name);
                if (bc && nm_profile_group(NM_CONNECTION(bc)) &&
                    nm_connection_is_type(NM_CONNECTION(bc), NM_SETTING_BOND_SETTING_NAME))
                        return ensure_bond_active(nm, bc, name, false);
        }
        return nm->kernel->ops->set_up(nm->kernel, ifindex, up);
}
static int nm_set_active(Backend *b, int bond_ifindex, int port_ifindex) {
        return nm_of(b)->kernel->ops->set_active(nm_of(b)->kernel, bond_ifindex, port_ifindex);
}
static int nm_set_all_ports_active(Backend *b, int bond_ifindex, bool on) {
        return nm_of(b)->kernel->ops->set_all_ports_active(nm_of(b)->kernel, bond_ifindex, on);
}
static int nm_set_address(Backend *b, int ifindex, const HwAddr *mac) {
        return nm_of(b)->kernel->ops->set_address(nm_of(b)->kernel, ifindex, mac);
}
/* ---- life ------------------------------------------------------------ */

static void drop_watches(NmBackend *nm) {
        while (nm->watched && nm->watched->len > 0) {
                NMActiveConnection *ac = nm->watched->pdata[0];
                Request *r = g_object_get_data(G_OBJECT(ac), "hnv-request");
                g_signal_handlers_disconnect_by_data(ac, r);
                g_ptr_array_remove_index(nm->watched, 0);
                g_object_unref(ac);
                request_free(r);
        }
}

static void on_running(GObject *o, GParamSpec *p, gpointer userdata) {
        NmBackend *nm = userdata;
        if (nm_client_get_nm_running(nm->client)) {
                log_info("NetworkManager is running: reconciling every group");
                g_hash_table_remove_all(nm->moved);
                g_hash_table_remove_all(nm->holding);
                g_hash_table_remove_all(nm->pending);
                GHashTableIter i;
                gpointer bond;
                g_hash_table_iter_init(&i, nm->primaries);
                while (g_hash_table_iter_next(&i, &bond, NULL))
                        persist_primary(nm, bond);
        } else
                log_warning("NetworkManager stopped: failover goes on, profile changes wait for it");
        /* Requests to the old instance will not be answered. */
        drop_watches(nm);
        g_hash_table_remove_all(nm->pending);
        nm_notify(nm);
}

static void on_device_state(NMDevice *dev, guint new_state, guint old_state, guint reason,
                            gpointer userdata) {
        nm_notify(userdata);
}

static void watch_device(NmBackend *nm, NMDevice *dev) {
        g_signal_connect(dev, "state-changed", G_CALLBACK(on_device_state), nm);
}

static void on_device_added(NMClient *client, NMDevice *dev, gpointer userdata) {
        watch_device(userdata, dev);
        nm_notify(userdata);
}

static Backend *nm_free(Backend *b) {
        NmBackend *nm = nm_of(b);
        GMainContext *ctx = g_main_context_default();

        drop_watches(nm);
        if (nm->settle_source)
                g_source_remove(nm->settle_source);
        if (nm->recheck_source)
                g_source_remove(nm->recheck_source);
        if (nm->cancel)
                g_cancellable_cancel(nm->cancel);
        /* Let the cancelled requests' callbacks run and free themselves. */
        while (g_main_context_iteration(ctx, FALSE))
                ;
        if (nm->client) {
                g_signal_handlers_disconnect_by_data(nm->client, nm);
                const GPtrArray *devs = nm_client_get_all_devices(nm->client);
                for (guint i = 0; i < devs->len; i++)
                        g_signal_handlers_disconnect_by_data(devs->pdata[i], nm);
                g_object_unref(nm->client);
        }
        g_clear_object(&nm->cancel);
        g_clear_pointer(&nm->pending, g_hash_table_unref);
        g_clear_pointer(&nm->moved, g_hash_table_unref);
        g_clear_pointer(&nm->watched, g_ptr_array_unref);
        g_clear_pointer(&nm->primaries, g_hash_table_unref);
        g_clear_pointer(&nm->holding, g_hash_table_unref);
        g_clear_pointer(&nm->unprofiled, g_hash_table_unref);
        glib_event_free(nm->glib);
        backend_free(nm->kernel);
        return mfree(nm);
}

static const BackendOps nm_ops = {
        .name = "networkmanager",
        .create_bond = nm_create_bond,
        .dissolve_bond = nm_dissolve_bond,
        .set_up = nm_set_up,
        .enslave = nm_enslave,
        .release = nm_release,
        .set_primary = nm_set_primary,
        .set_active = nm_set_active,
        .set_all_ports_active = nm_set_all_ports_active,
        .set_address = nm_set_address,
        .move_addresses = nm_move_addresses,
        .free = nm_free,
        .prune = nm_prune,
};

static int nm_connect(NMClient **ret) {
        g_autoptr(GError) error = NULL;
        NMClient *c = nm_client_new(NULL, &error);

        if (!c)
                return log_error_errno(-ENOTCONN, "cannot reach the system bus for NetworkManager: %s",
                                       error->message);
        *ret = c;
        return 0;
}

int backend_nm_new(Backend **ret, sd_event *event, Rtnl *rtnl, BackendNotify notify, void *userdata) {
        _cleanup_(backend_freep) Backend *b = NULL;
        NmBackend *nm;
        int k;

        nm = calloc(1, sizeof(*nm));
        if (!nm)
                return -ENOMEM;
        nm->base.ops = &nm_ops;
        b = &nm->base;
        nm->notify = notify;
        nm->userdata = userdata;
        nm->cancel = g_cancellable_new();
        nm->pending = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        nm->moved = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        nm->watched = g_ptr_array_new();
        nm->primaries = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        nm->holding = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        nm->unprofiled = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_object_unref);
        nm->rtnl = rtnl;
        k = backend_kernel_new(&nm->kernel, rtnl);
        if (k < 0)
                return k;
        k = glib_event_new(&nm->glib, event, g_main_context_default());
        if (k < 0)
                return k;
        k = nm_connect(&nm->client);
        if (k < 0)
                return k;

        g_signal_connect(nm->client, "notify::" NM_CLIENT_NM_RUNNING, G_CALLBACK(on_running), nm);
        g_signal_connect(nm->client, NM_CLIENT_DEVICE_ADDED, G_CALLBACK(on_device_added), nm);
        const GPtrArray *devs = nm_client_get_all_devices(nm->client);
        for (guint i = 0; i < devs->len; i++)
                watch_device(nm, devs->pdata[i]);
        *ret = TAKE_PTR(b);
        return 0;
}
