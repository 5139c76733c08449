/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>
#include <stdint.h>

#include "manager.h"

/* What the console's hcn commands ask of hnvd (hcnmgr(8)): the devices are
 * named by their DRC index, the groups by their hcn-id, both from the
 * device tree. Every wait is bounded and ends on an event (a reconcile
 * pass), never on a poll. Those that wait answer through reply. */

/* hcncfgdrc waits for a device that DLPAR has just added: the predecessor
 * gave it up to 180 s of polling; we wait for its events, 120 s at most. */
#define HCN_CONFIGURE_WAIT_DEFAULT_USEC (120 * 1000 * 1000ULL)
#define HCN_SCAN_WAIT_DEFAULT_USEC      (60 * 1000 * 1000ULL)

/* ConfigureDevice: the device with this DRC index joins its group; answered
 * once it is in the bond, or with -ETIMEDOUT. */
int hcn_configure_device(Manager *m, uint32_t drc_index, uint64_t timeout_usec, const ManagerReply *reply);
/* QueryDevice: may the device go? A VF may when another port of its bond can
 * carry the traffic, or when it is in no bond. Anyone may ask: it reads the
 * device tree and changes nothing. */
int hcn_query_device(Manager *m, uint32_t drc_index, const char *hcn_id, json_object **ret,
                     char **ret_error);
/* RemoveDevice: a VF is released as for a migration (no frame lost), a
 * backup taken out of its bond when the VF carries the traffic. */
int hcn_remove_device(Manager *m, uint32_t drc_index, const char *hcn_id, uint64_t timeout_usec,
                      const ManagerReply *reply);
/* Scan (hcnmgr -s, hcn-init): reads the device tree again, forgets what
 * was persisted for interfaces gone while the guest was off, and answers
 * once every device-tree group whose devices are present has them in its
 * bond. */
int hcn_scan(Manager *m, uint64_t timeout_usec, const ManagerReply *reply);
