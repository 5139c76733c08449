/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "wicked-runner.h"

/* What the wicked and networkd backends share: every action goes to the
 * kernel at once, through the kernel backend, so failover and the planned
 * release never wait for a connection manager and keep working while it
 * restarts or hangs. What the manager must know to build the same bond at
 * boot and leave its ports alone goes into its files afterwards, once the
 * manager's plan for a bond has run (the ports' roles and the primary are
 * right only at its end), followed by the manager's own command, run on a
 * WickedRunner with a bound. The backend says what its files are. */
typedef struct FilesBackend FilesBackend;

typedef struct FilesBackendClass {
        const char *name;  /* BackendOps.name, and the log's */
        const char *files; /* "ifcfg", "networkd": "cannot ... its %s files" */
        uint64_t command_timeout_usec;
        /* Brings the bond's files up to date and tells the manager. */
        void (*persist)(FilesBackend *fb, const char *bond);
        /* The bond is gone from the kernel, its addresses handed to keep
         * (NULL when there was no port to keep them): its files go. */
        void (*dissolved)(FilesBackend *fb, const char *bond, const char *keep);
        int (*prune)(FilesBackend *fb, bool (*keep)(const char *ifname, void *userdata), void *userdata);
} FilesBackendClass;

struct FilesBackend {
        Backend base;
        BackendOps ops;
        const FilesBackendClass *class;
        Backend *kernel;
        Rtnl *rtnl;
        char *dir; /* where the files go */
        int dir_fd;
        WickedRunner *runner;
        BackendGroupLookup lookup;
        void *userdata;
        char **dirty; /* bonds whose files are to be brought up to date */
        size_t n_dirty;
        sd_event_source *defer;
};

/* create_dir: make dir (0755) when it is missing. */
int backend_files_new(Backend **ret, const FilesBackendClass *class, sd_event *event, Rtnl *rtnl,
                      const char *dir, bool create_dir, BackendGroupLookup lookup, void *userdata);
