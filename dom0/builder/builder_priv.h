/* SPDX-License-Identifier: MIT */
/* What a qhv_build_plan owns (builder.c and linux.c): freed by
 * qhv_build_plan_free(). */
#ifndef QHVBUILD_PRIV_H
#define QHVBUILD_PRIV_H

#include <stdint.h>

#include "core/image.h"
#include "qhvbuild.h"

struct plan_priv {
	uint8_t gdt[QHV_BUILD_GDT_LIMIT + 1];
	uint8_t *info;	/* multiboot information / Linux boot data */
	uint8_t *extra;	/* Linux: the ACPI tables */
	char what[QHV_BUILD_MAX_MODULES + IMAGE_MAX_SEGMENTS * 2][32];
};

#endif
