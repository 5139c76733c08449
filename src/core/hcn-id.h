/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

/* The numbers PowerVM's console (HMC) names HNV devices by, as text: the
 * ibm,hcn-id that makes devices one group, and the DRC index of one device.
 * Pure string handling, below both the group model (which checks a match's
 * hcn-id) and the device-tree reader (which writes one per node). */

/* ibm,hcn-id as 8 lowercase hex digits, the form hcnmgr prints and the bond
 * name carries ("bond333e80f5"), plus the NUL. */
#define HCN_ID_SIZE 9

/* The normal form of an hcn-id read as a number. */
void hcn_id_format(uint32_t id, char ret[static HCN_ID_SIZE]);

/* Normalises an hcn-id as the console passes it (HCN_ID=333e80f5, any case,
 * leading zeros optional, "0x" allowed) to the 8-digit form. */
int hcn_id_normalize(const char *s, char ret[static HCN_ID_SIZE]);

/* A DRC index as the console passes it (DRC_INDEX=8000003a): hex, up to 8
 * digits, "0x" and either case allowed. hcnmgr compared the text; hnv
 * compares the number, so "0x8000003A" names the same device. */
int dt_drc_index_parse(const char *s, uint32_t *ret);
