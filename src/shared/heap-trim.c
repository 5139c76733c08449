/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <malloc.h>
#include <stdbool.h>
#include <time.h>

#include "heap-trim.h"
#include "macro.h"

typedef struct HeapTrim {
        /* Both owned by the loop (floating). */
        sd_event_source *idle, *later;
        uint64_t last_usec; /* CLOCK_MONOTONIC of the last trim, 0: none */
        bool just_ran;
} HeapTrim;

static int on_idle(sd_event_source *s, void *userdata) {
        HeapTrim *t = userdata;
        struct mallinfo2 mi = mallinfo2();
        uint64_t now;

        t->just_ran = true;
        /* The top chunk is glibc's to trim (M_TRIM_THRESHOLD): taking it
         * too would make the next burst grow the heap again by system
         * calls. */
        if (mi.fordblks - mi.keepcost < HEAP_TRIM_MIN_BYTES)
                return 0;
        if (sd_event_now(sd_event_source_get_event(s), CLOCK_MONOTONIC, &now) < 0)
                return 0;
        if (t->last_usec == 0 || now >= t->last_usec + HEAP_TRIM_INTERVAL_USEC) {
                (void)malloc_trim(0);
                t->last_usec = now;
                return 0;
        }
        /* Too soon: once allowed, the timer's dispatch brings us back. */
        if (sd_event_source_set_time(t->later, t->last_usec + HEAP_TRIM_INTERVAL_USEC) >= 0)
                (void)sd_event_source_set_enabled(t->later, SD_EVENT_ONESHOT);
        return 0;
}

static int on_later(sd_event_source *s, uint64_t usec, void *userdata) {
        return 0;
}

/* Runs after every dispatch: arms one idle-priority pass, which sd-event
 * runs only when no other source is pending, so bursts are not slowed. */
static int on_post(sd_event_source *s, void *userdata) {
        HeapTrim *t = userdata;

        /* Its own dispatch counts too: re-arming then would spin. */
        if (t->just_ran) {
                t->just_ran = false;
                return 0;
        }
        return sd_event_source_set_enabled(t->idle, SD_EVENT_ONESHOT);
}

static void add_floating(sd_event_source *s, sd_event_source **ret, const char *description) {
        (void)sd_event_source_set_enabled(s, SD_EVENT_OFF);
        (void)sd_event_source_set_description(s, description);
        (void)sd_event_source_set_floating(s, true);
        *ret = s;
        sd_event_source_unref(s);
}

/* The post source, freed with the loop, frees the state. */
int heap_trim_attach(sd_event *event) {
        HeapTrim *t = calloc(1, sizeof(*t));
        sd_event_source *post = NULL, *s = NULL;
        int k;

        if (!t)
                return -ENOMEM;
        k = sd_event_add_post(event, &post, on_post, t);
        if (k < 0) {
                free(t);
                return k;
        }
        (void)sd_event_source_set_destroy_callback(post, free);
        (void)sd_event_source_set_description(post, "heap-trim-post");
        k = sd_event_add_defer(event, &s, on_idle, t);
        if (k >= 0) {
                (void)sd_event_source_set_priority(s, SD_EVENT_PRIORITY_IDLE);
                add_floating(s, &t->idle, "heap-trim");
                k = sd_event_add_time(event, &s, CLOCK_MONOTONIC, 0, 0, on_later, t);
        }
        if (k >= 0) {
                add_floating(s, &t->later, "heap-trim-later");
                (void)sd_event_source_set_floating(post, true);
        }
        sd_event_source_unref(post);
        return k < 0 ? k : 0;
}
