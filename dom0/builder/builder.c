// SPDX-License-Identifier: MIT
/*
 * The multiboot domain builder: a pure planner (image bytes -> a list of
 * guest-physical writes and a vCPU state) and an executor that applies a
 * plan through libqhv.  Kernel parsing is the hv's hv/core/image.c and
 * the information blocks are hv/core/mbinfo.c's, compiled unchanged.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builder_priv.h"
#include "core/image.h"
#include "core/mbinfo.h"
#include "lib/unaligned.h"
#include "libqhv.h"
#include "printk_capture.h"
#include "qhvbuild.h"

#define PAGE 4096ull
#define FOUR_GIB (1ull << 32)
#define MB1_HDR_MAGIC 0x1BADB002u
#define MB1_HDR_SEARCH 8192u
#define MB1_HDR_AOUT_KLUDGE (1u << 16)
#define MB1_INFO_SIZE 120u	/* what mbinfo_build_mb1() writes */

typedef unsigned long long ull;


static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static ull mib_up(uint64_t b)
{
	return (ull)((b + (1ull << 20) - 1) >> 20);
}

/* The hv parsers' messages read "qhv: image: ...\n": keep the part
 * after the prefix and drop the newline. */
static const char *strip_msg(char *m)
{
	size_t n = strlen(m);
	const char *p = m;

	while (n && m[n - 1] == '\n')
		m[--n] = '\0';
	if (!strncmp(p, "qhv: ", 5))
		p += 5;
	if (!strncmp(p, "image: ", 7))
		p += 7;
	else if (!strncmp(p, "mbinfo: ", 8))
		p += 8;
	return *p ? p : "malformed image";
}

/*
 * The Multiboot1 header's flags, found as image_parse() finds the
 * header (4-byte aligned in the first 8 KiB, checksum valid); 0 when
 * there is none.
 */
static uint32_t mb1_flags(const uint8_t *b, size_t size)
{
	for (size_t o = 0; o + 12 <= size && o + 12 <= MB1_HDR_SEARCH; o += 4) {
		uint32_t magic = rd32(b + o), flags = rd32(b + o + 4);
		uint32_t sum = magic + flags + rd32(b + o + 8);

		if (magic == MB1_HDR_MAGIC && sum == 0)
			return flags;
	}
	return 0;
}

static bool is_elf64(const uint8_t *b, size_t size)
{
	return size >= 5 && !memcmp(b, "\x7f" "ELF", 4) && b[4] == 2;
}

static size_t slen(const char *s)
{
	return s ? strlen(s) : 0;
}

static int cmp_write(const void *a, const void *b)
{
	uint64_t x = ((const struct qhv_build_write *)a)->gpa;
	uint64_t y = ((const struct qhv_build_write *)b)->gpa;

	return (x > y) - (x < y);
}

/* Checks of the request that need no parsing. */
static int check_request(const struct qhv_build_request *req, char *err,
			 size_t errlen)
{
	if (!req)
		return fail(err, errlen, -EINVAL, "no request");
	if (!req->kernel || req->kernel_size == 0)
		return fail(err, errlen, -EINVAL, "kernel: empty image");
	if (req->mem_bytes % PAGE)
		return fail(err, errlen, -EINVAL,
			    "memory size %" PRIu64 " is not a multiple of 4 KiB",
			    req->mem_bytes);
	if (req->mem_bytes < QHV_BUILD_MIN_MEM)
		return fail(err, errlen, -EINVAL,
			    "memory size %" PRIu64 " KiB is too small (at least %llu MiB)",
			    req->mem_bytes >> 10, QHV_BUILD_MIN_MEM >> 20);
	if (req->proto > QHV_BUILD_MB2)
		return fail(err, errlen, -EINVAL, "unknown protocol %" PRIu32,
			    req->proto);
	if (req->nr_modules > QHV_BUILD_MAX_MODULES)
		return fail(err, errlen, -EINVAL, "%u modules (at most %u)",
			    req->nr_modules, QHV_BUILD_MAX_MODULES);
	if (req->nr_modules && !req->modules)
		return fail(err, errlen, -EINVAL, "modules: no module array");
	if (req->cmdline && strnlen(req->cmdline, QHV_BUILD_STRING_MAX) >= QHV_BUILD_STRING_MAX)
		return fail(err, errlen, -EINVAL, "command line longer than %u bytes",
			    QHV_BUILD_STRING_MAX - 1);
	if (req->loader_name &&
	    strnlen(req->loader_name, QHV_BUILD_STRING_MAX) >= QHV_BUILD_STRING_MAX)
		return fail(err, errlen, -EINVAL, "loader name longer than %u bytes",
			    QHV_BUILD_STRING_MAX - 1);
	for (unsigned i = 0; i < req->nr_modules; i++) {
		const struct qhv_build_module *m = &req->modules[i];

		if (m->size && !m->data)
			return fail(err, errlen, -EINVAL, "module %u: no data", i);
		if (m->string && strnlen(m->string, QHV_BUILD_STRING_MAX) >= QHV_BUILD_STRING_MAX)
			return fail(err, errlen, -EINVAL,
				    "module %u: string longer than %u bytes", i,
				    QHV_BUILD_STRING_MAX - 1);
	}
	return 0;
}

/* The kernel's segments against the domain's memory. */
static int check_segments(const struct image_plan *ip, uint64_t mem,
			  char *err, size_t errlen)
{
	for (unsigned i = 0; i < ip->nseg; i++) {
		const struct image_segment *s = &ip->seg[i];

		if (s->paddr < QHV_BUILD_HIGH_RAM)
			return fail(err, errlen, -EINVAL,
				    "kernel: segment %u at 0x%llx is below 1 MiB (the first MiB holds the boot information)",
				    i, (ull)s->paddr);
		if (s->paddr >= mem || s->memsz > mem - s->paddr)
			return fail(err, errlen, -E2BIG,
				    "kernel: segment %u (0x%llx-0x%llx) ends beyond the domain's memory (%llu MiB; the kernel needs %llu MiB)",
				    i, (ull)s->paddr, (ull)(s->paddr + s->memsz),
				    (ull)(mem >> 20), mib_up(ip->highest));
	}
	return 0;
}

/* Size of the block mbinfo_build_mb1() writes (its documented layout:
 * the info structure, the module list, the map, then the strings). */
static uint64_t mb1_info_size(const struct guest_boot_desc *d)
{
	uint64_t n = MB1_INFO_SIZE + 16ull * d->nmods + 24ull * d->nmmap;

	if (d->cmdline)
		n += slen(d->cmdline) + 1;
	if (d->loader_name)
		n += slen(d->loader_name) + 1;
	for (unsigned i = 0; i < d->nmods; i++)
		n += slen(d->mods[i].string) + 1;
	return n;
}

int qhv_build_multiboot(const struct qhv_build_request *req,
			struct qhv_build_plan *plan, char *err, size_t errlen)
{
	struct guest_module gmods[QHV_BUILD_MAX_MODULES];
	struct boot_mmap mmap[3];
	struct guest_boot_desc desc;
	struct image_plan ip;
	struct plan_priv *priv = NULL;
	struct qhv_build_write *w = NULL;
	char msg[256];
	const uint8_t *k;
	uint64_t mem, pos, need;
	uint32_t info_gpa = 0;
	unsigned nw = 0;
	int rc;

	if (!plan)
		return fail(err, errlen, -EINVAL, "no plan");
	memset(plan, 0, sizeof(*plan));
	if (err && errlen)
		err[0] = '\0';
	rc = check_request(req, err, errlen);
	if (rc)
		return rc;
	k = req->kernel;
	mem = req->mem_bytes;

	/* 1. The kernel. */
	qhvbuild_capture_begin(msg, sizeof(msg));
	rc = image_parse(k, req->kernel_size,
			 req->proto == QHV_BUILD_MB1 ? IMAGE_MB1 : IMAGE_MB2, &ip);
	qhvbuild_capture_end();
	if (rc)
		return fail(err, errlen, -EINVAL, "kernel: %s", strip_msg(msg));
	if (ip.proto == IMAGE_MB1 && is_elf64(k, req->kernel_size) &&
	    !(mb1_flags(k, req->kernel_size) & MB1_HDR_AOUT_KLUDGE))
		return fail(err, errlen, -EINVAL,
			    "kernel: a 64-bit ELF kernel needs a multiboot2 header (it has only a multiboot1 header, without the a.out kludge)");
	rc = check_segments(&ip, mem, err, errlen);
	if (rc)
		return rc;

	/* 2. Modules: page-aligned, one after the other, after the kernel. */
	pos = (ip.highest + PAGE - 1) & ~(PAGE - 1);
	need = pos;
	for (unsigned i = 0; i < req->nr_modules; i++) {
		need = (need + PAGE - 1) & ~(PAGE - 1);
		if (req->modules[i].size > UINT64_MAX / 2 - need)
			return fail(err, errlen, -E2BIG, "module %u: too large", i);
		need += req->modules[i].size;
	}
	if (need > mem || need > FOUR_GIB)
		return fail(err, errlen, -E2BIG,
			    "%s do not fit: the kernel%s need %llu MiB, the domain has %llu MiB%s",
			    req->nr_modules ? "modules" : "kernel",
			    req->nr_modules ? " and modules" : "", mib_up(need),
			    (ull)(mem >> 20),
			    need > FOUR_GIB ? " (and multiboot modules must lie below 4 GiB)" : "");
	for (unsigned i = 0; i < req->nr_modules; i++) {
		pos = (pos + PAGE - 1) & ~(PAGE - 1);
		gmods[i].start = pos;
		gmods[i].end = pos + req->modules[i].size;
		gmods[i].string = req->modules[i].string ? req->modules[i].string : "";
		plan->modules[i].start = gmods[i].start;
		plan->modules[i].end = gmods[i].end;
		pos = gmods[i].end;
	}
	plan->nr_modules = req->nr_modules;

	/* 3. The multiboot information, with a PC-like memory map. */
	mmap[0] = (struct boot_mmap){ 0, QHV_BUILD_LOW_RAM_END, BOOT_MMAP_RAM };
	mmap[1] = (struct boot_mmap){ QHV_BUILD_LOW_RAM_END,
				      QHV_BUILD_HIGH_RAM - QHV_BUILD_LOW_RAM_END,
				      BOOT_MMAP_RESERVED };
	mmap[2] = (struct boot_mmap){ QHV_BUILD_HIGH_RAM, mem - QHV_BUILD_HIGH_RAM,
				      BOOT_MMAP_RAM };
	memset(&desc, 0, sizeof(desc));
	desc.cmdline = req->cmdline;
	desc.loader_name = req->loader_name ? req->loader_name : "qhv";
	desc.nmmap = 3;
	desc.mmap = mmap;
	desc.nmods = req->nr_modules;
	desc.mods = gmods;
	desc.mem_lower_kib = (uint32_t)(QHV_BUILD_LOW_RAM_END >> 10);
	desc.mem_upper_kib = (mem - QHV_BUILD_HIGH_RAM) >> 10 > UINT32_MAX ?
			     UINT32_MAX : (uint32_t)((mem - QHV_BUILD_HIGH_RAM) >> 10);

	priv = calloc(1, sizeof(*priv));
	w = calloc(2 + 2 * IMAGE_MAX_SEGMENTS + QHV_BUILD_MAX_MODULES, sizeof(*w));
	if (priv)
		priv->info = calloc(1, QHV_BUILD_INFO_MAX);
	if (!priv || !w || !priv->info) {
		rc = fail(err, errlen, -ENOMEM, "out of memory");
		goto out_free;
	}
	qhvbuild_capture_begin(msg, sizeof(msg));
	if (ip.proto == IMAGE_MB1)
		rc = mbinfo_build_mb1(priv->info, QHV_BUILD_INFO_MAX, QHV_BUILD_INFO_GPA,
				      &desc, &info_gpa);
	else
		rc = mbinfo_build_mb2(priv->info, QHV_BUILD_INFO_MAX, QHV_BUILD_INFO_GPA,
				      &desc, &info_gpa);
	qhvbuild_capture_end();
	if (rc) {
		rc = fail(err, errlen, rc == -ENOSPC ? -E2BIG : -EINVAL,
			  "multiboot information: %s", strip_msg(msg));
		goto out_free;
	}
	plan->proto = ip.proto == IMAGE_MB1 ? QHV_BUILD_MB1 : QHV_BUILD_MB2;
	plan->info_gpa = info_gpa;
	plan->info_size = ip.proto == IMAGE_MB1 ? mb1_info_size(&desc) :
						  rd32(priv->info);

	/* 4. A flat GDT: null, 32-bit code (0x08), 32-bit data (0x10), both
	 * base 0, limit 4 GiB, DPL 0, accessed (as the VMCS will hold them). */
	wr64(priv->gdt + 0, 0);
	wr64(priv->gdt + 8, 0x00cf9b000000ffffull);
	wr64(priv->gdt + 16, 0x00cf93000000ffffull);

	/* 5. The writes. */
	w[nw++] = (struct qhv_build_write){ QHV_BUILD_GDT_GPA, sizeof(priv->gdt),
					    priv->gdt, "GDT" };
	w[nw++] = (struct qhv_build_write){ plan->info_gpa, plan->info_size, priv->info,
					    ip.proto == IMAGE_MB1 ? "multiboot1 info" :
								    "multiboot2 info" };
	for (unsigned i = 0; i < ip.nseg; i++) {
		const struct image_segment *s = &ip.seg[i];
		char *what = priv->what[2 * i];

		snprintf(what, sizeof(priv->what[0]), "kernel segment %u", i);
		if (s->filesz)
			w[nw++] = (struct qhv_build_write){ s->paddr, s->filesz,
							    k + s->file_off, what };
		if (s->memsz > s->filesz) {
			what = priv->what[2 * i + 1];
			snprintf(what, sizeof(priv->what[0]), "kernel segment %u (bss)", i);
			w[nw++] = (struct qhv_build_write){ s->paddr + s->filesz,
							    s->memsz - s->filesz,
							    NULL, what };
		}
	}
	for (unsigned i = 0; i < req->nr_modules; i++) {
		char *what = priv->what[2 * IMAGE_MAX_SEGMENTS + i];

		if (!req->modules[i].size)
			continue;
		snprintf(what, sizeof(priv->what[0]), "module %u", i);
		w[nw++] = (struct qhv_build_write){ gmods[i].start, req->modules[i].size,
						    req->modules[i].data, what };
	}
	qsort(w, nw, sizeof(*w), cmp_write);
	/* The layout keeps these apart; check rather than trust it. */
	for (unsigned i = 0; i < nw; i++) {
		if (w[i].gpa >= mem || w[i].len > mem - w[i].gpa ||
		    (i && w[i - 1].gpa + w[i - 1].len > w[i].gpa)) {
			rc = fail(err, errlen, -EINVAL,
				  "internal error: %s at 0x%llx overlaps or leaves memory",
				  w[i].what, (ull)w[i].gpa);
			goto out_free;
		}
	}

	/* 6. vCPU 0, as GRUB would leave it. */
	plan->vcpu0.mode = QHV_VCPU_MODE_FLAT32;
	plan->vcpu0.cs_sel = QHV_BUILD_CS_SEL;
	plan->vcpu0.ds_sel = QHV_BUILD_DS_SEL;
	plan->vcpu0.gdt_base = QHV_BUILD_GDT_GPA;
	plan->vcpu0.gdt_limit = QHV_BUILD_GDT_LIMIT;
	plan->vcpu0.rip = ip.entry;
	plan->vcpu0.rsp = QHV_BUILD_STACK_TOP;
	plan->vcpu0.rflags = 0x2;
	plan->vcpu0.rax = ip.proto == IMAGE_MB1 ? QHV_BUILD_MB1_MAGIC : QHV_BUILD_MB2_MAGIC;
	plan->vcpu0.rbx = plan->info_gpa;

	plan->mem_bytes = mem;
	plan->entry = ip.entry;
	plan->kernel.start = ip.lowest;
	plan->kernel.end = ip.highest;
	plan->nr_writes = nw;
	plan->writes = w;
	plan->priv = priv;
	return 0;

out_free:
	if (priv)
		free(priv->info);
	free(priv);
	free(w);
	memset(plan, 0, sizeof(*plan));
	return rc;
}

void qhv_build_plan_free(struct qhv_build_plan *plan)
{
	struct plan_priv *priv;

	if (!plan)
		return;
	priv = plan->priv;
	if (priv) {
		free(priv->info);
		free(priv->extra);
	}
	free(priv);
	free(plan->writes);
	memset(plan, 0, sizeof(*plan));
}

int qhv_build_apply(struct qhv_handle *h, uint32_t domid,
		    const struct qhv_build_plan *plan, char *err, size_t errlen)
{
	struct qhv_domain_info info;
	int rc;

	if (!h || !plan || !plan->writes)
		return fail(err, errlen, -EINVAL, "apply: no handle or plan");
	rc = qhv_domain_getinfo(h, domid, &info);
	if (rc)
		return fail(err, errlen, rc, "%s", qhv_last_error(h));
	if (info.flags & QHV_INFO_F_STARTED ||
	    (info.state != QHV_STATE_BUILT && info.state != QHV_STATE_PAUSED))
		return fail(err, errlen, -EBUSY,
			    "build %" PRIu32 " ('%s'): domain is %s; a domain is built before it is started",
			    domid, info.name, qhv_state_name(info.state));
	if (info.mem_bytes != plan->mem_bytes)
		return fail(err, errlen, -EINVAL,
			    "build %" PRIu32 " ('%s'): the plan is for %llu MiB of memory, the domain has %llu MiB",
			    domid, info.name, (ull)(plan->mem_bytes >> 20),
			    (ull)(info.mem_bytes >> 20));
	for (unsigned i = 0; i < plan->nr_writes; i++) {
		const struct qhv_build_write *wr = &plan->writes[i];

		if (!wr->data)
			continue;	/* RAM of a new domain is zero */
		if (wr->len > SIZE_MAX)
			return fail(err, errlen, -EINVAL, "build: %s too large", wr->what);
		rc = qhv_memwrite(h, domid, wr->gpa, wr->data, (size_t)wr->len);
		if (rc)
			return fail(err, errlen, rc, "build: %s: %s", wr->what,
				    qhv_last_error(h));
	}
	rc = qhv_vcpu_set(h, domid, 0, &plan->vcpu0);
	if (rc)
		return fail(err, errlen, rc, "build: %s", qhv_last_error(h));
	return 0;
}

int qhv_build_load_file(const char *path, void **data, size_t *size,
			char *err, size_t errlen)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	int fd, rc;

	if (!path || !data || !size)
		return fail(err, errlen, -EINVAL, "load: no path or output");
	*data = NULL;
	*size = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		return fail(err, errlen, rc, "%s: %s", path, strerrordesc_np(-rc));
	}
	if (fstat(fd, &st)) {
		rc = -errno;
		close(fd);
		return fail(err, errlen, rc, "%s: %s", path, strerrordesc_np(-rc));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return fail(err, errlen, -EINVAL, "%s: not a regular file", path);
	}
	if ((uint64_t)st.st_size > FOUR_GIB) {
		close(fd);
		return fail(err, errlen, -EFBIG, "%s: larger than 4 GiB", path);
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		close(fd);
		return fail(err, errlen, -ENOMEM, "%s: out of memory", path);
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			free(buf);
			close(fd);
			return fail(err, errlen, rc, "%s: %s", path,
				    n < 0 ? strerrordesc_np(-rc) : "file shrank while reading");
		}
		got += (size_t)n;
	}
	close(fd);
	*data = buf;
	*size = got;
	return 0;
}
