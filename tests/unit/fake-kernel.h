/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A fake kernel for the manager's in-process tests: links with the bonding
 * driver's active-backup rules, udev's word on each device, addresses as a
 * count. The manager reads it through a Platform (platform.h) and acts on
 * it through a Backend (backend.h), both handles onto one FakeKernel that
 * outlives them, so a test can stop a manager and start another on the same
 * "kernel". Events reach the manager from the loop, after the change, as
 * rtnetlink's monitor delivers them. Every backend call is logged, in the
 * words of backend.h, for the tests to compare. */

#include <stdbool.h>

#include <systemd/sd-event.h>

#include "backend.h"
#include "platform.h"

typedef struct FakeKernel FakeKernel;

FakeKernel *fake_kernel_new(sd_event *event);
FakeKernel *fake_kernel_free(FakeKernel *k);

/* The handles a manager takes (ManagerOptions.platform, .backend). */
Platform *fake_platform_new(FakeKernel *k);
Backend *fake_backend_new(FakeKernel *k);

/* A device appears: down, without carrier until it is up; udev finishes
 * with it after the kernel's event. driver NULL: none; props: "K=V" words,
 * NULL-terminated, copied. Returns its ifindex. */
int fake_link_add(FakeKernel *k, const char *name, const char *mac, bool pci, const char *driver,
                  const char *const *props);
void fake_link_remove(FakeKernel *k, const char *name);
/* The monitor socket overran: every event not yet delivered is lost, and
 * the manager resynchronises from a dump, marked interrupted if asked. */
void fake_overrun(FakeKernel *k, bool interrupted);
/* get_link requests since the last fake_overrun(). */
unsigned fake_get_link_calls(FakeKernel *k);
/* The cable: IFF_LOWER_UP while the link is up. The bond's miimon sees the
 * change only at its next tick (fake_miimon). */
void fake_link_set_carrier(FakeKernel *k, const char *name, bool on);
/* What an admin's `ip link set` does behind hnvd's back. */
void fake_link_set_up(FakeKernel *k, const char *name, bool up);
void fake_link_set_addresses(FakeKernel *k, const char *name, int n);
/* One miimon tick of every bond: port link states follow carrier, and
 * the active port is chosen again (primary_reselect=always). */
void fake_miimon(FakeKernel *k);

/* -1 when absent. */
int fake_ifindex(FakeKernel *k, const char *name);
const LinkInfo *fake_link(FakeKernel *k, const char *name);
int fake_addresses(FakeKernel *k, const char *name);
/* The name of the bond's active port ("" for none; NULL: no such bond). */
const char *fake_active(FakeKernel *k, const char *bond);
const char *fake_master(FakeKernel *k, const char *port);

/* The backend calls since the last fake_calls_clear(), one per line:
 * "create-bond bondg", "enslave bondg vf0", ... */
const char *fake_calls(FakeKernel *k);
void fake_calls_clear(FakeKernel *k);
/* The next n calls of op (a word of the log, "enslave") fail with error. */
void fake_fail(FakeKernel *k, const char *op, int error, unsigned n);
/* Events not yet delivered to the manager. */
/* Bonds send no NOTIFY_PEERS event when they switch, as a bond whose new
 * port's link is still being set up (the kernel then notifies a tick later). */
void fake_bonds_silent(FakeKernel *k, bool silent);
bool fake_pending(FakeKernel *k);
