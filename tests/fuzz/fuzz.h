/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Every fuzz target defines libFuzzer's entry point. Built with clang and
 * -Dfuzzing=true it is a libFuzzer program (tools/fuzz); otherwise
 * fuzz-main.c gives it a main() that runs the seed corpus once, so every
 * build checks that the seeds still go through cleanly. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
