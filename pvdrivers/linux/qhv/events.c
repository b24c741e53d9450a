// SPDX-License-Identifier: GPL-2.0
/*
 * Events: the hv raises one MSI of a virtual PCI function (vendor
 * QHV_PCI_VENDOR, device QHV_PCI_DEVICE, <qhv/domctl.h>) when
 * QHV_SYSCTL_EVENTS has pending bits.  The interrupt thread reads and
 * clears them and appends a struct qhv_event_record to every open file's
 * queue; read() hands records out, poll() says EPOLLIN.
 *
 * Without that device (a hv that does not offer it yet) the ioctls still
 * work; read() returns -ENODEV and poll() EPOLLERR.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <linux/minmax.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "qhv.h"

/**
 * struct qhv_evdev - the bound event function.
 * @pdev: it.
 * @arg: the QHV_SYSCTL_EVENTS argument, kmalloc'ed (devm) for the hv;
 *	used by the interrupt thread only, which never runs twice at once.
 */
struct qhv_evdev {
	struct pci_dev *pdev;
	struct qhv_sysctl_events *arg;
};

/* Set while the function is bound; read() and poll() test it. */
static struct qhv_evdev *qhv_evdev;

static bool qhv_events_available(void)
{
	return READ_ONCE(qhv_evdev) != NULL;
}

void qhv_events_file_init(struct qhv_file *f)
{
	spin_lock_init(&f->evlock);
	init_waitqueue_head(&f->evwait);
	f->evhead = 0;
	f->evcount = 0;
}

/*
 * A full queue merges the new record into its newest one (bits ORed, the
 * later state_seq): a slow reader loses detail, never the news that
 * something happened, and it rereads state with GETINFO anyway.
 */
static void qhv_event_push(struct qhv_file *f,
			   const struct qhv_event_record *rec)
{
	struct qhv_event_record *last;

	spin_lock(&f->evlock);
	if (f->evcount == QHV_EVQ_LEN) {
		last = &f->evq[(f->evhead + f->evcount - 1) % QHV_EVQ_LEN];
		last->events |= rec->events;
		last->state_seq = rec->state_seq;
	} else {
		f->evq[(f->evhead + f->evcount) % QHV_EVQ_LEN] = *rec;
		f->evcount++;
	}
	spin_unlock(&f->evlock);
	wake_up_interruptible(&f->evwait);
}

static void qhv_events_wake_all(void)
{
	struct qhv_file *f;

	mutex_lock(&qhv_files_lock);
	list_for_each_entry(f, &qhv_files, node)
		wake_up_interruptible_all(&f->evwait);
	mutex_unlock(&qhv_files_lock);
}

/* Threaded: the hypercall and qhv_files_lock (a mutex) may sleep. */
static irqreturn_t qhv_event_thread(int irq, void *data)
{
	struct qhv_evdev *d = data;
	struct qhv_event_record rec = {};
	struct qhv_file *f;
	long ret;

	memset(d->arg, 0, sizeof(*d->arg));
	d->arg->hdr.interface_version = QHV_DOMCTL_INTERFACE_VERSION;
	ret = qhv_sysctl(QHV_SYSCTL_EVENTS, d->arg, sizeof(*d->arg));
	if (ret < 0) {
		dev_warn_ratelimited(&d->pdev->dev,
				     "QHV_SYSCTL_EVENTS failed: error %ld\n", ret);
		return IRQ_HANDLED;
	}
	if (!d->arg->pending)
		return IRQ_HANDLED;
	rec.events = d->arg->pending;
	rec.state_seq = d->arg->state_seq;

	mutex_lock(&qhv_files_lock);
	list_for_each_entry(f, &qhv_files, node)
		qhv_event_push(f, &rec);
	mutex_unlock(&qhv_files_lock);
	return IRQ_HANDLED;
}

static int qhv_evdev_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct qhv_evdev *d;
	int ret;

	if (qhv_events_available())
		return -EBUSY;	/* the hv shows one such function */
	d = devm_kzalloc(&pdev->dev, sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->arg = devm_kzalloc(&pdev->dev, sizeof(*d->arg), GFP_KERNEL);
	if (!d->arg)
		return -ENOMEM;
	d->pdev = pdev;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	pci_set_master(pdev);	/* an MSI is a memory write by the function */
	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI);
	if (ret < 0) {
		dev_err(&pdev->dev, "no MSI vector: error %d\n", ret);
		return ret;
	}
	ret = devm_request_threaded_irq(&pdev->dev, pci_irq_vector(pdev, 0),
					NULL, qhv_event_thread, IRQF_ONESHOT,
					"qhv-events", d);
	if (ret) {
		dev_err(&pdev->dev, "cannot request its interrupt: error %d\n",
			ret);
		return ret;
	}
	pci_set_drvdata(pdev, d);
	/*
	 * Read and clear what was pending before MSI was on: an edge the
	 * hv raised then is lost, and it may not raise another while bits
	 * stay set.  No file is open yet, so the bits go nowhere.
	 */
	disable_irq(pci_irq_vector(pdev, 0));
	qhv_event_thread(0, d);
	enable_irq(pci_irq_vector(pdev, 0));
	WRITE_ONCE(qhv_evdev, d);
	dev_info(&pdev->dev, "event interrupt on IRQ %d\n",
		 pci_irq_vector(pdev, 0));
	return 0;
}

static void qhv_evdev_remove(struct pci_dev *pdev)
{
	/* The interrupt and vector go with devres, after this returns. */
	WRITE_ONCE(qhv_evdev, NULL);
	qhv_events_wake_all();
}

static const struct pci_device_id qhv_evdev_ids[] = {
	{ PCI_DEVICE(QHV_PCI_VENDOR, QHV_PCI_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, qhv_evdev_ids);

static struct pci_driver qhv_evdev_driver = {
	.name = "qhv-events",
	.id_table = qhv_evdev_ids,
	.probe = qhv_evdev_probe,
	.remove = qhv_evdev_remove,
};

int qhv_events_init(void)
{
	int ret = pci_register_driver(&qhv_evdev_driver);

	if (ret) {
		pr_err("cannot register the event PCI driver: error %d\n", ret);
		return ret;
	}
	/* Probing a present function happens inside pci_register_driver(). */
	if (!qhv_events_available())
		pr_info("no event function (PCI %04x:%04x): events unavailable, read() on /dev/qhv returns ENODEV\n",
			QHV_PCI_VENDOR, QHV_PCI_DEVICE);
	return 0;
}

void qhv_events_exit(void)
{
	pci_unregister_driver(&qhv_evdev_driver);
}

/*
 * Whole records only, as many as fit and are queued; blocks for the
 * first unless O_NONBLOCK.  Records are taken off the queue before the
 * copy, so a bad buffer (-EFAULT) loses them.
 */
ssize_t qhv_events_read(struct file *file, char __user *buf, size_t count,
			loff_t *ppos)
{
	struct qhv_file *f = file->private_data;
	struct qhv_event_record recs[QHV_EVQ_LEN];
	size_t want = min_t(size_t, count / sizeof(recs[0]), QHV_EVQ_LEN);
	unsigned int i, n;
	int ret;

	if (!want)
		return -EINVAL;
	for (;;) {
		spin_lock(&f->evlock);
		n = min_t(unsigned int, want, f->evcount);
		for (i = 0; i < n; i++)
			recs[i] = f->evq[(f->evhead + i) % QHV_EVQ_LEN];
		f->evhead = (f->evhead + n) % QHV_EVQ_LEN;
		f->evcount -= n;
		spin_unlock(&f->evlock);
		if (n)
			break;
		if (!qhv_events_available())
			return -ENODEV;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(f->evwait,
					       READ_ONCE(f->evcount) ||
					       !qhv_events_available());
		if (ret)
			return ret;
	}
	if (copy_to_user(buf, recs, n * sizeof(recs[0])))
		return -EFAULT;
	return n * sizeof(recs[0]);
}

__poll_t qhv_events_poll(struct file *file, poll_table *wait)
{
	struct qhv_file *f = file->private_data;

	poll_wait(file, &f->evwait, wait);
	if (READ_ONCE(f->evcount))
		return EPOLLIN | EPOLLRDNORM;
	/* Nothing will ever come: say so rather than let poll() hang. */
	if (!qhv_events_available())
		return EPOLLERR;
	return 0;
}
