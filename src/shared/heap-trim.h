/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-event.h>

/* Below this much free heap under the live allocations, a trim is not worth
 * its system calls. */
#define HEAP_TRIM_MIN_BYTES (64 * 1024)
/* At most one trim this often: the free chunks stay in glibc's lists once
 * trimmed, so every idle moment of a long burst would trim again. */
#define HEAP_TRIM_INTERVAL_USEC (1000 * 1000)

/* Once the loop has nothing left to do after a burst of work, gives the
 * heap's free pages back to the kernel. glibc does that by itself only from
 * the heap's top: a 64-group start, or one status answer built for 64
 * groups, leaves hundreds of kB free below live allocations, resident for
 * as long as the daemon runs. At rest the loop dispatches nothing, so this
 * adds no wakeup; after a burst, at most one. */
int heap_trim_attach(sd_event *event);
