// SPDX-License-Identifier: MIT
/*
 * create.c - qhv create FILE.xml [--paused] [--console] [--no-monitor].
 *
 *   1. load and check the configuration (qhvconfig);
 *   2. read the kernel, initrd and modules and plan the domain
 *      (qhv_build_linux() for a bzImage, qhv_build_multiboot() else:
 *      pure, so most mistakes are found before any domain exists);
 *   3. create the domain, write the plan into it (qhv_build_apply());
 *   4. pause it first with --paused, then start it;
 *   5. leave a monitor process behind (monitor.c) that carries out the
 *      configuration's on_poweroff / on_reboot / on_crash.
 *
 * A failure after 3 destroys the half-built domain and reports the
 * original error.  (Closing the handle would also destroy a domain that
 * was never started: the driver's per-open rule.)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qhv.h"
#include "qhvbuild.h"
#include "qhvconfig.h"

struct files {
	void *kernel;
	size_t kernel_size;
	void *data[QHV_BUILD_MAX_MODULES];
	struct qhv_build_module mods[QHV_BUILD_MAX_MODULES];
	unsigned int nr;
};

static void files_free(struct files *f)
{
	unsigned int i;

	free(f->kernel);
	for (i = 0; i < f->nr; i++)
		free(f->data[i]);
}

static int load_one(const struct qhv_domain_config *cfg, const char *path,
		    void **data, size_t *size, char *err, size_t errlen)
{
	char *full = qhv_config_resolve(cfg, path);
	int rc;

	if (!full) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = qhv_build_load_file(full, data, size, err, errlen);
	free(full);
	return rc;
}

/* The kernel and its modules (the initrd first) into memory. */
static int load_files(const struct qhv_domain_config *cfg, struct files *f,
		      char *err, size_t errlen)
{
	size_t i, want = cfg->nr_modules + (cfg->initrd ? 1 : 0);

	if (want > QHV_BUILD_MAX_MODULES) {
		snprintf(err, errlen, "%zu modules: at most %u are supported",
			 want, QHV_BUILD_MAX_MODULES);
		return -E2BIG;
	}
	if (load_one(cfg, cfg->kernel, &f->kernel, &f->kernel_size, err,
		     errlen))
		return -1;
	if (cfg->initrd) {
		if (load_one(cfg, cfg->initrd, &f->data[0],
			     &f->mods[0].size, err, errlen))
			return -1;
		f->mods[0].data = f->data[0];
		f->mods[0].string = "";
		f->nr = 1;
	}
	for (i = 0; i < cfg->nr_modules; i++) {
		unsigned int k = f->nr;

		if (load_one(cfg, cfg->modules[i].path, &f->data[k],
			     &f->mods[k].size, err, errlen))
			return -1;
		f->mods[k].data = f->data[k];
		f->mods[k].string = cfg->modules[i].cmdline;
		f->nr++;
	}
	return 0;
}

/* A bzImage boots as Linux (its initrd, no modules), anything else by
 * multiboot (initrd first, then the modules). */
static int plan_domain(const struct qhv_domain_config *cfg,
		       const struct files *f, struct qhv_build_plan *plan,
		       char *err, size_t errlen)
{
	if (qhv_build_is_bzimage(f->kernel, f->kernel_size)) {
		struct qhv_build_linux_request lr = {
			.kernel = f->kernel,
			.kernel_size = f->kernel_size,
			.cmdline = cfg->cmdline,
			.mem_bytes = cfg->memory,
			.nr_vcpus = cfg->vcpus,
		};

		if (cfg->nr_modules) {
			snprintf(err, errlen,
				 "kernel: a Linux bzImage takes an <initrd>, not multiboot modules");
			return -EINVAL;
		}
		if (cfg->initrd) {
			lr.initrd = f->mods[0].data;
			lr.initrd_size = f->mods[0].size;
		}
		return qhv_build_linux(&lr, plan, err, errlen);
	} else {
		struct qhv_build_request req = {
			.kernel = f->kernel,
			.kernel_size = f->kernel_size,
			.cmdline = cfg->cmdline,
			.modules = f->mods,
			.nr_modules = f->nr,
			.mem_bytes = cfg->memory,
			.proto = QHV_BUILD_AUTO,
		};

		return qhv_build_multiboot(&req, plan, err, errlen);
	}
}

/*
 * Build and start a domain from a loaded configuration: read its files,
 * plan it, create it, write the plan, (pause it,) start it.  Nothing is
 * left behind on failure.  Also used by the monitor to restart a domain.
 */
int create_domain(struct qhv_handle *h, const char *file,
		  const struct qhv_domain_config *cfg, bool paused,
		  uint32_t *out_id, char *err, size_t errlen)
{
	struct qhv_build_plan plan;
	struct qhv_domctl_create cr;
	struct files f;
	uint32_t id = 0;
	bool created = false;
	int rc;

	memset(&f, 0, sizeof(f));
	memset(&plan, 0, sizeof(plan));
	rc = load_files(cfg, &f, err, errlen);
	if (rc)
		goto out;
	rc = plan_domain(cfg, &f, &plan, err, errlen);
	if (rc)
		goto out;
	memset(&cr, 0, sizeof(cr));
	snprintf(cr.name, sizeof(cr.name), "%s", cfg->name);
	memcpy(cr.uuid, cfg->uuid, sizeof(cr.uuid));
	cr.mem_bytes = cfg->memory;
	cr.nr_vcpus = cfg->vcpus;
	cr.cpu_affinity = cfg->cpu_mask;
	rc = qhv_domain_create(h, &cr, &id);
	if (rc) {
		snprintf(err, errlen, "domain '%s': %s", cfg->name,
			 lib_detail(h, "create"));
		goto out;
	}
	created = true;
	rc = qhv_build_apply(h, id, &plan, err, errlen);
	if (rc)
		goto out;
	if (paused && (rc = qhv_domain_pause(h, id))) {
		snprintf(err, errlen, "%s", lib_detail(h, "pause"));
		goto out;
	}
	rc = qhv_domain_start(h, id);
	if (rc) {
		snprintf(err, errlen, "%s", lib_detail(h, "start"));
		goto out;
	}
	created = false;	/* it is the caller's now */
	*out_id = id;
	(void)file;
out:
	if (created)
		qhv_domain_destroy(h, id);	/* the error is already said */
	qhv_build_plan_free(&plan);
	files_free(&f);
	return rc ? rc : 0;
}

static int run_create(const char *file, bool paused, bool console,
		      bool no_monitor)
{
	struct qhv_domain_config *cfg = NULL;
	struct qhv_config_error cerr;
	struct qhv_handle *h = NULL;
	char err[512] = "";
	uint32_t id = 0;
	int rc = EXIT_OP;

	if (qhv_config_load_file(file, &cfg, &cerr))
		return fail("create %s", cerr.msg);
	h = open_handle("create");
	if (!h)
		goto out;
	if (create_domain(h, file, cfg, paused, &id, err, sizeof(err))) {
		fail("create %s: %s", file, err);
		goto out;
	}
	printf("created domain %s (id %u)%s\n", cfg->name, id,
	       paused ? ", paused" : "");
	if (fflush(stdout)) {
		/* The domain runs; still say that the output failed. */
		rc = fail("create %s: writing the output: %s", file,
			  strerror(errno));
		goto out;
	}
	rc = 0;
	/* The monitor carries out on_poweroff/on_reboot/on_crash; without
	 * one (--no-monitor, or the fake device that has no events), an
	 * attached console still destroys as configured. */
	if (!no_monitor && !qhv_is_fake(h) &&
	    monitor_spawn(file, cfg, id, err, sizeof(err)))
		rc = fail("create %s: domain %s runs without a monitor: %s",
			  file, cfg->name, err);
	if (console) {
		bool mon = !no_monitor && !qhv_is_fake(h);
		struct console_end_policy p = {
			.destroy_on_shutdown = !mon &&
				cfg->on_poweroff == QHV_ACTION_DESTROY,
			.destroy_on_reboot = !mon &&
				cfg->on_reboot == QHV_ACTION_DESTROY,
			.destroy_on_crash = !mon &&
				cfg->on_crash == QHV_ACTION_DESTROY,
		};

		rc = console_attach(h, id, cfg->name, &p);
	}
out:
	qhv_close(h);
	qhv_config_free(cfg);
	return rc;
}

int cmd_create(int argc, char **argv)
{
	bool paused = false, console = false, no_monitor = false;
	const struct cli_opt opts[] = {
		{ "--paused", &paused },
		{ "--console", &console },
		{ "--no-monitor", &no_monitor },
		{ NULL, NULL },
	};
	char *file = NULL;
	int rc = parse_args("create", argc, argv, opts, &file, 1);

	if (rc)
		return rc == ARGS_HELP ? 0 : rc;
	return run_create(file, paused, console, no_monitor);
}
