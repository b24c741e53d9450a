// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/qhv ioctls: one per management call (<qhv/qhv_ioctl.h>).
 *
 * Each copies the user's struct into a kernel buffer, checks the
 * interface version and the lengths, replaces the user @buf pointers in it
 * by kernel bounce buffers (the hv must never see, or be made to write
 * through, a user address), makes the hypercall and copies the results
 * back.  The hv validates everything else (ids, states, ranges) and its
 * error is returned as is.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "qhv.h"

/* Every domain id there can be (dom0 included): LIST never needs more. */
#define QHV_LIST_CAP (QHV_DOMID_MAX + 1)

/* The argument of any ioctl, so one kernel buffer fits them all. */
union qhv_ioc_arg {
	struct qhv_mgmt_hdr hdr;
	struct qhv_domctl_create create;
	struct qhv_domain_info info;
	struct qhv_domctl_memwrite memwrite;
	struct qhv_domctl_vcpu vcpu;
	struct qhv_domctl_console console;
	struct qhv_sysctl_list list;
	struct qhv_pool_info pool;
};

static long qhv_ioc_create(struct qhv_file *f, struct qhv_domctl_create *c)
{
	struct qhv_built *b = qhv_built_alloc();
	long ret;

	if (!b)
		return -ENOMEM;
	ret = qhv_domctl(QHV_DOMCTL_CREATE, c, sizeof(*c));
	if (ret < 0) {
		kfree(b);
		return ret;
	}
	qhv_built_add(f, b, c->hdr.domid);
	return ret;
}

/*
 * Any length: the hv takes at most QHV_MEMWRITE_MAX per call, so the
 * write goes in pieces.  A failure stops it there; the pieces before it
 * have been written.  A fatal signal stops it between pieces (a builder
 * killed while loading a big kernel must not hold the CPU for long).
 */
static long qhv_ioc_memwrite(struct qhv_domctl_memwrite *m)
{
	u64 gpa = m->gpa, ubuf = m->buf, len = m->len, done = 0, n;
	void *kbuf;
	long ret = 0;

	/* The hv's 1..QHV_MEMWRITE_MAX, less its upper bound. */
	if (!len || gpa + len < gpa)
		return -EINVAL;
	kbuf = kvmalloc(min_t(u64, len, QHV_MEMWRITE_MAX), GFP_KERNEL);
	if (!kbuf)
		return -ENOMEM;
	while (done < len) {
		n = min_t(u64, len - done, QHV_MEMWRITE_MAX);
		if (copy_from_user(kbuf, u64_to_user_ptr(ubuf + done), n)) {
			ret = -EFAULT;
			break;
		}
		m->gpa = gpa + done;
		m->buf = (unsigned long)kbuf;
		m->len = n;
		ret = qhv_domctl(QHV_DOMCTL_MEMWRITE, m, sizeof(*m));
		if (ret < 0)
			break;
		done += n;
		if (done < len) {
			if (fatal_signal_pending(current)) {
				ret = -EINTR;
				break;
			}
			cond_resched();
		}
	}
	kvfree(kbuf);
	return ret < 0 ? ret : 0;
}

/*
 * CONSOLE_READ, CONSOLE_WRITE and LOG_READ: at most QHV_CONSOLE_IO_MAX
 * bytes through a bounce buffer; @done, as the hv reports it, says how
 * many bytes of a read to copy out.
 */
static long qhv_ioc_console(unsigned long nr, unsigned int op,
			    struct qhv_domctl_console *c, bool is_read)
{
	u64 ubuf = c->buf;
	u32 len = c->len;
	void *kbuf;
	long ret;

	if (len > QHV_CONSOLE_IO_MAX)
		return -EINVAL;
	/* Never a zero-size allocation: its pointer is not a mapped address. */
	kbuf = kzalloc(max_t(u32, len, 1), GFP_KERNEL);
	if (!kbuf)
		return -ENOMEM;
	if (!is_read && copy_from_user(kbuf, u64_to_user_ptr(ubuf), len)) {
		ret = -EFAULT;
		goto out;
	}
	c->buf = (unsigned long)kbuf;
	ret = qhv_mgmt(nr, op, c, sizeof(*c));
	c->buf = ubuf;	/* user space never sees a kernel address */
	if (ret < 0 || !is_read)
		goto out;
	if (c->done > len) {
		pr_warn_ratelimited("hv reported %u bytes read into a %u-byte buffer\n",
				    c->done, len);
		ret = -EIO;
	} else if (copy_to_user(u64_to_user_ptr(ubuf), kbuf, c->done)) {
		ret = -EFAULT;
	}
out:
	kfree(kbuf);
	return ret;
}

/*
 * LIST: the hv fills a kernel array of @max ids.  @max is capped at the
 * number of ids that can exist, which no @count can exceed, so the cap
 * never hides a domain; the caller's @max is what it gets back.
 */
static long qhv_ioc_list(struct qhv_sysctl_list *l)
{
	u64 ubuf = l->buf;
	u32 umax = l->max, max = min_t(u32, umax, QHV_LIST_CAP), n;
	u32 *ids;
	long ret;

	ids = kvcalloc(max_t(u32, max, 1), sizeof(*ids), GFP_KERNEL);
	if (!ids)
		return -ENOMEM;
	l->buf = (unsigned long)ids;
	l->max = max;
	ret = qhv_sysctl(QHV_SYSCTL_LIST, l, sizeof(*l));
	l->buf = ubuf;
	l->max = umax;
	if (ret >= 0) {
		n = min(l->count, max);
		if (copy_to_user(u64_to_user_ptr(ubuf), ids, n * sizeof(*ids)))
			ret = -EFAULT;
	}
	kvfree(ids);
	return ret;
}

long qhv_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct qhv_file *f = file->private_data;
	void __user *uarg = (void __user *)arg;
	size_t size = _IOC_SIZE(cmd);
	union qhv_ioc_arg *a;
	u32 domid;
	long ret;

	/* Each number encodes its struct's size, so @size is right below. */
	switch (cmd) {
	case QHV_IOC_CREATE:
	case QHV_IOC_DESTROY:
	case QHV_IOC_PAUSE:
	case QHV_IOC_UNPAUSE:
	case QHV_IOC_GETINFO:
	case QHV_IOC_MEMWRITE:
	case QHV_IOC_SET_VCPU:
	case QHV_IOC_START:
	case QHV_IOC_CONSOLE_READ:
	case QHV_IOC_CONSOLE_WRITE:
	case QHV_IOC_LIST:
	case QHV_IOC_POOLINFO:
	case QHV_IOC_LOG_READ:
		break;
	default:
		return -ENOTTY;
	}

	/* kmalloc, not the stack: the hv reads it through the direct map. */
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	if (copy_from_user(a, uarg, size)) {
		ret = -EFAULT;
		goto out;
	}
	/* The hv checks this too; checked here, a mismatch costs no call. */
	if (a->hdr.interface_version != QHV_DOMCTL_INTERFACE_VERSION) {
		ret = -EINVAL;
		goto out;
	}
	domid = a->hdr.domid;

	switch (cmd) {
	case QHV_IOC_CREATE:
		ret = qhv_ioc_create(f, &a->create);
		break;
	case QHV_IOC_DESTROY:
		ret = qhv_domctl(QHV_DOMCTL_DESTROY, &a->hdr, sizeof(a->hdr));
		/* Gone, now or before: no close may destroy it again. */
		if (ret >= 0 || ret == -ESRCH || ret == -ENOENT)
			qhv_built_forget(domid);
		break;
	case QHV_IOC_PAUSE:
		ret = qhv_domctl(QHV_DOMCTL_PAUSE, &a->hdr, sizeof(a->hdr));
		break;
	case QHV_IOC_UNPAUSE:
		ret = qhv_domctl(QHV_DOMCTL_UNPAUSE, &a->hdr, sizeof(a->hdr));
		break;
	case QHV_IOC_GETINFO:
		ret = qhv_domctl(QHV_DOMCTL_GETINFO, &a->info, sizeof(a->info));
		break;
	case QHV_IOC_MEMWRITE:
		ret = qhv_ioc_memwrite(&a->memwrite);
		break;
	case QHV_IOC_SET_VCPU:
		ret = qhv_domctl(QHV_DOMCTL_SET_VCPU, &a->vcpu, sizeof(a->vcpu));
		break;
	case QHV_IOC_START:
		ret = qhv_domctl(QHV_DOMCTL_START, &a->hdr, sizeof(a->hdr));
		if (ret >= 0)
			qhv_built_forget(domid);
		break;
	case QHV_IOC_CONSOLE_READ:
		ret = qhv_ioc_console(QHV_HC_DOMCTL, QHV_DOMCTL_CONSOLE_READ,
				      &a->console, true);
		break;
	case QHV_IOC_CONSOLE_WRITE:
		ret = qhv_ioc_console(QHV_HC_DOMCTL, QHV_DOMCTL_CONSOLE_WRITE,
				      &a->console, false);
		break;
	case QHV_IOC_LIST:
		ret = qhv_ioc_list(&a->list);
		break;
	case QHV_IOC_POOLINFO:
		ret = qhv_sysctl(QHV_SYSCTL_POOLINFO, &a->pool, sizeof(a->pool));
		break;
	case QHV_IOC_LOG_READ:
		ret = qhv_ioc_console(QHV_HC_SYSCTL, QHV_SYSCTL_LOG_READ,
				      &a->console, true);
		break;
	default:
		ret = -ENOTTY;	/* not reached: filtered above */
		break;
	}

	if (ret >= 0 && (_IOC_DIR(cmd) & _IOC_READ) &&
	    copy_to_user(uarg, a, size)) {
		ret = -EFAULT;
		/*
		 * The caller cannot learn the new id, so it can neither start
		 * nor destroy the domain: destroy it now.
		 */
		if (cmd == QHV_IOC_CREATE) {
			qhv_destroy_domain(a->hdr.domid);
			qhv_built_forget(a->hdr.domid);
		}
	}
out:
	kfree(a);
	return ret;
}
