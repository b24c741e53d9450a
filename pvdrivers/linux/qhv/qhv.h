/* SPDX-License-Identifier: GPL-2.0 */
/*
 * qhv.ko internals: the hypercall, the per-open state, and what main.c
 * (module, /dev/qhv, per-open cleanup), ioctl.c (management calls) and
 * events.c (the notification interrupt, read/poll) share.
 */
#ifndef QHV_DRV_H
#define QHV_DRV_H

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include <qhv/hypercall.h>
#include <qhv/domctl.h>
#include <qhv/qhv_ioctl.h>

/*
 * One VMCALL: number in RAX, arguments in RDI, RSI, RDX, result in RAX
 * (<qhv/hypercall.h>).  The hv preserves every other register, the
 * argument registers included, so they are plain inputs.  "memory": the
 * hv reads and writes the argument struct behind the compiler's back.
 */
static inline long qhv_hypercall3(unsigned long nr, unsigned long a1,
				  unsigned long a2, unsigned long a3)
{
	long ret;

	asm volatile("vmcall"
		     : "=a" (ret)
		     : "a" (nr), "D" (a1), "S" (a2), "d" (a3)
		     : "memory");
	return ret;
}

/*
 * DOMCTL/SYSCTL(op, arg, len): @arg is a kernel address (the hv walks
 * this vCPU's page tables, which map the kernel in every process).  The
 * hv's errors are Linux errno values; anything more negative than an
 * errno is a broken hv and becomes -EIO rather than a strange errno.
 */
static inline long qhv_mgmt(unsigned long nr, unsigned int op, void *arg,
			    size_t len)
{
	long ret = qhv_hypercall3(nr, op, (unsigned long)arg, len);

	return ret < -MAX_ERRNO ? -EIO : ret;
}

static inline long qhv_domctl(unsigned int op, void *arg, size_t len)
{
	return qhv_mgmt(QHV_HC_DOMCTL, op, arg, len);
}

static inline long qhv_sysctl(unsigned int op, void *arg, size_t len)
{
	return qhv_mgmt(QHV_HC_SYSCTL, op, arg, len);
}

/* Events a file holds before new ones are merged into its newest record. */
#define QHV_EVQ_LEN 16

/**
 * struct qhv_file - one open /dev/qhv.
 * @node: in qhv_files (under qhv_files_lock).
 * @lock: protects @built.
 * @built: struct qhv_built, domains created through this file and not
 *	yet started or destroyed; release() destroys them.
 * @evlock: protects @evq, @evhead and @evcount.
 * @evq: ring of pending event records, oldest at @evhead.
 * @evwait: read() and poll() wait here.
 */
struct qhv_file {
	struct list_head node;
	struct mutex lock;
	struct list_head built;
	spinlock_t evlock;
	struct qhv_event_record evq[QHV_EVQ_LEN];
	unsigned int evhead;
	unsigned int evcount;
	wait_queue_head_t evwait;
};

/* Every open file: where events are delivered and START is untracked. */
extern struct list_head qhv_files;
extern struct mutex qhv_files_lock;

/* main.c: the per-open list of unstarted domains. */
struct qhv_built;
struct qhv_built *qhv_built_alloc(void);
void qhv_built_add(struct qhv_file *f, struct qhv_built *b, u32 domid);
void qhv_built_forget(u32 domid);
long qhv_destroy_domain(u32 domid);

/* ioctl.c */
long qhv_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* events.c */
int qhv_events_init(void);
void qhv_events_exit(void);
void qhv_events_file_init(struct qhv_file *f);
ssize_t qhv_events_read(struct file *file, char __user *buf, size_t count,
			loff_t *ppos);
__poll_t qhv_events_poll(struct file *file, poll_table *wait);

#endif /* QHV_DRV_H */
