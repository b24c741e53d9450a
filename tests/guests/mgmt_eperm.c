// SPDX-License-Identifier: MIT
/*
 * mgmt_eperm: a domain that is not dom0 tries every management call.
 * Each must return -EPERM (the privilege gate comes before anything is
 * read), and the domain must carry on.  Its CPUID must not claim the
 * privileged flag.
 */
#include <qhv/domctl.h>
#include "guest.h"

static union {
	struct qhv_mgmt_hdr hdr;
	struct qhv_domctl_create create;
	struct qhv_domain_info info;
	struct qhv_domctl_memwrite mem;
	struct qhv_domctl_vcpu vcpu;
	struct qhv_domctl_console con;
	struct qhv_sysctl_list list;
	struct qhv_pool_info pool;
	struct qhv_sysctl_events ev;
	char raw[512];
} arg;

static const struct {
	const char *name;
	uint32_t nr, op, len;
} calls[] = {
	{ "create", QHV_HC_DOMCTL, QHV_DOMCTL_CREATE, sizeof(struct qhv_domctl_create) },
	{ "destroy", QHV_HC_DOMCTL, QHV_DOMCTL_DESTROY, sizeof(struct qhv_mgmt_hdr) },
	{ "pause", QHV_HC_DOMCTL, QHV_DOMCTL_PAUSE, sizeof(struct qhv_mgmt_hdr) },
	{ "unpause", QHV_HC_DOMCTL, QHV_DOMCTL_UNPAUSE, sizeof(struct qhv_mgmt_hdr) },
	{ "getinfo", QHV_HC_DOMCTL, QHV_DOMCTL_GETINFO, sizeof(struct qhv_domain_info) },
	{ "memwrite", QHV_HC_DOMCTL, QHV_DOMCTL_MEMWRITE, sizeof(struct qhv_domctl_memwrite) },
	{ "set-vcpu", QHV_HC_DOMCTL, QHV_DOMCTL_SET_VCPU, sizeof(struct qhv_domctl_vcpu) },
	{ "start", QHV_HC_DOMCTL, QHV_DOMCTL_START, sizeof(struct qhv_mgmt_hdr) },
	{ "console-read", QHV_HC_DOMCTL, QHV_DOMCTL_CONSOLE_READ, sizeof(struct qhv_domctl_console) },
	{ "console-write", QHV_HC_DOMCTL, QHV_DOMCTL_CONSOLE_WRITE, sizeof(struct qhv_domctl_console) },
	{ "domctl-unknown", QHV_HC_DOMCTL, 999, 8 },
	{ "list", QHV_HC_SYSCTL, QHV_SYSCTL_LIST, sizeof(struct qhv_sysctl_list) },
	{ "poolinfo", QHV_HC_SYSCTL, QHV_SYSCTL_POOLINFO, sizeof(struct qhv_pool_info) },
	{ "log-read", QHV_HC_SYSCTL, QHV_SYSCTL_LOG_READ, sizeof(struct qhv_domctl_console) },
	{ "events", QHV_HC_SYSCTL, QHV_SYSCTL_EVENTS, sizeof(struct qhv_sysctl_events) },
};

int main(uint32_t magic, uint32_t info)
{
	struct cpuid_regs r;
	unsigned i, domid;

	(void)magic;
	(void)info;
	if (!qhv_present()) {
		skip("mgmt-eperm", "not running on qhv");
		return check_summary("mgmt_eperm");
	}
	r = cpuid(QHV_CPUID_VERSION, 0);
	check("cpuid-not-privileged", !(r.ebx & QHV_CPUID_F_PRIVILEGED),
	      "leaf 0x40000001 ebx=%#x", r.ebx);
	/* dom0 (0), ourselves (probably 1..), and an id nobody has. */
	for (domid = 0; domid < 3; domid++) {
		for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
			long ret;

			memset(&arg, 0, sizeof(arg));
			arg.hdr.interface_version = QHV_DOMCTL_INTERFACE_VERSION;
			arg.hdr.domid = domid == 2 ? 0x7000 : domid;
			memcpy(arg.create.name, "evil", 5);
			arg.create.mem_bytes = 1 << 20;
			arg.create.nr_vcpus = 1;
			ret = qhv_hypercall(calls[i].nr, calls[i].op,
					    (uintptr_t)&arg, calls[i].len);
			check(calls[i].name, ret == -QHV_EPERM,
			      "dom %u: returned %ld want %d", arg.hdr.domid,
			      ret, -QHV_EPERM);
		}
	}
	printf("mgmt_eperm: still running\n");
	return check_summary("mgmt_eperm");
}
