/* SPDX-License-Identifier: MIT */
#ifndef QHV_CORE_DOMAIN_H
#define QHV_CORE_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/vcpu.h"
#include "lib/spinlock.h"

#define MAX_DOMAINS 32
#define MAX_VCPUS 8
#define DOMAIN_NAME_MAX 32
#define VUART_LINE_MAX 160

enum domain_state {
	DOM_FREE = 0,
	DOM_RUNNING,	/* has at least one live vCPU */
	DOM_EXITED,	/* wrote the exit port or called domain_exit */
	DOM_CRASHED,	/* killed by the hv for misbehaving */
};

struct domain;

/**
 * struct vcpu - one virtual CPU.
 * @dom: owning domain.
 * @id: index within the domain.
 * @pcpu: physical CPU it is pinned to.
 * @stopped: set when the domain ends; the scheduler drops the vCPU.
 * @arch: VMX state (VMCS, guest registers, FPU area).
 */
struct vcpu {
	struct domain *dom;
	unsigned id;
	unsigned pcpu;
	volatile bool stopped;
	struct arch_vcpu arch;
};

/**
 * struct domain - a guest: memory, vCPUs, emulated devices, result.
 * @id: domain id (0 is reserved for dom0).
 * @name: from the dom= module option.
 * @mem_bytes: guest RAM, mapped at guest-physical [0, mem_bytes).
 * @exit_code: valid when @state is DOM_EXITED.
 * @reason: why the domain crashed, for the summary.
 */
struct domain {
	unsigned id;
	char name[DOMAIN_NAME_MAX];
	enum domain_state state;
	uint64_t mem_bytes;
	unsigned nr_vcpus;
	unsigned live_vcpus;
	struct vcpu vcpu[MAX_VCPUS];
	struct arch_domain arch;
	uint32_t exit_code;
	char reason[160];
	spinlock_t vuart_lock;	/* vCPUs on several CPUs share the line */
	char vuart_line[VUART_LINE_MAX];
	unsigned vuart_len;
	uint8_t vuart_lcr;
	uint8_t vuart_scratch;
	uint64_t hypercalls;
	bool is_dom0;
};

/**
 * domain_alloc() - reserve a domain slot and set up its address space.
 * @name: unique name.
 * @mem_bytes: RAM size (multiple of 2 MiB is fastest).
 * @nr_vcpus: number of vCPUs (1..MAX_VCPUS).
 *
 * Return: the domain, or NULL with a message (duplicate name, no slot,
 * out of memory).
 */
struct domain *domain_alloc(const char *name, uint64_t mem_bytes,
			    unsigned nr_vcpus);

/* dom0: no RAM of its own (it gets the machine's, 1:1), @nr_vcpus vCPUs. */
struct domain *domain_alloc_dom0(unsigned nr_vcpus);

/* Give up on a domain that never started (build failed). */
void domain_abandon(struct domain *d);

/* Copy @len bytes into guest-physical memory (NULL @src: zero-fill); -QHV_EFAULT if unmapped. */
int domain_write_gpa(struct domain *d, uint64_t gpa, const void *src,
		     uint64_t len);

/* Put the domain's vCPUs on their CPUs' run queues. */
void domain_start(struct domain *d, unsigned pcpu);

/* End a domain: normal exit with @code, or a crash with a reason.  Both may
 * be called from the domain's own vCPU context only. */
void domain_exit(struct domain *d, uint32_t code);
void domain_crash(struct domain *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Called by the scheduler once a stopped vCPU is off its CPU. */
void domain_vcpu_gone(struct vcpu *v);

/* Device model: port I/O from a guest.  Return true if handled. */
bool vdev_pio(struct vcpu *v, uint16_t port, unsigned size, bool in,
	      uint32_t *val);

/* Guest text for the console: buffered into "[name] line" output. */
void domain_console_text(struct domain *d, const char *s, uint64_t n);

/* Number of domains not yet torn down. */
unsigned domains_live(void);

#endif
