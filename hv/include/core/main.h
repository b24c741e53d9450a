/* SPDX-License-Identifier: MIT */
#ifndef QHV_CORE_MAIN_H
#define QHV_CORE_MAIN_H

#include "core/mbinfo.h"

/* Core start-up, called once by the boot CPU; does not return. */
__attribute__((noreturn)) void hv_start(const struct boot_info *bi);

#endif
