/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>

#include "glib-event.h"

typedef struct GlibFd {
        GlibEvent *owner;
        size_t index; /* into owner->fds */
        sd_event_source *source;
} GlibFd;

struct GlibEvent {
        sd_event *event;
        GMainContext *context;
        /* Carries the prepare callback and GLib's next timeout; enabled for
         * the bridge's whole life (sd-event calls prepare callbacks only on
         * enabled sources), armed at infinity when GLib wants no timeout. */
        sd_event_source *timer;
        GPollFD *fds;
        GlibFd *watches;
        size_t n_fds, n_alloc;
        int max_priority;
        bool prepared; /* a query is outstanding: check it before the next */
};

static int on_fd(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        GlibFd *w = userdata;
        /* Only recorded: the next prepare hands it to g_main_context_check(). */
        w->owner->fds[w->index].revents = (gushort)revents;
        return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        /* Nothing to do here: waking the loop is enough, GLib finds its own
         * expired timeouts in check. */
        return sd_event_source_set_time(s, UINT64_MAX);
}

static int mirror_fds(GlibEvent *g, size_t n) {
        size_t i;
        int k;

        for (i = 0; i < n; i++) {
                GlibFd *w = &g->watches[i];
                int fd = g->fds[i].fd;
                uint32_t events = g->fds[i].events;

                g->fds[i].revents = 0;
                if (w->source && sd_event_source_get_io_fd(w->source) == fd) {
                        k = sd_event_source_set_io_events(w->source, events);
                        if (k < 0)
                                return k;
                        continue;
                }
                w->source = sd_event_source_disable_unref(w->source);
                w->owner = g;
                w->index = i;
                k = sd_event_add_io(g->event, &w->source, fd, events, on_fd, w);
                if (k < 0)
                        return k;
                (void)sd_event_source_set_description(w->source, "glib-fd");
        }
        for (; i < g->n_fds; i++)
                g->watches[i].source = sd_event_source_disable_unref(g->watches[i].source);
        g->n_fds = n;
        return 0;
}

static int on_prepare(sd_event_source *s, void *userdata) {
        GlibEvent *g = userdata;
        gint timeout_ms;
        int n;

        if (g->prepared) {
                g->prepared = false;
                if (g_main_context_check(g->context, g->max_priority, g->fds, (gint)g->n_fds))
                        g_main_context_dispatch(g->context);
        }

        (void)g_main_context_prepare(g->context, &g->max_priority);
        for (;;) {
                n = g_main_context_query(g->context, g->max_priority, &timeout_ms, g->fds, (gint)g->n_alloc);
                if ((size_t)n <= g->n_alloc)
                        break;
                GPollFD *fds = reallocarray(g->fds, n, sizeof(GPollFD));
                if (!fds)
                        return -ENOMEM;
                g->fds = fds;
                GlibFd *watches = reallocarray(g->watches, n, sizeof(GlibFd));
                if (!watches)
                        return -ENOMEM;
                memset(watches + g->n_alloc, 0, (n - g->n_alloc) * sizeof(GlibFd));
                g->watches = watches;
                /* The sources point at their watch, which just moved. */
                for (size_t i = 0; i < g->n_alloc; i++)
                        if (watches[i].source)
                                (void)sd_event_source_set_userdata(watches[i].source, &watches[i]);
                g->n_alloc = n;
        }
        g->prepared = true;
        int k = mirror_fds(g, (size_t)n);
        if (k < 0)
                return k;
        if (timeout_ms < 0)
                return sd_event_source_set_time(g->timer, UINT64_MAX);
        return sd_event_source_set_time_relative(g->timer, (uint64_t)timeout_ms * 1000);
}

int glib_event_new(GlibEvent **ret, sd_event *event, GMainContext *context) {
        _cleanup_(glib_event_freep) GlibEvent *g = NULL;
        int k;

        g = calloc(1, sizeof(*g));
        if (!g)
                return -ENOMEM;
        g->event = sd_event_ref(event);
        g->context = g_main_context_ref(context);
        /* Held for the bridge's life: prepare/query/check/dispatch require
         * the caller to own the context, and nothing else iterates it. */
        if (!g_main_context_acquire(g->context)) {
                g_main_context_unref(TAKE_PTR(g->context));
                return -EBUSY;
        }
        k = sd_event_add_time(event, &g->timer, CLOCK_MONOTONIC, UINT64_MAX, 0, on_timer, g);
        if (k < 0)
                return k;
        (void)sd_event_source_set_description(g->timer, "glib");
        k = sd_event_source_set_enabled(g->timer, SD_EVENT_ON);
        if (k < 0)
                return k;
        k = sd_event_source_set_prepare(g->timer, on_prepare);
        if (k < 0)
                return k;
        *ret = TAKE_PTR(g);
        return 0;
}

GlibEvent *glib_event_free(GlibEvent *g) {
        if (!g)
                return NULL;
        for (size_t i = 0; i < g->n_alloc; i++)
                sd_event_source_disable_unref(g->watches[i].source);
        sd_event_source_disable_unref(g->timer);
        if (g->context) {
                g_main_context_release(g->context);
                g_main_context_unref(g->context);
        }
        sd_event_unref(g->event);
        free(g->fds);
        free(g->watches);
        return mfree(g);
}
