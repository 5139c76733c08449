/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "manager-internal.h"
#include "wait.h"

struct Wait {
        Wait *next;
        Manager *manager;
        ManagerReply reply;
        wait_check_t check;
        void *data;
        void (*free_data)(void *);
        sd_event_source *timer;
};

void manager_reply(const ManagerReply *r, int error, const char *message, json_object *params) {
        if (r->done)
                r->done(r->userdata, error, message, params);
        else
                json_object_put(params);
}

int manager_reply_errorf(const ManagerReply *r, int error, json_object *params, const char *fmt, ...) {
        _cleanup_(freep) char *message = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&message, fmt, ap) < 0)
                message = NULL;
        va_end(ap);
        manager_reply(r, error, message, params);
        return 0;
}

void manager_reply_drop(const ManagerReply *r) {
        if (r->drop)
                r->drop(r->userdata);
}

static Wait *wait_free(Wait *w) {
        if (!w)
                return NULL;
        sd_event_source_disable_unref(w->timer);
        if (w->free_data)
                w->free_data(w->data);
        return mfree(w);
}

static void wait_unlink(Wait *w) {
        for (Wait **p = &w->manager->waits; *p; p = &(*p)->next)
                if (*p == w) {
                        *p = w->next;
                        return;
                }
}

/* Answers w if its check says it is done; then it is gone. */
static bool wait_run(Wait *w, bool timed_out) {
        json_object *params = NULL;
        char *message = NULL;
        int k = w->check(w->manager, w->data, timed_out, &params, &message);

        if (k == 0 && !timed_out)
                return false;
        if (k == 0)
                k = -ETIMEDOUT; /* a check that cannot decide at the end */
        wait_unlink(w);
        /* What the answer reports is on disk before the caller hears it. */
        state_flush(w->manager);
        manager_reply(&w->reply, k > 0 ? 0 : k, message, params);
        free(message);
        wait_free(w);
        return true;
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        (void)wait_run(userdata, true);
        return 0;
}

int wait_start(Manager *m, uint64_t timeout_usec, wait_check_t check, void *data, void (*free_data)(void *),
               const ManagerReply *reply) {
        Wait *w = calloc(1, sizeof(Wait));
        int k;

        if (!w) {
                if (free_data)
                        free_data(data);
                return -ENOMEM;
        }
        *w = (Wait){.manager = m, .reply = *reply, .check = check, .data = data, .free_data = free_data};
        k = sd_event_add_time_relative(m->event, &w->timer, CLOCK_MONOTONIC, timeout_usec, 0, on_timeout, w);
        if (k < 0) {
                w->reply = (ManagerReply){};
                wait_free(w);
                return k;
        }
        w->next = m->waits;
        m->waits = w;
        (void)wait_run(w, false);
        return 0;
}

void waits_check(Manager *m) {
        for (Wait *w = m->waits, *next; w; w = next) {
                next = w->next;
                (void)wait_run(w, false);
        }
}

void waits_free(Manager *m) {
        while (m->waits) {
                Wait *w = m->waits;
                m->waits = w->next;
                manager_reply_drop(&w->reply);
                wait_free(w);
        }
}
