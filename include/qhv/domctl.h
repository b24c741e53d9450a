/* SPDX-License-Identifier: MIT */
/**
 * DOC: qhv management ABI (domctl and sysctl), interface version 1
 *
 * dom0 manages domains with two hypercalls (see <qhv/hypercall.h>):
 *
 *   QHV_HC_DOMCTL(op, buf, len)   an operation on one domain
 *   QHV_HC_SYSCTL(op, buf, len)   an operation on the machine
 *
 * @buf is the guest-virtual address of a fixed-size argument struct, of
 * exactly @len bytes, that the hv reads in and (for operations with
 * results) writes back.  Every struct starts with a struct qhv_mgmt_hdr
 * whose @interface_version must be QHV_DOMCTL_INTERFACE_VERSION; a
 * mismatch gets -QHV_EINVAL and nothing else is looked at.  The structs
 * hold no pointers: the few operations that move bulk data (memory
 * writes, console and log reads) name a second guest-virtual buffer by
 * address and length inside the struct, bounded per call.
 *
 * Privilege: only dom0 (the domain whose CPUID leaf 0x40000001 EBX has
 * QHV_CPUID_F_PRIVILEGED) may make these calls.  Any other domain gets
 * -QHV_EPERM and carries on.  dom0 itself cannot be paused, destroyed or
 * written into by them (-QHV_EPERM).
 *
 * Domain ids: dom0 is 0; other domains get ids 1..QHV_DOMID_MAX.  An id is
 * not handed out again until every id above it has been used once since
 * (the allocator moves forward and wraps), so a stale id names no other
 * domain for a long time; libqhv compares the uuid as well before acting
 * on a name it looked up earlier.
 *
 * This header is freestanding: it needs only <stdint.h>.
 */
#ifndef QHV_DOMCTL_H
#define QHV_DOMCTL_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

#define QHV_DOMCTL_INTERFACE_VERSION 1u

#define QHV_NAME_MAX 32		/* including the terminating NUL */
#define QHV_MAX_VCPUS 8
#define QHV_DOMID_DOM0 0u
#define QHV_DOMID_MAX 0x7fefu	/* below xenstore's reserved 0x7ff0.. */
#define QHV_REASON_MAX 128
/* Bulk data per call: larger transfers are split by the caller. */
#define QHV_MEMWRITE_MAX (256u * 1024)
#define QHV_CONSOLE_IO_MAX 4096u
#define QHV_CONSOLE_RING_SIZE 16384u	/* per domain */
#define QHV_LOG_RING_SIZE 65536u	/* the hv's own log */

/**
 * struct qhv_mgmt_hdr - first member of every management argument struct.
 * @interface_version: QHV_DOMCTL_INTERFACE_VERSION.
 * @domid: the domain operated on (domctl); 0 for sysctl.
 */
struct qhv_mgmt_hdr {
	uint32_t interface_version;
	uint32_t domid;
};

/**
 * enum qhv_domctl_op - operations of QHV_HC_DOMCTL.
 * @QHV_DOMCTL_CREATE: struct qhv_domctl_create; hdr.domid is ignored on
 *   input and holds the new domain's id on return.  The domain is built
 *   (RAM allocated and zeroed, vCPUs set up) but not started.
 * @QHV_DOMCTL_DESTROY: struct qhv_mgmt_hdr; any state.  Every vCPU is
 *   stopped on its own CPU, then every frame is scrubbed and returned.
 *   Returns once the domain is gone or going (QHV_STATE_DYING).
 * @QHV_DOMCTL_PAUSE / @QHV_DOMCTL_UNPAUSE: struct qhv_mgmt_hdr.  Pauses
 *   nest (a count); a paused domain's vCPUs never run.  Unpause of a
 *   domain that is not paused is -QHV_EINVAL.
 * @QHV_DOMCTL_GETINFO: struct qhv_domain_info.
 * @QHV_DOMCTL_MEMWRITE: struct qhv_domctl_memwrite: copy bytes from a dom0
 *   buffer into the domain's guest-physical memory.  Only while the domain
 *   is built (never started) or paused (-QHV_EBUSY otherwise).
 * @QHV_DOMCTL_SET_VCPU: struct qhv_domctl_vcpu: a vCPU's initial register
 *   state.  Only before the domain is started.
 * @QHV_DOMCTL_START: struct qhv_mgmt_hdr: a built domain starts running;
 *   its vCPU 0 at the state SET_VCPU gave (vCPUs > 0 wait for INIT-SIPI
 *   unless given a state of their own).
 * @QHV_DOMCTL_CONSOLE_READ: struct qhv_domctl_console: bytes of the
 *   domain's console output from a cursor.
 * @QHV_DOMCTL_CONSOLE_WRITE: struct qhv_domctl_console: bytes for the
 *   domain's UART receive side; returns how many were taken (the FIFO
 *   may be full).
 */
enum qhv_domctl_op {
	QHV_DOMCTL_CREATE = 1,
	QHV_DOMCTL_DESTROY = 2,
	QHV_DOMCTL_PAUSE = 3,
	QHV_DOMCTL_UNPAUSE = 4,
	QHV_DOMCTL_GETINFO = 5,
	QHV_DOMCTL_MEMWRITE = 6,
	QHV_DOMCTL_SET_VCPU = 7,
	QHV_DOMCTL_START = 8,
	QHV_DOMCTL_CONSOLE_READ = 9,
	QHV_DOMCTL_CONSOLE_WRITE = 10,
};

/**
 * enum qhv_sysctl_op - operations of QHV_HC_SYSCTL.
 * @QHV_SYSCTL_LIST: struct qhv_sysctl_list: the ids of live domains.
 * @QHV_SYSCTL_POOLINFO: struct qhv_pool_info.
 * @QHV_SYSCTL_LOG_READ: struct qhv_domctl_console (hdr.domid 0): bytes
 *   of the hv's own log ring from a cursor (like `xl dmesg`).
 * @QHV_SYSCTL_EVENTS: struct qhv_sysctl_events: read and clear the
 *   pending event bits behind dom0's notification interrupt.
 */
enum qhv_sysctl_op {
	QHV_SYSCTL_LIST = 1,
	QHV_SYSCTL_POOLINFO = 2,
	QHV_SYSCTL_LOG_READ = 3,
	QHV_SYSCTL_EVENTS = 4,
};

/* Flags of struct qhv_domctl_create. */
#define QHV_CREATE_F_MASK 0u	/* none defined yet; others -QHV_EINVAL */

/**
 * struct qhv_domctl_create - QHV_DOMCTL_CREATE.
 * @hdr: hdr.domid out: the new id.
 * @name: unique, 1..31 bytes of [A-Za-z0-9_.-], NUL-terminated.
 * @uuid: 16 bytes, chosen by the toolstack (not checked for uniqueness by
 *   the hv: that is the toolstack's business).
 * @mem_bytes: guest RAM, a multiple of 4 KiB, at guest-physical 0.
 * @nr_vcpus: 1..QHV_MAX_VCPUS.
 * @flags: QHV_CREATE_F_*.
 * @cpu_affinity: bit i set: physical CPU i may run this domain's vCPUs;
 *   0 means any.  vCPU k goes to the k-th allowed CPU (round-robin).
 */
struct qhv_domctl_create {
	struct qhv_mgmt_hdr hdr;
	char name[QHV_NAME_MAX];
	uint8_t uuid[16];
	uint64_t mem_bytes;
	uint32_t nr_vcpus;
	uint32_t flags;
	uint64_t cpu_affinity;
};

/**
 * enum qhv_domain_state - what QHV_DOMCTL_GETINFO reports.
 * @QHV_STATE_BUILT: created, never started.
 * @QHV_STATE_RUNNING: started; at least one vCPU can run.
 * @QHV_STATE_BLOCKED: started; every vCPU is halted waiting for an
 *   interrupt (it uses no CPU).
 * @QHV_STATE_PAUSED: pause count > 0.
 * @QHV_STATE_SHUTDOWN: the guest ended itself; see @shutdown_reason.
 * @QHV_STATE_CRASHED: the hv ended it; @reason says why.
 * @QHV_STATE_DYING: being destroyed.
 */
enum qhv_domain_state {
	QHV_STATE_BUILT = 1,
	QHV_STATE_RUNNING = 2,
	QHV_STATE_BLOCKED = 3,
	QHV_STATE_PAUSED = 4,
	QHV_STATE_SHUTDOWN = 5,
	QHV_STATE_CRASHED = 6,
	QHV_STATE_DYING = 7,
};

/* Why a domain shut down (QHV_STATE_SHUTDOWN). */
enum qhv_shutdown_reason {
	QHV_SHUTDOWN_NONE = 0,
	QHV_SHUTDOWN_EXIT = 1,		/* exit port or QHV_HC_DOMAIN_EXIT */
	QHV_SHUTDOWN_POWEROFF = 2,	/* ACPI S5 */
	QHV_SHUTDOWN_REBOOT = 3,	/* reset request */
};

/**
 * struct qhv_domain_info - QHV_DOMCTL_GETINFO (hdr.domid in).
 * @state: enum qhv_domain_state.
 * @shutdown_reason: enum qhv_shutdown_reason, with QHV_STATE_SHUTDOWN.
 * @exit_code: with QHV_SHUTDOWN_EXIT.
 * @pause_count: nesting depth of pauses.
 * @nr_vcpus: vCPUs the domain was created with.
 * @flags: QHV_INFO_F_*.
 * @mem_bytes: guest RAM.
 * @cpu_affinity: as created (0 = any).
 * @uuid: as created.
 * @name: NUL-terminated.
 * @reason: why it crashed (QHV_STATE_CRASHED), NUL-terminated.
 * @cpu_time_ns: per vCPU, time spent in the guest.
 * @vcpu_pcpu: the physical CPU each vCPU runs on.
 * @console_produced: bytes written to the console ring so far (the
 *   cursor of the next byte).
 * @console_lost: bytes that fell out of the ring before anyone read them.
 */
struct qhv_domain_info {
	struct qhv_mgmt_hdr hdr;
	uint32_t state;
	uint32_t shutdown_reason;
	uint32_t exit_code;
	uint32_t pause_count;
	uint32_t nr_vcpus;
	uint32_t flags;
	uint64_t mem_bytes;
	uint64_t cpu_affinity;
	uint8_t uuid[16];
	char name[QHV_NAME_MAX];
	char reason[QHV_REASON_MAX];
	uint64_t cpu_time_ns[QHV_MAX_VCPUS];
	uint32_t vcpu_pcpu[QHV_MAX_VCPUS];
	uint64_t console_produced;
	uint64_t console_lost;
};

#define QHV_INFO_F_PRIVILEGED (1u << 0)	/* dom0 */
#define QHV_INFO_F_STARTED (1u << 1)	/* START has run */

/**
 * struct qhv_domctl_memwrite - QHV_DOMCTL_MEMWRITE.
 * @gpa: guest-physical destination in the target domain.
 * @buf: guest-virtual address of the source bytes in the caller (dom0).
 * @len: 1..QHV_MEMWRITE_MAX bytes; [gpa, gpa + len) must lie inside the
 *   domain's RAM (-QHV_EFAULT otherwise, and nothing is written).
 */
struct qhv_domctl_memwrite {
	struct qhv_mgmt_hdr hdr;
	uint64_t gpa;
	uint64_t buf;
	uint64_t len;
};

/**
 * enum qhv_vcpu_mode - the start mode of struct qhv_vcpu_context.
 * @QHV_VCPU_MODE_REAL: real mode, CS:IP = @cs_sel:@rip, segment bases =
 *   selector << 4, 64 KiB limits.
 * @QHV_VCPU_MODE_FLAT32: 32-bit protected mode, paging off, flat 4 GiB
 *   code (@cs_sel) and data (@ds_sel, also SS/ES/FS/GS) segments, GDTR =
 *   @gdt_base/@gdt_limit (the builder writes a matching GDT there).
 * @QHV_VCPU_MODE_LONG64: 64-bit long mode, CR3 = @cr3 (4-level tables the
 *   builder wrote), CR0.PG|PE, CR4.PAE, EFER.LME|LMA, 64-bit @cs_sel.
 */
enum qhv_vcpu_mode {
	QHV_VCPU_MODE_REAL = 1,
	QHV_VCPU_MODE_FLAT32 = 2,
	QHV_VCPU_MODE_LONG64 = 3,
};

/**
 * struct qhv_vcpu_context - protocol-neutral initial vCPU state.
 * @mode: enum qhv_vcpu_mode.
 * @cs_sel, @ds_sel: selectors (FLAT32/LONG64: GDT indices * 8).
 * @gdt_limit, @gdt_base: GDTR (FLAT32/LONG64).
 * @rip, @rsp, @rflags: rflags bit 1 is forced on, IF/TF/VM are refused.
 * @cr3: page tables (LONG64 only; must be inside the domain's RAM).
 * @rax..@r15: general registers (a protocol's magic values and pointers).
 */
struct qhv_vcpu_context {
	uint32_t mode;
	uint16_t cs_sel;
	uint16_t ds_sel;
	uint32_t gdt_limit;
	uint32_t pad;
	uint64_t gdt_base;
	uint64_t rip, rsp, rflags;
	uint64_t cr3;
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

/**
 * struct qhv_domctl_vcpu - QHV_DOMCTL_SET_VCPU.
 * @vcpu: 0..nr_vcpus-1.
 * @ctx: its start state.
 */
struct qhv_domctl_vcpu {
	struct qhv_mgmt_hdr hdr;
	uint32_t vcpu;
	uint32_t pad;
	struct qhv_vcpu_context ctx;
};

/**
 * struct qhv_domctl_console - console and log transfers.
 * @cursor: CONSOLE_READ / LOG_READ: in, the stream offset to read from
 *   (0 = everything still in the ring); out, the offset after the last
 *   byte returned.  Unused for CONSOLE_WRITE.
 * @buf: guest-virtual address of the caller's buffer.
 * @len: buffer size, at most QHV_CONSOLE_IO_MAX.
 * @done: out: bytes copied.
 * @lost: out (reads): bytes between @cursor and the oldest byte still in
 *   the ring (the reader was too slow).
 * @produced: out (reads): total bytes the stream has had.
 */
struct qhv_domctl_console {
	struct qhv_mgmt_hdr hdr;
	uint64_t cursor;
	uint64_t buf;
	uint32_t len;
	uint32_t done;
	uint64_t lost;
	uint64_t produced;
};

/**
 * struct qhv_sysctl_list - QHV_SYSCTL_LIST.
 * @buf: guest-virtual array of uint32_t domain ids.
 * @max: its length in entries.
 * @count: out: live domains (may exceed @max: then only @max are written).
 */
struct qhv_sysctl_list {
	struct qhv_mgmt_hdr hdr;
	uint64_t buf;
	uint32_t max;
	uint32_t count;
};

/**
 * struct qhv_pool_info - QHV_SYSCTL_POOLINFO.
 * @page_size: bytes per frame (4096).
 * @free_frames: frames domains can still be given.
 * @total_frames: frames the pool started with.
 * @nr_cpus: physical CPUs the hv runs on.
 * @nr_domains: live domains including dom0.
 */
struct qhv_pool_info {
	struct qhv_mgmt_hdr hdr;
	uint32_t page_size;
	uint32_t nr_cpus;
	uint64_t free_frames;
	uint64_t total_frames;
	uint32_t nr_domains;
	uint32_t pad;
};

/* Event bits of QHV_SYSCTL_EVENTS. */
#define QHV_EVENT_DOMAIN_STATE (1u << 0) /* a domain changed state */
#define QHV_EVENT_CONSOLE (1u << 1)	 /* new console output */
#define QHV_EVENT_LOG (1u << 2)		 /* new hv log output */

/**
 * struct qhv_sysctl_events - QHV_SYSCTL_EVENTS.
 * @pending: out: QHV_EVENT_* bits set since the last call (cleared).
 * @state_seq: out: counts domain state changes since boot.
 */
struct qhv_sysctl_events {
	struct qhv_mgmt_hdr hdr;
	uint32_t pending;
	uint32_t pad;
	uint64_t state_seq;
};

/*
 * dom0's notification interrupt comes from a virtual PCI function the hv
 * shows in dom0's configuration space (mechanism #1, ports 0xcf8/0xcfc):
 * vendor QHV_PCI_VENDOR, device QHV_PCI_DEVICE, class 0x088000 (other
 * system peripheral), no BARs, one MSI vector.  The hv raises the MSI when
 * QHV_SYSCTL_EVENTS would return a non-zero @pending.
 */
#define QHV_PCI_VENDOR 0x5148u	/* "QH"; not a PCI-SIG id: virtual only */
#define QHV_PCI_DEVICE 0x0001u

#endif /* QHV_DOMCTL_H */
