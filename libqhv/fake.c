// SPDX-License-Identifier: MIT
/*
 * The fake backend: an in-process simulation of the hv's management
 * semantics behind the same ioctl interface as /dev/qhv, for tests on
 * hosts without qhv.  See the DOC in libqhv.h for what it models.
 *
 * The simulated hv is a struct fake_hv.  Without "state=PATH" it belongs
 * to the handle.  With it, every call locks PATH (flock), loads the hv
 * from it, runs, saves it back and unlocks, so several processes share
 * one simulated machine.  Events a handle did not cause itself (another
 * process wrote to a console) are noticed when it next makes a call.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "libqhv-fake.h"

#define FAKE_PAGE 4096u
#define FAKE_DOM0_MEM (1ull << 30)
#define FAKE_RFLAGS_REFUSED ((1ull << 8) | (1ull << 9) | (1ull << 17)) /* TF IF VM */
#define FAKE_MAGIC "QHVFAKE\002"

struct fake_ring {
	uint64_t produced;	/* stream offset of the next byte */
	uint64_t read_hwm;	/* highest cursor any reader reached */
	uint64_t lost;		/* bytes dropped unread */
	uint32_t size;
	uint8_t *buf;
};

struct fake_dom {
	uint32_t id;
	char name[QHV_NAME_MAX];
	uint8_t uuid[16];
	uint64_t mem_bytes, cpu_affinity;
	uint32_t nr_vcpus;
	uint32_t pause_count;
	bool started, blocked;
	uint32_t ended;		/* 0, QHV_STATE_SHUTDOWN or QHV_STATE_CRASHED */
	uint32_t shutdown_reason, exit_code;
	char reason[QHV_REASON_MAX];
	uint64_t cpu_time_ns[QHV_MAX_VCPUS];
	uint32_t vcpu_pcpu[QHV_MAX_VCPUS];
	uint32_t vcpu_set;	/* bit per vCPU with a start state */
	struct qhv_vcpu_context vcpu[QHV_MAX_VCPUS];
	uint64_t owner;		/* token of the handle that created it */
	uint32_t rx_len;
	uint8_t rx[QHV_FAKE_RX_FIFO];
	struct fake_ring console;
	uint8_t **pages;	/* mem_bytes / FAKE_PAGE, lazily; NULL = zero */
};

struct fake_hv {
	uint32_t nr_cpus;
	uint32_t next_id;
	uint64_t total_frames;
	uint64_t state_seq;
	uint64_t console_seq;	/* console outputs (for cross-process events) */
	uint32_t ndoms;
	struct fake_dom **doms;	/* sorted by id; doms[0] is dom0 */
	struct fake_ring log;
};

struct fake {
	struct fake_hv *hv;
	char *state_path;	/* NULL: in-process only */
	int lock_fd;
	uint64_t token;
	int evp[2];		/* event pipe */
	uint64_t seen_state, seen_console, seen_log;
	unsigned long fail_ioc;
	int fail_err;
	bool opened;		/* past qhv_fake_open(): events are synced */
};

static struct fake *F(struct qhv_handle *h)
{
	return h->priv;
}

/* ---------------------------------------------------------------- */
/* Rings                                                             */

static int ring_init(struct fake_ring *r, uint32_t size)
{
	memset(r, 0, sizeof(*r));
	r->size = size;
	r->buf = calloc(1, size);
	return r->buf ? 0 : -ENOMEM;
}

static void ring_put(struct fake_ring *r, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (r->produced >= r->size) {
			uint64_t dropped = r->produced - r->size;

			if (dropped >= r->read_hwm)
				r->lost++;
		}
		r->buf[r->produced % r->size] = p[i];
		r->produced++;
	}
}

static int ring_get(struct fake_ring *r, struct qhv_domctl_console *c)
{
	uint64_t oldest = r->produced > r->size ? r->produced - r->size : 0;
	uint64_t start = c->cursor, avail;
	uint8_t *dst = (uint8_t *)(uintptr_t)c->buf;

	if (c->len > QHV_CONSOLE_IO_MAX || (c->len && !dst))
		return -EINVAL;
	if (start > r->produced)
		return -EINVAL;
	c->lost = start < oldest ? oldest - start : 0;
	if (start < oldest)
		start = oldest;
	avail = r->produced - start;
	c->done = (uint32_t)(avail < c->len ? avail : c->len);
	for (uint32_t i = 0; i < c->done; i++)
		dst[i] = r->buf[(start + i) % r->size];
	c->cursor = start + c->done;
	c->produced = r->produced;
	if (c->cursor > r->read_hwm)
		r->read_hwm = c->cursor;
	return (int)c->done;
}

/* ---------------------------------------------------------------- */
/* The simulated hv                                                  */

static void dom_free(struct fake_dom *d)
{
	if (!d)
		return;
	if (d->pages) {
		for (uint64_t i = 0; i < d->mem_bytes / FAKE_PAGE; i++)
			free(d->pages[i]);
		free(d->pages);
	}
	free(d->console.buf);
	free(d);
}

static void hv_free(struct fake_hv *hv)
{
	if (!hv)
		return;
	for (uint32_t i = 0; i < hv->ndoms; i++)
		dom_free(hv->doms[i]);
	free(hv->doms);
	free(hv->log.buf);
	free(hv);
}

static struct fake_dom *dom_new(void)
{
	struct fake_dom *d = calloc(1, sizeof(*d));

	if (d && ring_init(&d->console, QHV_CONSOLE_RING_SIZE)) {
		free(d);
		return NULL;
	}
	return d;
}

static int hv_insert(struct fake_hv *hv, struct fake_dom *d)
{
	struct fake_dom **n = realloc(hv->doms, (hv->ndoms + 1) * sizeof(*n));
	uint32_t i;

	if (!n)
		return -ENOMEM;
	hv->doms = n;
	for (i = hv->ndoms; i > 0 && hv->doms[i - 1]->id > d->id; i--)
		hv->doms[i] = hv->doms[i - 1];
	hv->doms[i] = d;
	hv->ndoms++;
	return 0;
}

static struct fake_hv *hv_new(uint64_t pool, uint32_t cpus)
{
	struct fake_hv *hv = calloc(1, sizeof(*hv));
	struct fake_dom *d0;

	if (!hv)
		return NULL;
	hv->nr_cpus = cpus;
	hv->next_id = 1;
	hv->total_frames = pool / FAKE_PAGE;
	d0 = dom_new();
	if (ring_init(&hv->log, QHV_LOG_RING_SIZE) || !d0 || hv_insert(hv, d0)) {
		dom_free(d0);
		hv_free(hv);
		return NULL;
	}
	d0->id = QHV_DOMID_DOM0;
	strcpy(d0->name, "Domain-0");
	d0->mem_bytes = FAKE_DOM0_MEM;
	d0->nr_vcpus = cpus < QHV_MAX_VCPUS ? cpus : QHV_MAX_VCPUS;
	d0->started = true;
	for (uint32_t i = 0; i < d0->nr_vcpus; i++)
		d0->vcpu_pcpu[i] = i;
	ring_put(&hv->log, (const uint8_t *)"qhv: fake hv started\n", 21);
	return hv;
}

static struct fake_dom *hv_find(struct fake_hv *hv, uint32_t id)
{
	for (uint32_t i = 0; i < hv->ndoms; i++)
		if (hv->doms[i]->id == id)
			return hv->doms[i];
	return NULL;
}

static void hv_remove(struct fake_hv *hv, struct fake_dom *d)
{
	uint32_t i;

	for (i = 0; i < hv->ndoms && hv->doms[i] != d; i++)
		;
	if (i == hv->ndoms)
		return;
	memmove(&hv->doms[i], &hv->doms[i + 1],
		(hv->ndoms - i - 1) * sizeof(hv->doms[0]));
	hv->ndoms--;
	dom_free(d);
}

static uint64_t hv_used_frames(const struct fake_hv *hv)
{
	uint64_t used = 0;

	for (uint32_t i = 0; i < hv->ndoms; i++)
		if (hv->doms[i]->id != QHV_DOMID_DOM0)
			used += hv->doms[i]->mem_bytes / FAKE_PAGE;
	return used;
}

static uint32_t dom_state(const struct fake_dom *d)
{
	if (d->ended)
		return d->ended;
	if (d->pause_count)
		return QHV_STATE_PAUSED;
	if (!d->started)
		return QHV_STATE_BUILT;
	return d->blocked ? QHV_STATE_BLOCKED : QHV_STATE_RUNNING;
}

/* ---------------------------------------------------------------- */
/* Events                                                            */

static void ev_push(struct fake *f, uint32_t bits)
{
	struct qhv_event_record r = { .events = bits,
				      .state_seq = f->hv->state_seq };

	/* A full pipe drops the record: the reader has some pending. */
	if (write(f->evp[1], &r, sizeof(r)) < 0)
		return;
}

static void ev_raise(struct fake *f, uint32_t bits)
{
	if (bits & QHV_EVENT_DOMAIN_STATE)
		f->hv->state_seq++;
	if (bits & QHV_EVENT_CONSOLE)
		f->hv->console_seq++;
	ev_push(f, bits);
}

/* Records for what others did since this handle last looked. */
static void ev_sync(struct fake *f)
{
	uint32_t bits = 0;

	if (f->hv->state_seq != f->seen_state)
		bits |= QHV_EVENT_DOMAIN_STATE;
	if (f->hv->console_seq != f->seen_console)
		bits |= QHV_EVENT_CONSOLE;
	if (f->hv->log.produced != f->seen_log)
		bits |= QHV_EVENT_LOG;
	if (bits)
		ev_push(f, bits);
}

static void ev_seen(struct fake *f)
{
	f->seen_state = f->hv->state_seq;
	f->seen_console = f->hv->console_seq;
	f->seen_log = f->hv->log.produced;
}

static void hv_log(struct fake *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void hv_log(struct fake *f, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	ring_put(&f->hv->log, (const uint8_t *)line, (size_t)n);
	ev_raise(f, QHV_EVENT_LOG);
}

/* ---------------------------------------------------------------- */
/* The state file                                                    */

struct file_hdr {
	char magic[8];
	uint32_t hv_size, dom_size;
};

static int wr(FILE *fp, const void *p, size_t n)
{
	return fwrite(p, 1, n, fp) == n ? 0 : -EIO;
}

static int rd(FILE *fp, void *p, size_t n)
{
	return fread(p, 1, n, fp) == n ? 0 : -EIO;
}

static int hv_save(const struct fake_hv *hv, int fd)
{
	struct file_hdr fh = { FAKE_MAGIC, sizeof(*hv), sizeof(struct fake_dom) };
	int dfd = dup(fd), rc = 0;
	FILE *fp;

	if (dfd < 0)
		return -errno;
	if (ftruncate(dfd, 0) || lseek(dfd, 0, SEEK_SET)) {
		close(dfd);
		return -errno;
	}
	fp = fdopen(dfd, "wb");
	if (!fp) {
		close(dfd);
		return -errno;
	}
	rc |= wr(fp, &fh, sizeof(fh));
	rc |= wr(fp, hv, sizeof(*hv));
	rc |= wr(fp, hv->log.buf, hv->log.size);
	for (uint32_t i = 0; i < hv->ndoms && !rc; i++) {
		const struct fake_dom *d = hv->doms[i];
		uint64_t np = 0, npages = d->mem_bytes / FAKE_PAGE;

		rc |= wr(fp, d, sizeof(*d));
		rc |= wr(fp, d->console.buf, d->console.size);
		for (uint64_t p = 0; d->pages && p < npages; p++)
			np += d->pages[p] != NULL;
		rc |= wr(fp, &np, sizeof(np));
		for (uint64_t p = 0; d->pages && p < npages && !rc; p++) {
			if (!d->pages[p])
				continue;
			rc |= wr(fp, &p, sizeof(p));
			rc |= wr(fp, d->pages[p], FAKE_PAGE);
		}
	}
	if (fclose(fp))
		rc = -EIO;
	return rc ? -EIO : 0;
}

/* Loads @fd's contents; *out is NULL when the file is empty (new). */
static int hv_load(int fd, struct fake_hv **out)
{
	struct file_hdr fh;
	struct fake_hv *hv = NULL;
	int dfd, rc = -EIO;
	struct stat st;
	FILE *fp;

	*out = NULL;
	if (fstat(fd, &st))
		return -errno;
	if (st.st_size == 0)
		return 0;
	dfd = dup(fd);
	if (dfd < 0)
		return -errno;
	if (lseek(dfd, 0, SEEK_SET) < 0) {
		close(dfd);
		return -errno;
	}
	fp = fdopen(dfd, "rb");
	if (!fp) {
		close(dfd);
		return -errno;
	}
	hv = calloc(1, sizeof(*hv));
	if (!hv)
		goto out;
	if (rd(fp, &fh, sizeof(fh)) || memcmp(fh.magic, FAKE_MAGIC, 8) ||
	    fh.hv_size != sizeof(*hv) || fh.dom_size != sizeof(struct fake_dom))
		goto bad;
	if (rd(fp, hv, sizeof(*hv)))
		goto bad;
	/* Pointers in the file are stale: rebuild them. */
	{
		uint32_t ndoms = hv->ndoms;

		hv->doms = NULL;
		hv->ndoms = 0;
		hv->log.buf = NULL;
		if (hv->log.size != QHV_LOG_RING_SIZE || ndoms > QHV_DOMID_MAX + 1)
			goto bad;
		hv->log.buf = malloc(hv->log.size);
		if (!hv->log.buf || rd(fp, hv->log.buf, hv->log.size))
			goto bad;
		hv->doms = calloc(ndoms ? ndoms : 1, sizeof(*hv->doms));
		if (!hv->doms)
			goto bad;
		for (uint32_t i = 0; i < ndoms; i++) {
			struct fake_dom *d = calloc(1, sizeof(*d));
			uint64_t np, npages;

			if (!d)
				goto bad;
			hv->doms[hv->ndoms++] = d;
			if (rd(fp, d, sizeof(*d)))
				goto bad;
			d->pages = NULL;
			d->console.buf = NULL;
			if (d->console.size != QHV_CONSOLE_RING_SIZE ||
			    d->mem_bytes % FAKE_PAGE)
				goto bad;
			npages = d->mem_bytes / FAKE_PAGE;
			d->console.buf = malloc(d->console.size);
			if (!d->console.buf || rd(fp, d->console.buf, d->console.size) ||
			    rd(fp, &np, sizeof(np)) || np > npages)
				goto bad;
			if (np) {
				d->pages = calloc(npages, sizeof(*d->pages));
				if (!d->pages)
					goto bad;
			}
			for (uint64_t k = 0; k < np; k++) {
				uint64_t p;

				if (rd(fp, &p, sizeof(p)) || p >= npages || d->pages[p])
					goto bad;
				d->pages[p] = malloc(FAKE_PAGE);
				if (!d->pages[p] || rd(fp, d->pages[p], FAKE_PAGE))
					goto bad;
			}
		}
	}
	*out = hv;
	rc = 0;
	goto out;
bad:
	hv_free(hv);
	rc = -EIO;
out:
	fclose(fp);
	return rc;
}

/* Bracket every call: in state-file mode lock, load; then undo. */
static int fake_enter(struct fake *f)
{
	struct fake_hv *hv;
	int rc;

	if (!f->state_path)
		goto sync;
	if (flock(f->lock_fd, LOCK_EX))
		return -errno;
	rc = hv_load(f->lock_fd, &hv);
	if (rc) {
		flock(f->lock_fd, LOCK_UN);
		return rc;
	}
	if (hv) {
		hv_free(f->hv);
		f->hv = hv;
	}
	/* An empty file: keep the hv made at open (it gets saved). */
sync:
	if (f->opened)
		ev_sync(f);
	return 0;
}

static int fake_leave(struct fake *f, int rc)
{
	ev_seen(f);
	if (!f->state_path)
		return rc;
	if (hv_save(f->hv, f->lock_fd) && rc >= 0)
		rc = -EIO;
	flock(f->lock_fd, LOCK_UN);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Operations                                                        */

static int op_create(struct fake *f, struct qhv_domctl_create *c)
{
	struct fake_hv *hv = f->hv;
	struct fake_dom *d;
	uint64_t cpus_mask = hv->nr_cpus >= 64 ? UINT64_MAX :
			     (1ull << hv->nr_cpus) - 1;
	uint32_t id, tries;
	int rc;

	if (c->flags & ~QHV_CREATE_F_MASK ||
	    qhv_name_valid(c->name, sizeof(c->name)) ||
	    c->mem_bytes == 0 || c->mem_bytes % FAKE_PAGE ||
	    c->nr_vcpus < 1 || c->nr_vcpus > QHV_MAX_VCPUS ||
	    (c->cpu_affinity && !(c->cpu_affinity & cpus_mask)))
		return -EINVAL;
	for (uint32_t i = 0; i < hv->ndoms; i++)
		if (!strcmp(hv->doms[i]->name, c->name))
			return -EEXIST;
	if (c->mem_bytes / FAKE_PAGE > hv->total_frames - hv_used_frames(hv))
		return -ENOMEM;
	/* Ids move forward and wrap, skipping live ones. */
	id = hv->next_id;
	for (tries = 0; tries < QHV_DOMID_MAX; tries++) {
		if (id < 1 || id > QHV_DOMID_MAX)
			id = 1;
		if (!hv_find(hv, id))
			break;
		id++;
	}
	if (tries == QHV_DOMID_MAX)
		return -ENOSPC;
	d = dom_new();
	if (!d)
		return -ENOMEM;
	d->id = id;
	memcpy(d->name, c->name, sizeof(d->name));
	memcpy(d->uuid, c->uuid, 16);
	d->mem_bytes = c->mem_bytes;
	d->nr_vcpus = c->nr_vcpus;
	d->cpu_affinity = c->cpu_affinity;
	d->owner = f->token;
	{
		uint64_t allowed = c->cpu_affinity & cpus_mask;
		uint32_t cpu = 0;

		if (!allowed)
			allowed = cpus_mask;
		/* vCPU k on the k-th allowed CPU, round-robin. */
		for (uint32_t k = 0; k < d->nr_vcpus; k++) {
			while (!(allowed & (1ull << (cpu % 64))))
				cpu = (cpu + 1) % (hv->nr_cpus < 64 ? hv->nr_cpus : 64);
			d->vcpu_pcpu[k] = cpu;
			cpu = (cpu + 1) % (hv->nr_cpus < 64 ? hv->nr_cpus : 64);
		}
	}
	rc = hv_insert(hv, d);
	if (rc) {
		dom_free(d);
		return rc;
	}
	hv->next_id = id + 1;
	c->hdr.domid = id;
	hv_log(f, "qhv: dom %s: created as domain %" PRIu32 " (%" PRIu64 " MiB, %" PRIu32 " vCPUs)\n",
	       d->name, id, d->mem_bytes >> 20, d->nr_vcpus);
	ev_raise(f, QHV_EVENT_DOMAIN_STATE);
	return 0;
}

static void dom_destroy(struct fake *f, struct fake_dom *d)
{
	hv_log(f, "qhv: dom %s: destroyed\n", d->name);
	hv_remove(f->hv, d);
	ev_raise(f, QHV_EVENT_DOMAIN_STATE);
}

static void fill_info(const struct fake_hv *hv, const struct fake_dom *d,
		      struct qhv_domain_info *o)
{
	uint32_t domid = d->id;

	memset(o, 0, sizeof(*o));
	o->hdr.interface_version = QHV_DOMCTL_INTERFACE_VERSION;
	o->hdr.domid = domid;
	o->state = dom_state(d);
	o->shutdown_reason = d->ended == QHV_STATE_SHUTDOWN ? d->shutdown_reason : 0;
	o->exit_code = d->exit_code;
	o->pause_count = d->pause_count;
	o->nr_vcpus = d->nr_vcpus;
	o->flags = (d->id == QHV_DOMID_DOM0 ? QHV_INFO_F_PRIVILEGED : 0) |
		   (d->started ? QHV_INFO_F_STARTED : 0);
	o->mem_bytes = d->mem_bytes;
	o->cpu_affinity = d->cpu_affinity;
	memcpy(o->uuid, d->uuid, 16);
	memcpy(o->name, d->name, sizeof(o->name));
	memcpy(o->reason, d->reason, sizeof(o->reason));
	memcpy(o->cpu_time_ns, d->cpu_time_ns, sizeof(o->cpu_time_ns));
	memcpy(o->vcpu_pcpu, d->vcpu_pcpu, sizeof(o->vcpu_pcpu));
	o->console_produced = d->console.produced;
	o->console_lost = d->console.lost;
	(void)hv;
}

static int mem_write(struct fake_dom *d, uint64_t gpa, const uint8_t *src,
		     uint64_t len)
{
	uint64_t npages = d->mem_bytes / FAKE_PAGE;

	if (!d->pages) {
		d->pages = calloc(npages, sizeof(*d->pages));
		if (!d->pages)
			return -ENOMEM;
	}
	/* Allocate first so that a failure writes nothing. */
	for (uint64_t p = gpa / FAKE_PAGE; p <= (gpa + len - 1) / FAKE_PAGE; p++) {
		if (!d->pages[p]) {
			d->pages[p] = calloc(1, FAKE_PAGE);
			if (!d->pages[p])
				return -ENOMEM;
		}
	}
	while (len) {
		uint64_t off = gpa % FAKE_PAGE, n = FAKE_PAGE - off;

		if (n > len)
			n = len;
		memcpy(d->pages[gpa / FAKE_PAGE] + off, src, n);
		gpa += n;
		src += n;
		len -= n;
	}
	return 0;
}

static int op_memwrite(struct fake_dom *d, const struct qhv_domctl_memwrite *w)
{
	uint32_t st;

	if (d->id == QHV_DOMID_DOM0)
		return -EPERM;
	st = dom_state(d);
	if (st != QHV_STATE_BUILT && st != QHV_STATE_PAUSED)
		return -EBUSY;
	if (w->len == 0 || !w->buf)
		return -EINVAL;
	if (w->gpa >= d->mem_bytes || w->len > d->mem_bytes - w->gpa)
		return -EFAULT;
	return mem_write(d, w->gpa, (const uint8_t *)(uintptr_t)w->buf, w->len);
}

static int op_set_vcpu(struct fake_dom *d, const struct qhv_domctl_vcpu *v)
{
	const struct qhv_vcpu_context *c = &v->ctx;

	if (d->id == QHV_DOMID_DOM0)
		return -EPERM;
	if (d->started || d->ended)
		return -EBUSY;
	if (v->vcpu >= d->nr_vcpus)
		return -EINVAL;
	if (c->mode < QHV_VCPU_MODE_REAL || c->mode > QHV_VCPU_MODE_LONG64)
		return -EINVAL;
	if (c->rflags & FAKE_RFLAGS_REFUSED)
		return -EINVAL;
	if (c->mode == QHV_VCPU_MODE_FLAT32 &&
	    (c->rip >> 32 || c->rsp >> 32 || c->gdt_base >> 32))
		return -EINVAL;
	if (c->mode != QHV_VCPU_MODE_REAL &&
	    (c->cs_sel & 7 || c->ds_sel & 7 || !c->cs_sel || !c->ds_sel ||
	     c->cs_sel > c->gdt_limit || c->ds_sel > c->gdt_limit))
		return -EINVAL;
	if (c->mode == QHV_VCPU_MODE_LONG64 &&
	    (c->cr3 & 0xfff || c->cr3 >= d->mem_bytes))
		return -EINVAL;
	d->vcpu[v->vcpu] = *c;
	d->vcpu[v->vcpu].rflags |= 2;
	d->vcpu_set |= 1u << v->vcpu;
	return 0;
}

static int op_dom(struct fake *f, unsigned long req, void *arg)
{
	struct qhv_mgmt_hdr *hdr = arg;
	struct fake_dom *d = hv_find(f->hv, hdr->domid);

	if (!d)
		return -ESRCH;
	switch (req) {
	case QHV_IOC_DESTROY:
		if (d->id == QHV_DOMID_DOM0)
			return -EPERM;
		dom_destroy(f, d);
		return 0;
	case QHV_IOC_PAUSE:
		if (d->id == QHV_DOMID_DOM0)
			return -EPERM;
		if (d->ended)
			return -EINVAL;
		if (d->pause_count++ == 0)
			ev_raise(f, QHV_EVENT_DOMAIN_STATE);
		return 0;
	case QHV_IOC_UNPAUSE:
		if (d->id == QHV_DOMID_DOM0)
			return -EPERM;
		if (d->pause_count == 0)
			return -EINVAL;
		if (--d->pause_count == 0)
			ev_raise(f, QHV_EVENT_DOMAIN_STATE);
		return 0;
	case QHV_IOC_START:
		if (d->id == QHV_DOMID_DOM0)
			return -EPERM;
		if (d->started || d->ended)
			return -EBUSY;
		if (!(d->vcpu_set & 1))
			return -EINVAL;	/* vCPU 0 has nowhere to start */
		d->started = true;
		hv_log(f, "qhv: dom %s: started\n", d->name);
		ev_raise(f, QHV_EVENT_DOMAIN_STATE);
		return 0;
	case QHV_IOC_GETINFO:
		fill_info(f->hv, d, arg);
		return 0;
	case QHV_IOC_MEMWRITE:
		return op_memwrite(d, arg);
	case QHV_IOC_SET_VCPU:
		return op_set_vcpu(d, arg);
	case QHV_IOC_CONSOLE_READ:
		return ring_get(&d->console, arg);
	case QHV_IOC_CONSOLE_WRITE: {
		struct qhv_domctl_console *c = arg;
		uint32_t room = QHV_FAKE_RX_FIFO - d->rx_len;

		if (c->len > QHV_CONSOLE_IO_MAX || (c->len && !c->buf))
			return -EINVAL;
		if (d->ended)
			return -EINVAL;
		c->done = c->len < room ? c->len : room;
		memcpy(d->rx + d->rx_len, (const void *)(uintptr_t)c->buf, c->done);
		d->rx_len += c->done;
		return (int)c->done;
	}
	default:
		return -ENOTTY;
	}
}

static int op_list(struct fake_hv *hv, struct qhv_sysctl_list *l)
{
	uint32_t *ids = (uint32_t *)(uintptr_t)l->buf;

	if (l->max && !ids)
		return -EINVAL;
	l->count = hv->ndoms;
	for (uint32_t i = 0; i < hv->ndoms && i < l->max; i++)
		ids[i] = hv->doms[i]->id;
	return 0;
}

static int fake_ioctl_locked(struct fake *f, unsigned long req, void *arg)
{
	const struct qhv_mgmt_hdr *hdr = arg;

	if (f->fail_err && (f->fail_ioc == 0 || f->fail_ioc == req)) {
		int err = f->fail_err;

		f->fail_err = 0;
		return err;
	}
	if (hdr->interface_version != QHV_DOMCTL_INTERFACE_VERSION)
		return -EINVAL;
	switch (req) {
	case QHV_IOC_CREATE:
		return op_create(f, arg);
	case QHV_IOC_LIST:
		if (hdr->domid)
			return -EINVAL;
		return op_list(f->hv, arg);
	case QHV_IOC_POOLINFO: {
		struct qhv_pool_info *p = arg;

		if (hdr->domid)
			return -EINVAL;
		p->page_size = FAKE_PAGE;
		p->nr_cpus = f->hv->nr_cpus;
		p->total_frames = f->hv->total_frames;
		p->free_frames = f->hv->total_frames - hv_used_frames(f->hv);
		p->nr_domains = f->hv->ndoms;
		return 0;
	}
	case QHV_IOC_LOG_READ:
		if (hdr->domid)
			return -EINVAL;
		return ring_get(&f->hv->log, arg);
	default:
		return op_dom(f, req, arg);
	}
}

static int fake_ioctl(struct qhv_handle *h, unsigned long req, void *arg)
{
	struct fake *f = F(h);
	int rc = fake_enter(f);

	if (rc)
		return rc;
	return fake_leave(f, fake_ioctl_locked(f, req, arg));
}

static int fake_event_fd(struct qhv_handle *h)
{
	return F(h)->evp[0];
}

static int fake_event_read(struct qhv_handle *h, struct qhv_event_record *ev)
{
	struct fake *f = F(h);
	ssize_t n;
	int rc = fake_enter(f);

	if (rc)
		return rc;
	fake_leave(f, 0);
	n = read(f->evp[0], ev, sizeof(*ev));
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	return n == (ssize_t)sizeof(*ev) ? 1 : -EIO;
}

static void fake_close(struct qhv_handle *h)
{
	struct fake *f = F(h);

	/* The driver's per-open rule: unstarted domains of ours go. */
	if (fake_enter(f) == 0) {
		for (uint32_t i = 0; i < f->hv->ndoms;) {
			struct fake_dom *d = f->hv->doms[i];

			if (d->owner == f->token && !d->started &&
			    d->id != QHV_DOMID_DOM0)
				dom_destroy(f, d);
			else
				i++;
		}
		fake_leave(f, 0);
	}
	hv_free(f->hv);
	if (f->lock_fd >= 0)
		close(f->lock_fd);
	close(f->evp[0]);
	close(f->evp[1]);
	free(f->state_path);
	free(f);
	h->priv = NULL;
}

static const struct qhv_backend_ops fake_ops = {
	.ioctl = fake_ioctl,
	.event_fd = fake_event_fd,
	.event_read = fake_event_read,
	.close = fake_close,
};

/* ---------------------------------------------------------------- */
/* Open                                                              */

static int parse_size(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0, mul = 1;
	size_t i;

	for (i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > UINT64_MAX / 10 - 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (i == 0)
		return -EINVAL;
	if (i < n) {
		switch (s[i]) {
		case 'k': case 'K': mul = 1ull << 10; break;
		case 'm': case 'M': mul = 1ull << 20; break;
		case 'g': case 'G': mul = 1ull << 30; break;
		default: return -EINVAL;
		}
		if (i + 1 != n)
			return -EINVAL;
	}
	if (v > UINT64_MAX / mul)
		return -EINVAL;
	*out = v * mul;
	return 0;
}

static int open_fail(char *err, size_t errlen, int rc, const char *fmt,
		     const char *arg)
{
	if (err && errlen) {
		snprintf(err, errlen, fmt, arg);
	}
	return rc;
}

int qhv_fake_open(struct qhv_handle *h, const char *opts, char *err,
		  size_t errlen)
{
	uint64_t pool = 256ull << 20, cpus = 4;
	struct fake *f;
	struct timespec ts;
	const char *p = opts, *state = NULL;
	size_t state_len = 0;
	int rc;

	/* Options: key=value pairs separated by commas. */
	while (*p) {
		const char *end = strchr(p, ','), *eq;
		size_t n = end ? (size_t)(end - p) : strlen(p);

		eq = memchr(p, '=', n);
		if (n == 0) {
			/* empty item: skip */
		} else if (!eq) {
			return open_fail(err, errlen, -EINVAL,
					 "fake: option '%s' needs a value (pool=, cpus=, state=)", p);
		} else if (eq - p == 4 && !strncmp(p, "pool", 4)) {
			if (parse_size(eq + 1, n - 5, &pool) || pool < FAKE_PAGE)
				return open_fail(err, errlen, -EINVAL,
						 "fake: bad pool size in '%s'", p);
		} else if (eq - p == 4 && !strncmp(p, "cpus", 4)) {
			if (parse_size(eq + 1, n - 5, &cpus) || cpus < 1 || cpus > 64)
				return open_fail(err, errlen, -EINVAL,
						 "fake: bad CPU count in '%s' (1..64)", p);
		} else if (eq - p == 5 && !strncmp(p, "state", 5)) {
			state = eq + 1;
			state_len = n - 6;
			if (!state_len)
				return open_fail(err, errlen, -EINVAL,
						 "fake: empty state path in '%s'", p);
		} else {
			return open_fail(err, errlen, -EINVAL,
					 "fake: unknown option in '%s' (pool=, cpus=, state=)", p);
		}
		p += n;
		if (*p == ',')
			p++;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return open_fail(err, errlen, -ENOMEM, "fake: %s", "out of memory");
	f->lock_fd = -1;
	f->evp[0] = f->evp[1] = -1;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	f->token = ((uint64_t)getpid() << 32) ^ (uint64_t)ts.tv_nsec ^
		   ((uint64_t)ts.tv_sec << 40) ^ (uint64_t)(uintptr_t)f;
	if (!f->token)
		f->token = 1;
	if (pipe2(f->evp, O_NONBLOCK | O_CLOEXEC)) {
		rc = -errno;
		free(f);
		return open_fail(err, errlen, rc, "fake: event pipe: %s",
				 strerrordesc_np(-rc));
	}
	f->hv = hv_new(pool, (uint32_t)cpus);
	if (!f->hv) {
		rc = -ENOMEM;
		goto fail;
	}
	h->priv = f;
	h->ops = &fake_ops;
	h->fake = 1;
	if (state) {
		f->state_path = strndup(state, state_len);
		if (!f->state_path) {
			rc = -ENOMEM;
			goto fail;
		}
		f->lock_fd = open(f->state_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (f->lock_fd < 0) {
			rc = -errno;
			if (err && errlen)
				snprintf(err, errlen, "fake: %s: %s", f->state_path,
					 strerrordesc_np(-rc));
			goto fail_quiet;
		}
		/* Load (or create) it once now, so a broken file fails here. */
		rc = fake_enter(f);
		if (rc == 0)
			rc = fake_leave(f, 0);
		if (rc) {
			if (err && errlen)
				snprintf(err, errlen, "fake: %s: not a fake hv state file (or unreadable)",
					 f->state_path);
			goto fail_quiet;
		}
	}
	ev_seen(f);
	f->opened = true;
	return 0;
fail:
	if (err && errlen)
		snprintf(err, errlen, "fake: %s", qhv_strerror(rc));
fail_quiet:
	hv_free(f->hv);
	if (f->lock_fd >= 0)
		close(f->lock_fd);
	close(f->evp[0]);
	close(f->evp[1]);
	free(f->state_path);
	free(f);
	h->priv = NULL;
	h->ops = NULL;
	h->fake = 0;
	return rc;
}

/* ---------------------------------------------------------------- */
/* Test hooks (libqhv-fake.h)                                        */

/* Find @domid with the hv loaded; on failure sets the message and
 * leaves. */
static int hook_enter(struct qhv_handle *h, const char *what, uint32_t domid,
		      struct fake_dom **out)
{
	int rc;

	if (!h)
		return -EINVAL;
	if (!h->fake)
		return qhv_set_error(h, -ENOTTY, "%s: not a fake handle", what);
	rc = fake_enter(F(h));
	if (rc)
		return qhv_set_error(h, rc, "%s: %s", what, qhv_strerror(rc));
	if (out) {
		*out = hv_find(F(h)->hv, domid);
		if (!*out) {
			fake_leave(F(h), 0);
			return qhv_set_error(h, -ESRCH, "%s %" PRIu32 ": no such domain",
					     what, domid);
		}
	}
	return 0;
}

static int hook_leave(struct qhv_handle *h, const char *what, int rc)
{
	rc = fake_leave(F(h), rc);
	if (rc < 0)
		return qhv_set_error(h, rc, "%s: %s", what, qhv_strerror(rc));
	return rc;
}

int qhv_fake_console_output(struct qhv_handle *h, uint32_t domid,
			    const void *buf, size_t len)
{
	struct fake_dom *d;
	int rc = hook_enter(h, "fake console output", domid, &d);

	if (rc)
		return rc;
	if (len && !buf)
		return hook_leave(h, "fake console output", -EINVAL);
	ring_put(&d->console, buf, len);
	if (len)
		ev_raise(F(h), QHV_EVENT_CONSOLE);
	return hook_leave(h, "fake console output", 0);
}

int qhv_fake_log(struct qhv_handle *h, const void *buf, size_t len)
{
	int rc = hook_enter(h, "fake log", 0, NULL);

	if (rc)
		return rc;
	if (len && !buf)
		return hook_leave(h, "fake log", -EINVAL);
	ring_put(&F(h)->hv->log, buf, len);
	if (len)
		ev_raise(F(h), QHV_EVENT_LOG);
	return hook_leave(h, "fake log", 0);
}

ssize_t qhv_fake_console_input(struct qhv_handle *h, uint32_t domid,
			       void *buf, size_t len)
{
	struct fake_dom *d;
	int rc = hook_enter(h, "fake console input", domid, &d);
	size_t n;

	if (rc)
		return rc;
	if (len && !buf)
		return hook_leave(h, "fake console input", -EINVAL);
	n = len < d->rx_len ? len : d->rx_len;
	if (n)
		memcpy(buf, d->rx, n);
	memmove(d->rx, d->rx + n, d->rx_len - n);
	d->rx_len -= (uint32_t)n;
	return hook_leave(h, "fake console input", (int)n);
}

/* Common checks of shutdown/crash/blocked: a started, live domU. */
static int live_domu(struct qhv_handle *h, const char *what,
		     const struct fake_dom *d)
{
	if (d->id == QHV_DOMID_DOM0)
		return qhv_set_error(h, -EPERM, "%s: not on dom0", what);
	if (!d->started || d->ended)
		return qhv_set_error(h, -EINVAL, "%s %" PRIu32 ": domain is %s",
				     what, d->id, qhv_state_name(dom_state(d)));
	return 0;
}

int qhv_fake_shutdown(struct qhv_handle *h, uint32_t domid, uint32_t reason,
		      uint32_t exit_code)
{
	const char *what = "fake shutdown";
	struct fake_dom *d;
	int rc = hook_enter(h, what, domid, &d);

	if (rc)
		return rc;
	rc = live_domu(h, what, d);
	if (rc) {
		fake_leave(F(h), 0);
		return rc;
	}
	if (reason < QHV_SHUTDOWN_EXIT || reason > QHV_SHUTDOWN_REBOOT) {
		fake_leave(F(h), 0);
		return qhv_set_error(h, -EINVAL, "%s: bad reason %" PRIu32, what, reason);
	}
	d->ended = QHV_STATE_SHUTDOWN;
	d->shutdown_reason = reason;
	d->exit_code = reason == QHV_SHUTDOWN_EXIT ? exit_code : 0;
	hv_log(F(h), "qhv: dom %s: %s (code %" PRIu32 ")\n", d->name,
	       qhv_shutdown_reason_name(reason), d->exit_code);
	ev_raise(F(h), QHV_EVENT_DOMAIN_STATE);
	return hook_leave(h, what, 0);
}

int qhv_fake_crash(struct qhv_handle *h, uint32_t domid, const char *reason)
{
	const char *what = "fake crash";
	struct fake_dom *d;
	int rc = hook_enter(h, what, domid, &d);

	if (rc)
		return rc;
	rc = live_domu(h, what, d);
	if (rc) {
		fake_leave(F(h), 0);
		return rc;
	}
	d->ended = QHV_STATE_CRASHED;
	snprintf(d->reason, sizeof(d->reason), "%s", reason ? reason : "");
	hv_log(F(h), "qhv: dom %s: crashed: %s\n", d->name, d->reason);
	ev_raise(F(h), QHV_EVENT_DOMAIN_STATE);
	return hook_leave(h, what, 0);
}

int qhv_fake_set_blocked(struct qhv_handle *h, uint32_t domid, int blocked)
{
	const char *what = "fake set blocked";
	struct fake_dom *d;
	int rc = hook_enter(h, what, domid, &d);

	if (rc)
		return rc;
	rc = live_domu(h, what, d);
	if (rc) {
		fake_leave(F(h), 0);
		return rc;
	}
	if (d->blocked != !!blocked) {
		d->blocked = !!blocked;
		ev_raise(F(h), QHV_EVENT_DOMAIN_STATE);
	}
	return hook_leave(h, what, 0);
}

int qhv_fake_add_cpu_time(struct qhv_handle *h, uint32_t domid,
			  uint32_t vcpu, uint64_t ns)
{
	const char *what = "fake add cpu time";
	struct fake_dom *d;
	int rc = hook_enter(h, what, domid, &d);

	if (rc)
		return rc;
	if (vcpu >= d->nr_vcpus) {
		fake_leave(F(h), 0);
		return qhv_set_error(h, -EINVAL, "%s: no vCPU %" PRIu32, what, vcpu);
	}
	d->cpu_time_ns[vcpu] += ns;
	return hook_leave(h, what, 0);
}

int qhv_fake_mem_read(struct qhv_handle *h, uint32_t domid, uint64_t gpa,
		      void *buf, size_t len)
{
	const char *what = "fake mem read";
	struct fake_dom *d;
	uint8_t *dst = buf;
	int rc = hook_enter(h, what, domid, &d);

	if (rc)
		return rc;
	if (d->id == QHV_DOMID_DOM0) {
		fake_leave(F(h), 0);
		return qhv_set_error(h, -EPERM, "%s: dom0's memory is not simulated", what);
	}
	if (gpa >= d->mem_bytes || len > d->mem_bytes - gpa || (len && !buf)) {
		fake_leave(F(h), 0);
		return qhv_set_error(h, -EFAULT, "%s %" PRIu32 ": 0x%" PRIx64 "+0x%zx is outside its memory",
				     what, domid, gpa, len);
	}
	while (len) {
		uint64_t off = gpa % FAKE_PAGE, n = FAKE_PAGE - off;
		const uint8_t *pg = d->pages ? d->pages[gpa / FAKE_PAGE] : NULL;

		if (n > len)
			n = len;
		if (pg)
			memcpy(dst, pg + off, n);
		else
			memset(dst, 0, n);
		dst += n;
		gpa += n;
		len -= n;
	}
	return hook_leave(h, what, 0);
}

int qhv_fake_vcpu_get(struct qhv_handle *h, uint32_t domid, uint32_t vcpu,
		      struct qhv_vcpu_context *ctx)
{
	const char *what = "fake vcpu get";
	struct fake_dom *d;
	int rc = hook_enter(h, what, domid, &d);

	if (rc)
		return rc;
	if (vcpu >= d->nr_vcpus || !ctx) {
		fake_leave(F(h), 0);
		return qhv_set_error(h, -EINVAL, "%s: no vCPU %" PRIu32, what, vcpu);
	}
	if (!(d->vcpu_set & (1u << vcpu))) {
		fake_leave(F(h), 0);
		return qhv_set_error(h, -ENOENT, "%s %" PRIu32 ": vCPU %" PRIu32 " has no start state",
				     what, domid, vcpu);
	}
	*ctx = d->vcpu[vcpu];
	return hook_leave(h, what, 0);
}

int qhv_fake_fail_next(struct qhv_handle *h, unsigned long ioc, int err)
{
	if (!h)
		return -EINVAL;
	if (!h->fake)
		return qhv_set_error(h, -ENOTTY, "fake fail next: not a fake handle");
	if (err >= 0)
		return qhv_set_error(h, -EINVAL, "fake fail next: error must be negative");
	F(h)->fail_ioc = ioc;
	F(h)->fail_err = err;
	return 0;
}
