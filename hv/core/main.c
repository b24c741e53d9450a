/* SPDX-License-Identifier: MIT */
/*
 * The hv's start-up order once the architecture layer has a console,
 * memory and firmware tables: check virtualisation support, bring up the
 * CPUs, build the boot domains, run.
 */
#include <qhv/hypercall.h>
#include "core/bootdom.h"
#include "core/dom0.h"
#include "core/cmdline.h"
#include "arch/dom0_io.h"
#include "arch/setup.h"
#include "core/domain.h"
#include "core/main.h"
#include "core/mm.h"
#include "core/panic.h"
#include "core/percpu.h"
#include "core/sched.h"
#include "core/system.h"
#include "arch/platform.h"
#include "arch/vcpu.h"
#include "lib/printk.h"

static unsigned boot_errors;
static bool no_reboot;
uint64_t frames_at_boot;

void hv_start(const struct boot_info *bi)
{
	unsigned ncpus, created;
	int dom0;

	{
		char v[4];

		no_reboot = cmdline_get(bi->cmdline, "noreboot", v, sizeof(v));
	}
	if (arch_virt_check())
		system_finish(1);
	if (arch_virt_cpu_init())
		panic("cannot enter VMX operation on the boot CPU");
	ncpus = arch_smp_boot();
	dom0_io_setup();
	frames_at_boot = frames_free_count(&hv_frames);
	pr_info("qhv: frames: free=%lu at boot\n", frames_at_boot);
	/* A dom0 that was asked for but cannot be had ends the run. */
	dom0 = dom0_error ? dom0_error : dom0_build(bi, ncpus);
	if (dom0 < 0) {
		pr_err("qhv: dom0 could not be started\n");
		system_finish(1);
	}
	created = bootdoms_create(bi, ncpus, &boot_errors) + (unsigned)dom0;
	if (boot_errors)
		pr_err("qhv: %u boot module(s) could not be started\n",
		       boot_errors);
	if (bi->refused_items)
		pr_err("qhv: %u item(s) of the boot information refused\n",
		       bi->refused_items);
	boot_errors += bi->refused_items;	/* the run's status says so */
	if (!created) {
		pr_err("qhv: no boot domain to run (give modules with dom=NAME)\n");
		system_finish(1);
	}
	sched_release_cpus();
	sched_run();
}

void system_finish(int status)
{
	if (boot_errors)
		status = 1;
	if (frames_at_boot) {
		arch_report_stats();
		pr_info("qhv: frames: free=%lu after domains\n",
			frames_free_count(&hv_frames));
	}
	printk(LOG_ALWAYS, "qhv: shutdown status=%d\n", status);
	arch_power_off();
}

void system_reset(void)
{
	/* noreboot (as in Xen): a reset request powers off instead, so a
	 * test run ends rather than booting again. */
	if (no_reboot) {
		pr_info("qhv: reset requested; noreboot: powering off\n");
		system_finish(1);
	}
	pr_info("qhv: resetting the machine\n");
	arch_reset();
}

void panic(const char *why)
{
	pr_err("qhv: PANIC on cpu%u: %s\n", this_cpu()->id, why);
	printk(LOG_ALWAYS, "qhv: shutdown status=2\n");
	arch_power_off();
}
