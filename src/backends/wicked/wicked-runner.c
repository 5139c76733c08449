/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <net/if.h>
#include <stdio.h>
#include <signal.h>
#include <sys/wait.h>

#include "group.h"
#include "log.h"
#include "wicked-runner.h"

typedef struct WickedCommand {
        WickedVerb verb;
        char ifname[IFNAMSIZ];
} WickedCommand;

typedef struct WickedQueue {
        WickedRunner *runner;
        char name[IFNAMSIZ];
        /* commands[0] runs while child is set; the rest wait. */
        WickedCommand *commands;
        size_t n_commands;
        pid_t pid;
        sd_event_source *child, *timer;
        bool timed_out;
} WickedQueue;

struct WickedRunner {
        sd_event *event;
        uint64_t timeout_usec;
        WickedQueue **queues;
        size_t n_queues;
        bool missing_logged;
};

#define WICKED_WHAT_MAX (64 + IFNAMSIZ)

/* The command as a log line shows it: "wicked ifreload bond0",
 * "networkctl reload (bond0)". */
static const char *describe(const WickedCommand *c, char buf[static WICKED_WHAT_MAX]) {
        snprintf(buf, WICKED_WHAT_MAX, c->verb == NETWORKCTL_RELOAD ? "%s %s (%s)" : "%s %s %s",
                 wicked_verb_program(c->verb), wicked_verb_to_string(c->verb), c->ifname);
        return buf;
}

static WickedQueue *queue_free(WickedQueue *q) {
        if (!q)
                return NULL;
        sd_event_source_disable_unref(q->child);
        sd_event_source_disable_unref(q->timer);
        free(q->commands);
        return mfree(q);
}

static void queue_drop(WickedRunner *r, WickedQueue *q) {
        for (size_t i = 0; i < r->n_queues; i++)
                if (r->queues[i] == q) {
                        r->queues[i] = r->queues[--r->n_queues];
                        break;
                }
        queue_free(q);
}

static void queue_pop(WickedQueue *q) {
        memmove(q->commands, q->commands + 1, (q->n_commands - 1) * sizeof(*q->commands));
        q->n_commands--;
}

static void queue_next(WickedQueue *q);

static int on_wicked_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        WickedQueue *q = userdata;
        const WickedCommand *c = &q->commands[0];
        char what[WICKED_WHAT_MAX];
        int status = wicked_exit_status(si->si_code, si->si_status);

        if (status == 0)
                log_link_debug(c->ifname, "%s: done", describe(c, what));
        else if (!q->timed_out)
                log_link_warning(c->ifname, "%s failed: exit status %d", describe(c, what), status);

        q->child = sd_event_source_disable_unref(q->child);
        q->timer = sd_event_source_disable_unref(q->timer);
        q->pid = 0;
        q->timed_out = false;
        queue_pop(q);
        queue_next(q);
        return 0;
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        WickedQueue *q = userdata;
        const WickedCommand *c = &q->commands[0];
        char what[WICKED_WHAT_MAX];

        /* Not reaped before on_wicked_exit(), so the pid is still wicked's. */
        log_link_warning(c->ifname, "%s did not finish in %.1f s: killing it", describe(c, what),
                         (double)q->runner->timeout_usec / 1e6);
        q->timed_out = true;
        q->timer = sd_event_source_disable_unref(q->timer);
        if (kill(q->pid, SIGKILL) < 0)
                log_link_warning_errno(c->ifname, negative_errno(), "cannot kill wicked: %m");
        return 0;
}

/* Starts the first waiting command; one that cannot start is dropped and
 * the next tried. An empty queue goes. */
static void queue_next(WickedQueue *q) {
        WickedRunner *r = q->runner;

        while (q->n_commands > 0) {
                const WickedCommand *c = &q->commands[0];
                char what[WICKED_WHAT_MAX];
                int k = wicked_spawn(c->verb, c->ifname, &q->pid);
                if (k >= 0)
                        k = sd_event_add_child(r->event, &q->child, q->pid, WEXITED, on_wicked_exit, q);
                if (k >= 0) {
                        (void)sd_event_source_set_description(q->child, wicked_verb_program(c->verb));
                        k = sd_event_add_time_relative(r->event, &q->timer, CLOCK_MONOTONIC, r->timeout_usec,
                                                       0, on_timeout, q);
                        if (k < 0) /* it runs unbounded rather than not at all */
                                log_link_warning_errno(c->ifname, k, "no timeout for wicked: %m");
                        log_link_debug(c->ifname, "%s: started", describe(c, what));
                        return;
                }
                if (k == -ENOENT) {
                        if (!r->missing_logged)
                                log_link_warning(c->ifname,
                                                 "%s is not installed (not on PATH): the files are written, "
                                                 "but it is not told to reload them",
                                                 wicked_verb_program(c->verb));
                        r->missing_logged = true;
                } else if (q->pid > 0) {
                        /* Started, but sd-event cannot watch it: nothing
                         * would bound or reap it, and waiting for it would
                         * hold the loop for as long as wicked takes (an
                         * ifup waits for the link). Killed and reaped now. */
                        log_link_warning_errno(c->ifname, k, "cannot watch %s, stopping it: %m",
                                               describe(c, what));
                        (void)kill(q->pid, SIGKILL);
                        while (waitpid(q->pid, NULL, 0) < 0 && errno == EINTR)
                                ;
                } else
                        log_link_warning_errno(c->ifname, k, "cannot run %s: %m", describe(c, what));
                q->pid = 0;
                queue_pop(q);
        }
        queue_drop(r, q);
}

int wicked_runner_new(WickedRunner **ret, sd_event *event, uint64_t timeout_usec) {
        WickedRunner *r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        r->event = sd_event_ref(event);
        r->timeout_usec = timeout_usec;
        *ret = r;
        return 0;
}

WickedRunner *wicked_runner_free(WickedRunner *r) {
        if (!r)
                return NULL;
        for (size_t i = 0; i < r->n_queues; i++)
                queue_free(r->queues[i]);
        free(r->queues);
        sd_event_unref(r->event);
        return mfree(r);
}

static WickedQueue *queue_get(WickedRunner *r, const char *name) {
        WickedQueue **queues, *q;

        for (size_t i = 0; i < r->n_queues; i++)
                if (streq(r->queues[i]->name, name))
                        return r->queues[i];
        queues = reallocarray(r->queues, r->n_queues + 1, sizeof(*queues));
        if (!queues)
                return NULL;
        r->queues = queues;
        q = calloc(1, sizeof(*q));
        if (!q)
                return NULL;
        q->runner = r;
        strscpy_strict(q->name, sizeof(q->name), name);
        r->queues[r->n_queues++] = q;
        return q;
}

int wicked_runner_submit(WickedRunner *r, const char *queue, WickedVerb v, const char *ifname) {
        const char *argv[WICKED_ARGV_MAX];
        WickedCommand *commands;
        WickedQueue *q;
        int k;

        k = wicked_argv(v, ifname, argv);
        if (k < 0)
                return k;
        if (!ifname_is_valid(queue))
                return -EINVAL;
        q = queue_get(r, queue);
        if (!q)
                return -ENOMEM;
        /* Coalesced only behind the one that runs: that one may have read
         * the files before this change. */
        for (size_t i = 1; i < q->n_commands; i++)
                if (q->commands[i].verb == v && streq(q->commands[i].ifname, ifname))
                        return 0;
        commands = reallocarray(q->commands, q->n_commands + 1, sizeof(*commands));
        if (!commands) {
                if (q->n_commands == 0)
                        queue_drop(r, q);
                return -ENOMEM;
        }
        q->commands = commands;
        q->commands[q->n_commands].verb = v;
        strscpy_strict(q->commands[q->n_commands].ifname, IFNAMSIZ, ifname);
        q->n_commands++;
        if (!q->child && q->n_commands == 1)
                queue_next(q);
        return 1;
}

size_t wicked_runner_pending(const WickedRunner *r) {
        size_t n = 0;
        for (size_t i = 0; i < r->n_queues; i++)
                n += r->queues[i]->n_commands;
        return n;
}
