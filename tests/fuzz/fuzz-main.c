/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The corpus runner: each regular file of each directory (or each file)
 * named on the command line through the target's entry point, once. No
 * input at all is a failure: it means the corpus moved. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "util.h"

static int run_file(const char *path) {
        _cleanup_(freep) char *buf = NULL, *error = NULL;
        size_t size;
        int r;

        r = read_file_bounded(path, 16U * 1024U * 1024U, &buf, &size, &error);
        if (r <= 0) {
                fprintf(stderr, "%s: %s\n", path, error ?: "missing");
                return r < 0 ? r : -ENOENT;
        }
        LLVMFuzzerTestOneInput((const uint8_t *)buf, size);
        printf("ok %s (%zu bytes)\n", path, size);
        return 0;
}

int main(int argc, char *argv[]) {
        unsigned n = 0;

        for (int i = 1; i < argc; i++) {
                DIR *d = opendir(argv[i]);
                struct dirent *de;

                if (!d) {
                        if (errno != ENOTDIR || run_file(argv[i]) < 0)
                                return EXIT_FAILURE;
                        n++;
                        continue;
                }
                while ((de = readdir(d))) {
                        _cleanup_(freep) char *path = NULL;

                        if (de->d_name[0] == '.')
                                continue;
                        if (asprintf(&path, "%s/%s", argv[i], de->d_name) < 0 || run_file(path) < 0) {
                                closedir(d);
                                return EXIT_FAILURE;
                        }
                        n++;
                }
                closedir(d);
        }

        if (n == 0) {
                fprintf(stderr, "no input files\n");
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}
