/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <systemd/sd-event.h>

#include "macro.h"

/* Runs a GLib main context inside an sd-event loop, so that libnm's D-Bus
 * traffic and callbacks happen on hnvd's one thread, between its other
 * events, and nothing waits for NetworkManager. Each sd-event iteration is
 * one GLib iteration: a prepare callback dispatches what became ready since
 * the last one, then asks GLib which fds and which timeout it needs now and
 * mirrors them as sd-event sources. */
typedef struct GlibEvent GlibEvent;

int glib_event_new(GlibEvent **ret, sd_event *event, GMainContext *context);
GlibEvent *glib_event_free(GlibEvent *g);
DEFINE_TRIVIAL_CLEANUP_FUNC(GlibEvent *, glib_event_free);
