// SPDX-License-Identifier: MIT
/*
 * cli_shim.c - LD_PRELOAD'ed into qhv by test_cli: with
 * $QHV_SHIM_FAIL_MEMWRITE set, qhv_memwrite() writes outside the
 * domain's memory instead (libqhv refuses it with -EFAULT and its own
 * message), so the builder fails after the domain was created and
 * `qhv create` must clean up.  Otherwise the call goes through as is.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "libqhv.h"

int qhv_memwrite(struct qhv_handle *h, uint32_t domid, uint64_t gpa,
		 const void *buf, size_t len)
{
	int (*real)(struct qhv_handle *, uint32_t, uint64_t, const void *,
		    size_t);

	*(void **)&real = dlsym(RTLD_NEXT, "qhv_memwrite");
	if (!real)
		return -ENOSYS;
	if (getenv("QHV_SHIM_FAIL_MEMWRITE"))
		gpa = UINT64_MAX - len;
	return real(h, domid, gpa, buf, len);
}
