/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <systemd/sd-event.h>

#include "wicked-cmd.h"

/* Runs wicked commands from hnvd's sd-event loop without waiting for them:
 * wicked_run() blocks for as long as wicked takes (an ifup waits for the
 * link), and failover must never wait behind it.
 *
 * Commands are queued per queue name (the backend uses the bond's name, so
 * a group's commands run in the order it asked for them and never two at
 * once: two wicked clients on one bond's interfaces race in wickedd). A
 * command that takes longer than the timeout is killed. What goes wrong is
 * logged here, once, with the interface name: the caller has long moved on.
 * A missing wicked is logged once for the runner's life; the commands are
 * dropped. */
typedef struct WickedRunner WickedRunner;

/* wicked waits up to 30 s for a link by default (WAIT_FOR_INTERFACES);
 * well beyond that it is hung. */
#define WICKED_TIMEOUT_USEC (90ULL * 1000ULL * 1000ULL)
/* `networkctl reload` returns once networkd has read its files (it does not
 * wait for links): seconds at most, unless networkd hangs. */
#define NETWORKCTL_TIMEOUT_USEC (30ULL * 1000ULL * 1000ULL)

/* SIGCHLD must be blocked (sd_event_add_child() refuses otherwise). */
int wicked_runner_new(WickedRunner **ret, sd_event *event, uint64_t timeout_usec);
/* A command still running is left to finish on its own, not killed. */
WickedRunner *wicked_runner_free(WickedRunner *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(WickedRunner *, wicked_runner_free);

/* Queues `wicked <verb> <ifname>` behind queue's other commands and starts
 * it when it is first. The same command already waiting (not running: it
 * may have read the files before they changed) is not queued twice.
 * Returns 1 when queued, 0 when coalesced, -EINVAL for a name wicked_argv()
 * refuses. */
int wicked_runner_submit(WickedRunner *r, const char *queue, WickedVerb v, const char *ifname);

/* Commands running or waiting, over all queues. */
size_t wicked_runner_pending(const WickedRunner *r);
