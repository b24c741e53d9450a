// SPDX-License-Identifier: GPL-2.0
/*
 * qhv.ko: dom0's driver for the qhv hypervisor (docs/driver.md).
 *
 * This file: loading (is this qhv, and an ABI we speak?), /dev/qhv, and
 * the per-open list of domains a builder created but did not start, which
 * release() destroys so that a builder dying half-way leaks nothing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <asm/cpufeature.h>
#include <asm/processor.h>

#include "qhv.h"

LIST_HEAD(qhv_files);
DEFINE_MUTEX(qhv_files_lock);

/* A domain id in a file's @built list. */
struct qhv_built {
	struct list_head node;
	u32 domid;
};

/*
 * Allocated before QHV_DOMCTL_CREATE, so that once the domain exists
 * nothing can fail and leave it untracked.
 */
struct qhv_built *qhv_built_alloc(void)
{
	return kmalloc(sizeof(struct qhv_built), GFP_KERNEL);
}

void qhv_built_add(struct qhv_file *f, struct qhv_built *b, u32 domid)
{
	b->domid = domid;
	mutex_lock(&f->lock);
	list_add_tail(&b->node, &f->built);
	mutex_unlock(&f->lock);
}

/*
 * The domain was started or destroyed: no file may destroy it at close.
 * Every file is searched, not just the caller's: one builder process may
 * create a domain through one open file and start it through another.
 * Lock order: qhv_files_lock, then a file's lock.
 */
void qhv_built_forget(u32 domid)
{
	struct qhv_built *b, *tmp;
	struct qhv_file *f;

	mutex_lock(&qhv_files_lock);
	list_for_each_entry(f, &qhv_files, node) {
		mutex_lock(&f->lock);
		list_for_each_entry_safe(b, tmp, &f->built, node) {
			if (b->domid == domid) {
				list_del(&b->node);
				kfree(b);
			}
		}
		mutex_unlock(&f->lock);
	}
	mutex_unlock(&qhv_files_lock);
}

long qhv_destroy_domain(u32 domid)
{
	struct qhv_mgmt_hdr *hdr;
	long ret;

	hdr = kzalloc(sizeof(*hdr), GFP_KERNEL);
	if (!hdr)
		return -ENOMEM;
	hdr->interface_version = QHV_DOMCTL_INTERFACE_VERSION;
	hdr->domid = domid;
	ret = qhv_domctl(QHV_DOMCTL_DESTROY, hdr, sizeof(*hdr));
	kfree(hdr);
	return ret;
}

static int qhv_open(struct inode *inode, struct file *file)
{
	struct qhv_file *f;

	/*
	 * The node is 0600 root, but a root process that gave up
	 * CAP_SYS_ADMIN (a confined service) must not create or destroy
	 * machines either.
	 */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	INIT_LIST_HEAD(&f->built);
	qhv_events_file_init(f);
	file->private_data = f;
	stream_open(inode, file);

	mutex_lock(&qhv_files_lock);
	list_add_tail(&f->node, &qhv_files);
	mutex_unlock(&qhv_files_lock);
	return 0;
}

static int qhv_release(struct inode *inode, struct file *file)
{
	struct qhv_file *f = file->private_data;
	struct qhv_built *b, *tmp;
	long ret;

	/* Off the list first: then no event or qhv_built_forget() reaches f. */
	mutex_lock(&qhv_files_lock);
	list_del(&f->node);
	mutex_unlock(&qhv_files_lock);

	/*
	 * Whatever is still listed was created here and never started: the
	 * builder exited or died before finishing.  Destroy it; ids are not
	 * reused soon (<qhv/domctl.h>), so an id gone meanwhile names no
	 * other domain.
	 */
	mutex_lock(&f->lock);
	list_for_each_entry_safe(b, tmp, &f->built, node) {
		ret = qhv_destroy_domain(b->domid);
		if (ret >= 0)
			pr_info("destroyed domain %u, created through a file closed before it was started\n",
				b->domid);
		else if (ret != -ESRCH && ret != -ENOENT)
			pr_warn("cannot destroy unstarted domain %u: error %ld\n",
				b->domid, ret);
		list_del(&b->node);
		kfree(b);
	}
	mutex_unlock(&f->lock);

	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}

static const struct file_operations qhv_fops = {
	.owner = THIS_MODULE,
	.open = qhv_open,
	.release = qhv_release,
	.unlocked_ioctl = qhv_ioctl,
	/* Every struct has the same layout for 32-bit callers (u64 fields only). */
	.compat_ioctl = compat_ptr_ioctl,
	.read = qhv_events_read,
	.poll = qhv_events_poll,
	.llseek = no_llseek,
};

static struct miscdevice qhv_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "qhv",
	.fops = &qhv_fops,
	.mode = 0600,
};

/*
 * Is this the qhv hypervisor, with an ABI major this driver speaks?  Off
 * qhv a VMCALL would be #UD (bare metal) or another hypervisor's call, so
 * the module refuses to load: one line, -ENODEV.
 */
static int __init qhv_detect(void)
{
	unsigned int eax, ebx, ecx, edx, maxleaf, major, minor;
	char sig[13];
	int i;

	if (!boot_cpu_has(X86_FEATURE_HYPERVISOR)) {
		pr_err("not running on the qhv hypervisor (no hypervisor CPUID bit)\n");
		return -ENODEV;
	}
	cpuid(QHV_CPUID_BASE, &maxleaf, &ebx, &ecx, &edx);
	if (ebx != QHV_CPUID_SIG_EBX || ecx != QHV_CPUID_SIG_ECX ||
	    edx != QHV_CPUID_SIG_EDX) {
		memcpy(sig + 0, &ebx, 4);
		memcpy(sig + 4, &ecx, 4);
		memcpy(sig + 8, &edx, 4);
		sig[12] = '\0';
		for (i = 0; i < 12; i++)
			if (!isprint(sig[i]))
				sig[i] = '.';
		pr_err("not running on the qhv hypervisor (CPUID 0x%x signature \"%s\", want \"QHVQHVQHVQHV\")\n",
		       QHV_CPUID_BASE, sig);
		return -ENODEV;
	}
	if (maxleaf < QHV_CPUID_VERSION) {
		pr_err("qhv hypervisor without CPUID leaf 0x%x (max leaf 0x%x)\n",
		       QHV_CPUID_VERSION, maxleaf);
		return -ENODEV;
	}
	cpuid(QHV_CPUID_VERSION, &eax, &ebx, &ecx, &edx);
	major = eax >> 16;
	minor = eax & 0xffff;
	if (major != QHV_ABI_MAJOR) {
		pr_err("qhv hypervisor ABI %u.%u, this driver speaks %u.x\n",
		       major, minor, QHV_ABI_MAJOR);
		return -ENODEV;
	}
	/*
	 * Not privileged: every management call will fail with -EPERM.
	 * The hv is what enforces that, so say it and load anyway (a hv
	 * that predates the flag still runs this driver in dom0).
	 */
	if (!(ebx & QHV_CPUID_F_PRIVILEGED))
		pr_warn("this domain is not privileged (CPUID 0x%x EBX 0x%x): management calls will be refused\n",
			QHV_CPUID_VERSION, ebx);
	pr_info("qhv hypervisor ABI %u.%u (driver built for %u.%u)\n",
		major, minor, QHV_ABI_MAJOR, QHV_ABI_MINOR);
	return 0;
}

static int __init qhv_init(void)
{
	int ret;

	ret = qhv_detect();
	if (ret)
		return ret;
	ret = qhv_events_init();
	if (ret)
		return ret;
	ret = misc_register(&qhv_misc);
	if (ret) {
		pr_err("cannot register /dev/qhv: error %d\n", ret);
		qhv_events_exit();
		return ret;
	}
	return 0;
}

static void __exit qhv_exit(void)
{
	/* No file is open (the fops owner pins the module), so no list. */
	misc_deregister(&qhv_misc);
	qhv_events_exit();
}

module_init(qhv_init);
module_exit(qhv_exit);

MODULE_DESCRIPTION("qhv hypervisor dom0 driver: /dev/qhv management calls and events");
MODULE_LICENSE("GPL");
