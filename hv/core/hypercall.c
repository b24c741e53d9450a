/* SPDX-License-Identifier: MIT */
/*
 * Hypercall dispatch: one switch, one small function per call.  Every
 * argument comes from the guest and is validated here.
 */
#include <qhv/hypercall.h>
#include "core/hypercall.h"
#include "core/console.h"
#include "core/domctl.h"
#include "lib/printk.h"

static int64_t hc_console_write(struct vcpu *v, uint64_t buf, uint64_t len)
{
	char text[QHV_CONSOLE_WRITE_MAX];

	if (len > QHV_CONSOLE_WRITE_MAX)
		return -QHV_EINVAL;
	/* Copy all of it before printing any: a partly mapped buffer
	 * prints nothing and fails as a whole. */
	if (arch_copy_from_guest(v, text, buf, len))
		return -QHV_EFAULT;
	domain_console_text(v->dom, text, len);
	return (int64_t)len;
}

int64_t hypercall_dispatch(struct vcpu *v, struct hcall_args *a)
{
	__atomic_add_fetch(&v->dom->hypercalls, 1, __ATOMIC_RELAXED);
	switch (a->nr) {
	case QHV_HC_VERSION:
		return QHV_ABI_VERSION;
	case QHV_HC_CONSOLE_WRITE:
		return hc_console_write(v, a->arg[0], a->arg[1]);
	case QHV_HC_DOMAIN_EXIT:
		domain_exit(v->dom, (uint32_t)a->arg[0]);
		return 0;
	case QHV_HC_YIELD:
		a->resched = true;
		return 0;
	case QHV_HC_DOMCTL:
		return domctl(v, a->arg[0], a->arg[1], a->arg[2]);
	case QHV_HC_SYSCTL:
		return sysctl(v, a->arg[0], a->arg[1], a->arg[2]);
	default:
		return -QHV_ENOSYS;
	}
}
