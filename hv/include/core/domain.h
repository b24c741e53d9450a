/* SPDX-License-Identifier: MIT */
#ifndef QHV_CORE_DOMAIN_H
#define QHV_CORE_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>
#include <qhv/domctl.h>
#include "arch/vcpu.h"
#include "lib/spinlock.h"
#include "core/vuart.h"

#define MAX_DOMAINS 128
#define MAX_VCPUS QHV_MAX_VCPUS
#define DOMAIN_NAME_MAX QHV_NAME_MAX
#define VUART_LINE_MAX 160

/*
 * Lifecycle (docs/architecture.md "Domains"):
 *
 *   FREE -> BUILDING -> BUILT -> ACTIVE -> SHUTDOWN | CRASHED
 *                          \        \           |
 *                           +--------+----> DYING -> FREE
 *
 * BUILDING is invisible to lookups.  Pausing is a count beside the
 * state, not a state.  A slot goes back to FREE only once its resources
 * are released *and* no lookup holds a reference.
 */
enum domain_state {
	DOM_FREE = 0,
	DOM_BUILDING,	/* slot claimed, address space being made */
	DOM_BUILT,	/* complete, never started */
	DOM_ACTIVE,	/* started */
	DOM_SHUTDOWN,	/* ended itself (exit port, hypercall, power-off) */
	DOM_CRASHED,	/* ended by the hv for misbehaving */
	DOM_DYING,	/* destroy requested: vCPUs stopping, then freed */
};

struct domain;

/**
 * struct vcpu - one virtual CPU.
 * @dom: owning domain.
 * @id: index within the domain.
 * @pcpu: physical CPU it is pinned to.
 * @stopped: set when the domain ends; the scheduler drops the vCPU.
 * @queued: on its CPU's run queue (so it is torn down there).
 * @on_cpu: inside arch_vcpu_run() right now (pause waits for false).
 * @time_tsc: TSC ticks spent running, for getinfo.
 * @arch: VMX state (VMCS, guest registers, FPU area).
 *
 * @stopped and @on_cpu are written by one CPU and read by others: always
 * through __atomic builtins.
 */
struct vcpu {
	struct domain *dom;
	unsigned id;
	unsigned pcpu;
	bool stopped;
	bool queued;
	bool on_cpu;
	uint64_t time_tsc;
	struct arch_vcpu arch;
};

/**
 * struct domain - a guest: memory, vCPUs, emulated devices, result.
 * @id: domain id (0 is dom0).
 * @name: unique among live domains.
 * @uuid: given by the toolstack (zero for boot domains).
 * @state: enum domain_state; changed under domains_lock (reads of a
 *   domain the reader holds a reference to may be racy but see a valid
 *   value).
 * @refcnt: lookups holding the slot (domain_get/put).
 * @releasing: someone has taken on freeing the resources.
 * @released: resources gone; the slot frees when @refcnt drops to 0.
 * @runtime: created by dom0 (kept after it ends, until destroyed) rather
 *   than at boot (freed as soon as it ends, kept for the summary).
 * @pause_count: nested pauses by dom0; vCPUs run only at 0.
 * @mem_bytes: guest RAM, mapped at guest-physical [0, mem_bytes).
 * @cpu_affinity: physical CPUs allowed (0 = any).
 * @shutdown_reason, @exit_code: valid in DOM_SHUTDOWN.
 * @reason: why the domain crashed.
 * @con: console output ring (all guest console bytes) and the UART's
 *   receive FIFO; @con_lock protects both and the vuart fields.
 */
struct domain {
	unsigned id;
	char name[DOMAIN_NAME_MAX];
	uint8_t uuid[16];
	enum domain_state state;
	unsigned refcnt;
	bool releasing;
	bool released;
	bool runtime;
	unsigned pause_count;
	uint64_t mem_bytes;
	uint64_t cpu_affinity;
	unsigned nr_vcpus;
	unsigned live_vcpus;
	struct vcpu vcpu[MAX_VCPUS];
	struct arch_domain arch;
	uint32_t shutdown_reason;
	uint32_t exit_code;
	char reason[QHV_REASON_MAX];
	spinlock_t con_lock;	/* protects: uart, vuart_line/len, con_ring, con_head */
	struct vuart uart;
	char vuart_line[VUART_LINE_MAX];
	unsigned vuart_len;
	uint64_t con_head;	/* bytes ever written to con_ring */
	char con_ring[QHV_CONSOLE_RING_SIZE];
	uint64_t hypercalls;
	bool is_dom0;
	/* A boot domain with on_reboot=restart: rebuilt from module
	 * @boot_module after a reset request, @boot_restarts times so far. */
	bool restart_on_reboot;
	unsigned boot_module;
	unsigned boot_restarts;
};

/**
 * struct domain_params - what a new domain is made of.
 * @name: 1..31 characters of [A-Za-z0-9_.-] (checked).
 * @uuid: 16 bytes, or NULL for zeros.
 * @mem_bytes: RAM, a multiple of 4 KiB (may be 0 for dom0, whose memory
 *   is the machine's).
 * @nr_vcpus: 1..MAX_VCPUS.
 * @cpu_affinity: allowed physical CPUs, 0 = any.
 * @runtime: made by dom0's management call (see struct domain).
 * @dom0: the privileged domain (id 0, no RAM of its own).
 */
struct domain_params {
	const char *name;
	const uint8_t *uuid;
	uint64_t mem_bytes;
	unsigned nr_vcpus;
	uint64_t cpu_affinity;
	bool runtime;
	bool dom0;
};

/**
 * domain_create() - claim a slot and id, build the address space, RAM and
 * vCPUs; the domain is left DOM_BUILT.
 * @p: parameters.
 * @out: the domain, holding one reference (domain_put() when done).
 *
 * Return: 0; -QHV_EINVAL (bad name or sizes), -QHV_EEXIST (name in use),
 * -QHV_ENOSPC (no slot or id), -QHV_ENOMEM (nothing is leaked).  A
 * message is printed for each.
 */
int domain_create(const struct domain_params *p, struct domain **out);

/* Boot-time wrappers: create with a message, or NULL. */
struct domain *domain_alloc(const char *name, uint64_t mem_bytes,
			    unsigned nr_vcpus);
struct domain *domain_alloc_dom0(unsigned nr_vcpus);

/* Give up on a domain that never started (build failed); drops the
 * reference domain_alloc() returned. */
void domain_abandon(struct domain *d);

/**
 * domain_get() - look up a live domain by id and take a reference.
 * Return: the domain, or NULL (no such id, or still being built).
 */
struct domain *domain_get(unsigned id);
/* Drop a reference; the last one frees a released slot. */
void domain_put(struct domain *d);

/* Copy @len bytes into guest-physical memory (NULL @src: zero-fill); -QHV_EFAULT if unmapped. */
int domain_write_gpa(struct domain *d, uint64_t gpa, const void *src,
		     uint64_t len);

/**
 * domain_start() - put a built domain's vCPUs on run queues.
 * @d: a DOM_BUILT domain.
 * @pcpu: first CPU to place vCPUs on (boot domains: vCPU i on CPU
 *   @pcpu + i), or %DOMAIN_START_SPREAD (runtime domains: each vCPU on the
 *   CPU with the fewest vCPUs, sched_spread()); ignored with an affinity
 *   mask (vCPU k on the k-th allowed CPU) and for dom0 (vCPU i on CPU i).
 *
 * Return: 0, -QHV_EBUSY (not DOM_BUILT) or -QHV_ENOSPC (a run queue is
 * full: the domain is left DOM_BUILT, none of its vCPUs queued).
 */
int domain_start(struct domain *d, unsigned pcpu);
#define DOMAIN_START_SPREAD (~0u)

/* Pause (nested) / unpause.  domain_pause() returns once no vCPU of @d is
 * running on any CPU.  Return 0 or -QHV_EINVAL (unpause when not paused). */
int domain_pause(struct domain *d);
int domain_unpause(struct domain *d);

/**
 * domain_destroy() - end @d from any CPU: its vCPUs stop on their own
 * CPUs, then its frames are scrubbed and returned and its slot freed.
 * Return: 0, or -QHV_EPERM for dom0.
 */
int domain_destroy(struct domain *d);

/* End a domain: a shutdown (exit code for QHV_SHUTDOWN_EXIT) or a crash
 * with a reason.  Callable from any CPU; the first end wins. */
void domain_shutdown(struct domain *d, uint32_t reason, uint32_t code);
void domain_exit(struct domain *d, uint32_t code);
void domain_crash(struct domain *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Can @v run now: started, not stopped, not paused, not waiting for a
 * SIPI.  What the scheduler and the run loop ask (on every exit: inline). */
static inline bool vcpu_runnable(const struct vcpu *v)
{
	return !__atomic_load_n(&v->stopped, __ATOMIC_ACQUIRE) &&
	       !__atomic_load_n(&v->dom->pause_count, __ATOMIC_ACQUIRE) &&
	       arch_vcpu_ready(&v->arch);
}

/* Called by the scheduler once a stopped vCPU is off its CPU. */
void domain_vcpu_gone(struct vcpu *v);

/* Device model: port I/O from a guest.  Return true if handled. */
bool vdev_pio(struct vcpu *v, uint16_t port, unsigned size, bool in,
	      uint32_t *val);

/* Guest text for the console: the ring, and "[name] line" hv output. */
void domain_console_text(struct domain *d, const char *s, uint64_t n);

/* Console ring and UART input, for the management calls. */
void domain_console_read(struct domain *d, struct qhv_domctl_console *c,
			 char *out);
unsigned domain_console_input(struct domain *d, const char *s, unsigned n);

/* Fill @info (all but hdr) from @d. */
void domain_getinfo(struct domain *d, struct qhv_domain_info *info);

/* Ids of live domains (not building): up to @max into @ids; returns the
 * number there are. */
unsigned domain_list(uint32_t *ids, unsigned max);

/* Number of domains not yet torn down. */
unsigned domains_live(void);

/* Events for dom0 (QHV_EVENT_*): set bits, raise its interrupt. */
void domain_notify_dom0(uint32_t events);
uint32_t domain_take_events(uint64_t *state_seq);

#endif
