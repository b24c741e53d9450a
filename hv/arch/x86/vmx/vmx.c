/* SPDX-License-Identifier: MIT */
/*
 * VMX backend: capability checks, VMX operation per CPU, VMCS set-up per
 * vCPU, the run loop and vCPU switching.
 */
#include <qhv/hypercall.h>
#include "arch/vpc.h"
#include "vmx.h"
#include "arch/cpu_policy.h"
#include "arch/x86.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/domain.h"
#include "core/sched.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "arch/apic.h"
#include "arch/setup.h"

struct vmx_caps vmx;

static uint64_t msr_bitmap_pa, io_bitmap_pa, io_bitmap_dom0_pa;
/* VPIDs in use (bit i: VPID i).  0 is the hv's own and never handed
 * out.  vpid_lock protects: vpid_used, vpid_cursor. */
#define VPID_COUNT 4096
static uint64_t vpid_used[VPID_COUNT / 64] = { 1 };
static unsigned vpid_cursor = 1;
static spinlock_t vpid_lock = SPINLOCK_INIT;

static int vpid_alloc(uint16_t *out)
{
	unsigned n;
	int rc = -QHV_ENOSPC;

	spin_lock(&vpid_lock);
	for (n = 0; n < VPID_COUNT; n++) {
		unsigned id = vpid_cursor;

		vpid_cursor = vpid_cursor + 1 == VPID_COUNT ? 1 : vpid_cursor + 1;
		if (!((vpid_used[id / 64] >> (id % 64)) & 1)) {
			vpid_used[id / 64] |= 1ull << (id % 64);
			*out = (uint16_t)id;
			rc = 0;
			break;
		}
	}
	spin_unlock(&vpid_lock);
	return rc;
}

static void vpid_free(uint16_t id)
{
	spin_lock(&vpid_lock);
	if (id)
		vpid_used[id / 64] &= ~(1ull << (id % 64));
	spin_unlock(&vpid_lock);
}

/* Time slice in TSC ticks (Bochs' TSC runs at its ips rate). */
#define SLICE_TSC 2000000ull

extern void vmx_exit_entry(void);
extern int vmx_enter(struct guest_regs *regs, int launched);

static bool adjust(uint32_t cap_msr, uint32_t want, uint32_t optional,
		   uint32_t *out, const char **missing, const char *what)
{
	uint64_t cap = rdmsr(cap_msr);
	uint32_t allowed0 = (uint32_t)cap, allowed1 = (uint32_t)(cap >> 32);
	uint32_t v = ((want | optional) & allowed1) | allowed0;

	if ((v & want) != want) {
		*missing = what;
		return false;
	}
	*out = v;
	return true;
}

/* Check CPUID before ever touching CR4.VMXE: QEMU TCG hangs otherwise. */
int arch_virt_check(void)
{
	const char *missing = 0;
	struct cpuid_regs r;
	uint64_t basic, fc;
	bool true_ctls;

	cpuid_count(1, 0, &r);
	if (!(r.ecx & (1u << 5))) {
		missing = "VMX";
		goto fail;
	}
	vmx.xsave = r.ecx & (1u << 26);
	if (vmx.xsave) {
		struct cpuid_regs x;

		/* x87, SSE, AVX, MPX, AVX-512, PKRU; not AMX tiles (8 KiB). */
		cpuid_count(0xd, 0, &x);
		vmx.xcr0_all = (((uint64_t)x.edx << 32) | x.eax) & 0x2ffull;
		if (x.ecx > PAGE_SIZE) {
			pr_warn("qhv: XSAVE area of %u bytes: keeping x87/SSE/AVX only\n",
				x.ecx);
			vmx.xcr0_all &= 7;
		}
	}
	fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if ((fc & 1) && !(fc & 4)) {
		missing = "VMX enabled in IA32_FEATURE_CONTROL";
		goto fail;
	}
	basic = rdmsr(MSR_IA32_VMX_BASIC);
	vmx.revision = (uint32_t)basic & 0x7fffffff;
	true_ctls = basic & (1ull << 55);
	if (!adjust(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
				MSR_IA32_VMX_PINBASED_CTLS,
		    PIN_EXT_INT | PIN_NMI | PIN_PREEMPT_TIMER, PIN_VIRTUAL_NMI,
		    &vmx.pin, &missing, "preemption timer"))
		goto fail;
	if (!adjust(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
				MSR_IA32_VMX_PROCBASED_CTLS,
		    PROC_HLT | PROC_IO_BITMAP | PROC_MSR_BITMAP |
			    PROC_SECONDARY | PROC_MWAIT | PROC_MONITOR |
			    PROC_RDPMC | PROC_TSC_OFFSET,
		    0, &vmx.proc, &missing, "secondary controls"))
		goto fail;
	/* NMI-window exiting (needs virtual NMIs): an NMI the guest blocks
	 * is delivered the moment it unblocks (IRET), not at the next exit.
	 * Only switched on while one waits (intr.c). */
	vmx.nmi_window = (vmx.pin & PIN_VIRTUAL_NMI) &&
			 ((rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
					     MSR_IA32_VMX_PROCBASED_CTLS) >> 32) &
			  PROC_NMI_WINDOW);
	/* CR3 exits are unnecessary with EPT. */
	vmx.proc &= ~(PROC_CR3_LOAD | PROC_CR3_STORE) |
		    (uint32_t)rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
						MSR_IA32_VMX_PROCBASED_CTLS);
	if (!adjust(MSR_IA32_VMX_PROCBASED_CTLS2,
		    PROC2_EPT | PROC2_VPID | PROC2_UNRESTRICTED,
		    PROC2_RDTSCP | PROC2_INVPCID, &vmx.proc2, &missing,
		    "EPT, VPID and unrestricted guest"))
		goto fail;
	if (!adjust(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
				MSR_IA32_VMX_EXIT_CTLS,
		    EXIT_HOST_64 | EXIT_ACK_INT | EXIT_SAVE_EFER |
			    EXIT_LOAD_EFER | EXIT_SAVE_PAT | EXIT_LOAD_PAT,
		    0, &vmx.exit, &missing, "EFER/PAT exit controls"))
		goto fail;
	if (!adjust(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
				MSR_IA32_VMX_ENTRY_CTLS,
		    ENTRY_LOAD_EFER | ENTRY_LOAD_PAT, 0, &vmx.entry, &missing,
		    "EFER/PAT entry controls"))
		goto fail;
	vmx.ept_cap = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	/* 4-level walk, write-back tables, INVEPT, INVVPID. */
	if (!(vmx.ept_cap & (1ull << 6)) || !(vmx.ept_cap & (1ull << 14)) ||
	    !(vmx.ept_cap & (1ull << 20)) || !(vmx.ept_cap & (1ull << 32))) {
		missing = "4-level write-back EPT with INVEPT/INVVPID";
		goto fail;
	}
	vmx.ept_2m = vmx.ept_cap & (1ull << 16);
	vmx.preempt_shift = rdmsr(MSR_IA32_VMX_MISC) & 31;
	vmx.cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	vmx.cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	vmx.cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	vmx.cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	pr_info("qhv: vmx: rev %u, pin %x proc %x proc2 %x exit %x entry %x, ept 2M %s\n",
		vmx.revision, vmx.pin, vmx.proc, vmx.proc2, vmx.exit, vmx.entry,
		vmx.ept_2m ? "yes" : "no");
	return 0;
fail:
	pr_err("qhv: CPU lacks VT-x with EPT and unrestricted guest (missing: %s)\n",
	       missing);
	return -QHV_ENOSYS;
}

static void msr_passthrough(uint8_t *bm, uint32_t msr)
{
	uint32_t base = msr >= 0xc0000000 ? 1024 : 0;
	uint32_t bit = msr & 0x1fff;

	bm[base + bit / 8] &= (uint8_t)~(1u << (bit % 8));		/* read */
	bm[2048 + base + bit / 8] &= (uint8_t)~(1u << (bit % 8));	/* write */
}

static int bitmaps_init(void)
{
	static const uint32_t passthrough[] = {
		MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_STAR,
		MSR_LSTAR, MSR_CSTAR, MSR_SFMASK, MSR_TSC_AUX,
		MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP,
		MSR_IA32_SYSENTER_EIP, MSR_IA32_PAT,
	};
	unsigned i;

	if (mm_alloc_pages(1, PAGE_SIZE, &msr_bitmap_pa) ||
	    mm_alloc_pages(2, PAGE_SIZE, &io_bitmap_pa) ||
	    mm_alloc_pages(2, PAGE_SIZE, &io_bitmap_dom0_pa))
		return -QHV_ENOMEM;
	/* Every port and MSR exits unless listed: the hv decides, not the
	 * guest.  The pass-through MSRs are either switched by VMX itself or
	 * swapped by vcpu_save_prev() and vcpu_restore_next(). */
	memset(phys_to_virt(msr_bitmap_pa), 0xff, PAGE_SIZE);
	memset(phys_to_virt(io_bitmap_pa), 0xff, 2 * PAGE_SIZE);
	for (i = 0; i < sizeof(passthrough) / sizeof(passthrough[0]); i++)
		msr_passthrough(phys_to_virt(msr_bitmap_pa), passthrough[i]);
	/* dom0 drives the platform's ports itself (zeroed = pass-through);
	 * vmx_trap_dom0_port() marks the few the hv must see. */
	return 0;
}

void vmx_trap_dom0_port(uint16_t port)
{
	uint8_t *bm = phys_to_virt(io_bitmap_dom0_pa);

	bm[port / 8] |= (uint8_t)(1u << (port % 8));
}

static int vmxon(uint64_t pa)
{
	uint8_t fail;

	__asm__ volatile("vmxon %1; setna %0"
			 : "=qm"(fail)
			 : "m"(pa)
			 : "cc", "memory");
	return fail ? -QHV_EBUSY : 0;
}

int arch_virt_cpu_init(void)
{
	struct percpu *pc = this_cpu();
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	uint64_t cr4;

	if (pc->id == 0 && bitmaps_init())
		return -QHV_ENOMEM;
	if (!(fc & 1))
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc | 1 | 4);
	if (mm_alloc_pages(1, PAGE_SIZE, &pc->arch.vmxon_pa))
		return -QHV_ENOMEM;
	*(uint32_t *)phys_to_virt(pc->arch.vmxon_pa) = vmx.revision;
	write_cr0((read_cr0() | vmx.cr0_fixed0) & vmx.cr0_fixed1);
	cr4 = read_cr4() | CR4_VMXE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	if (vmx.xsave)
		cr4 |= CR4_OSXSAVE;
	write_cr4((cr4 | vmx.cr4_fixed0) & vmx.cr4_fixed1);
	if (vmxon(pc->arch.vmxon_pa)) {
		pr_err("qhv: cpu%u: VMXON failed\n", pc->id);
		return -QHV_EBUSY;
	}
	pr_info("qhv: cpu%u: vmx on\n", pc->id);
	return 0;
}

uint64_t vmx_cr0_real(uint64_t cr0)
{
	/* Unrestricted guest lets PE and PG be clear. */
	return (cr0 | (vmx.cr0_fixed0 & ~(uint64_t)(CR0_PE | CR0_PG))) &
	       vmx.cr0_fixed1;
}

uint64_t vmx_cr4_real(uint64_t cr4)
{
	return (cr4 | vmx.cr4_fixed0) & vmx.cr4_fixed1;
}

static void vmclear(uint64_t pa)
{
	__asm__ volatile("vmclear %0" ::"m"(pa) : "cc", "memory");
}

static void vmptrld(uint64_t pa)
{
	uint8_t fail;

	__asm__ volatile("vmptrld %1; setna %0"
			 : "=qm"(fail)
			 : "m"(pa)
			 : "cc", "memory");
	if (fail)
		panic("vmptrld failed");
}

void ept_invalidate(uint64_t root_pa)
{
	struct {
		uint64_t eptp, rsvd;
	} desc = { root_pa | EPT_MT_WB >> 3 | (3 << 3), 0 };
	/* Single-context if supported, else all contexts. */
	uint64_t type = (vmx.ept_cap & (1ull << 25)) ? 1 : 2;

	__asm__ volatile("invept %0, %1" ::"m"(desc), "r"(type) : "cc", "memory");
}

int arch_domain_init(struct domain *d)
{
	vpc_domain_init(d);
	return ept_init(&d->arch.ept_root_pa);
}

/* The domain's RAM is scrubbed before it goes back to the pool, so no
 * later owner (or a bug that maps a free frame) sees its data. */
static void free_owned_leaf(uint64_t hpa, uint64_t size, uint64_t flags)
{
	if (flags & EPT_OWNED) {
		memset(phys_to_virt(hpa), 0, size);
		mm_free_pages(hpa, size / PAGE_SIZE);
	}
}

void arch_domain_destroy(struct domain *d)
{
	if (!d->arch.ept_root_pa)
		return;
	ept_invalidate(d->arch.ept_root_pa);
	ept_destroy(d->arch.ept_root_pa, free_owned_leaf);
	d->arch.ept_root_pa = 0;
}

int arch_map_ram(struct domain *d, uint64_t gpa, uint64_t hpa, uint64_t len)
{
	return ept_map_range(d->arch.ept_root_pa, gpa, hpa, len,
			     EPT_RWX | EPT_OWNED, vmx.ept_2m);
}

int arch_map_identity(struct domain *d, uint64_t base, uint64_t len,
		      bool mmio)
{
	/* MMIO is uncached whatever the guest's PAT says (IPAT). */
	return ept_map_range(d->arch.ept_root_pa, base, base, len,
			     EPT_RWX | (mmio ? EPT_UC : 0), vmx.ept_2m);
}

int arch_gpa_to_hpa(struct domain *d, uint64_t gpa, uint64_t *hpa,
		    uint64_t *contig)
{
	return ept_lookup(d->arch.ept_root_pa, gpa, hpa, 0, contig);
}

int arch_vcpu_init(struct vcpu *v)
{
	struct arch_vcpu *a = &v->arch;
	uint8_t *fpu;

	if (vpid_alloc(&a->vpid))
		return -QHV_ENOSPC;
	if (mm_alloc_pages(1, PAGE_SIZE, &a->vmcs_pa)) {
		vpid_free(a->vpid);
		a->vpid = 0;
		return -QHV_ENOMEM;
	}
	if (mm_alloc_pages(1, PAGE_SIZE, &a->fpu_pa)) {
		mm_free_pages(a->vmcs_pa, 1);
		vpid_free(a->vpid);
		a->vmcs_pa = 0;
		a->vpid = 0;
		return -QHV_ENOMEM;
	}
	*(uint32_t *)phys_to_virt(a->vmcs_pa) = vmx.revision;
	/* FXSAVE image in its reset state: FCW 0x37f, MXCSR 0x1f80; an
	 * all-zero XSAVE header means "init state" for XRSTOR. */
	fpu = phys_to_virt(a->fpu_pa);
	fpu[0] = 0x7f;
	fpu[1] = 0x03;
	fpu[24] = 0x80;
	fpu[25] = 0x1f;
	a->xcr0 = 1;
	a->misc_enable = MISC_ENABLE_INIT;
	a->tsc_adjust = 0;
	a->extint_vector = -1;
	a->sipi_vector = -1;
	a->launched = false;
	return 0;
}

void arch_vcpu_destroy(struct vcpu *v)
{
	struct percpu *pc = this_cpu();

	if (!v->arch.vmcs_pa)
		return;
	/* Called on the vCPU's own CPU: the VMCS may be cached there, and
	 * the TLB may hold translations tagged with the domain's EPTP, which
	 * a later domain could reuse. */
	if (v->arch.vmcs_ready)
		ept_invalidate(v->dom->arch.ept_root_pa);
	vmclear(v->arch.vmcs_pa);
	if (pc->current == v)
		pc->current = 0;
	mm_free_pages(v->arch.vmcs_pa, 1);
	mm_free_pages(v->arch.fpu_pa, 1);
	/* VMCLEAR and INVEPT above dropped what the VPID tagged here. */
	vpid_free(v->arch.vpid);
	v->arch.vmcs_pa = 0;
	v->arch.fpu_pa = 0;
	v->arch.vpid = 0;
}

static void set_seg(enum vmcs_field sel, uint16_t s, uint64_t base,
		    uint32_t limit, uint32_t ar)
{
	/* Selector, limit, AR and base fields sit at fixed offsets from the
	 * selector encoding within each group. */
	unsigned i = (sel - GUEST_ES_SEL) / 2;

	vmwrite(sel, s);
	vmwrite((enum vmcs_field)(GUEST_ES_LIMIT + 2 * i), limit);
	vmwrite((enum vmcs_field)(GUEST_ES_AR + 2 * i), ar);
	vmwrite((enum vmcs_field)(GUEST_ES_BASE + 2 * i), base);
}

static void vmcs_host_state(void)
{
	struct percpu *pc = this_cpu();
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr;

	__asm__ volatile("sidt %0" : "=m"(idtr));
	vmwrite(HOST_CR0, read_cr0());
	vmwrite(HOST_CR3, read_cr3());
	vmwrite(HOST_CR4, read_cr4());
	vmwrite(HOST_CS_SEL, GDT_CODE);
	vmwrite(HOST_SS_SEL, GDT_DATA);
	vmwrite(HOST_DS_SEL, GDT_DATA);
	vmwrite(HOST_ES_SEL, GDT_DATA);
	vmwrite(HOST_FS_SEL, 0);
	vmwrite(HOST_GS_SEL, 0);
	vmwrite(HOST_TR_SEL, GDT_TSS);
	vmwrite(HOST_FS_BASE, 0);
	vmwrite(HOST_GS_BASE, (uint64_t)pc);
	vmwrite(HOST_TR_BASE, (uint64_t)&pc->arch.tss);
	vmwrite(HOST_GDTR_BASE, (uint64_t)pc->arch.gdt);
	vmwrite(HOST_IDTR_BASE, idtr.base);
	vmwrite(HOST_SYSENTER_CS, 0);
	vmwrite(HOST_SYSENTER_ESP, 0);
	vmwrite(HOST_SYSENTER_EIP, 0);
	vmwrite(HOST_EFER, rdmsr(MSR_EFER));
	vmwrite(HOST_PAT, rdmsr(MSR_IA32_PAT));
	vmwrite(HOST_RIP, (uint64_t)vmx_exit_entry);
}

static void vmcs_controls(struct vcpu *v)
{
	vmwrite(PIN_CTLS, vmx.pin);
	vmwrite(PROC_CTLS, vmx.proc);
	vmwrite(PROC_CTLS2, vmx.proc2);
	vmwrite(EXIT_CTLS, vmx.exit);
	vmwrite(ENTRY_CTLS, vmx.entry);
	vmwrite(EXCEPTION_BITMAP, 0);
	vmwrite(PF_ERR_MASK, 0);
	vmwrite(PF_ERR_MATCH, 0);
	vmwrite(CR3_TARGET_COUNT, 0);
	vmwrite(EXIT_MSR_STORE_COUNT, 0);
	vmwrite(EXIT_MSR_LOAD_COUNT, 0);
	vmwrite(ENTRY_MSR_LOAD_COUNT, 0);
	vmwrite(ENTRY_INTR_INFO, 0);
	{
		uint64_t io = v->dom->arch.privileged ? io_bitmap_dom0_pa :
							 io_bitmap_pa;

		vmwrite(IO_BITMAP_A, io);
		vmwrite(IO_BITMAP_B, io + PAGE_SIZE);
	}
	vmwrite(MSR_BITMAP, msr_bitmap_pa);
	vmwrite(TSC_OFFSET, 0);
	vmwrite(VPID, v->arch.vpid);
	vmwrite(EPT_POINTER, v->dom->arch.ept_root_pa | EPT_MT_WB >> 3 | (3 << 3));
	/* The guest owns every CR0/CR4 bit except those VMX forces: NE and
	 * VMXE (hidden from the guest through the read shadows), PG (so that
	 * long-mode activation is emulated exactly) and SMXE. */
	vmwrite(CR0_MASK, CR0_NE | CR0_PG);
	vmwrite(CR4_MASK, CR4_VMXE | CR4_SMXE);
	vmwrite(VMCS_LINK_PTR, ~0ull);
}

/* Multiboot machine state: 32-bit flat protected mode, paging off. */
void arch_vcpu_set_mb_state(struct vcpu *v, uint32_t entry, uint32_t eax,
			    uint32_t ebx)
{
	memset(&v->arch.regs, 0, sizeof(v->arch.regs));
	v->arch.regs.rax = eax;
	v->arch.regs.rbx = ebx;
	v->arch.boot_rip = entry;
}

void arch_vcpu_set_linux_state(struct vcpu *v, uint64_t entry, uint64_t rsi,
			       uint64_t cr3, uint64_t gdt)
{
	memset(&v->arch.regs, 0, sizeof(v->arch.regs));
	v->arch.regs.rsi = rsi;
	v->arch.boot_rip = entry;
	v->arch.boot_cr3 = cr3;
	v->arch.boot_gdt = gdt;
	v->arch.boot_linux = true;
}

void arch_vcpu_enable_vlapic(struct vcpu *v, uint32_t apic_id)
{
	v->arch.has_vlapic = true;
	vlapic_reset(&v->arch.lapic, apic_id);
}

void arch_vcpu_set_wait_sipi(struct vcpu *v)
{
	v->arch.sipi_vector = -1;
	v->arch.wait_sipi = true;
}

bool arch_vcpu_blocked(const struct vcpu *v)
{
	/* An INIT to apply is work, also for a halted vCPU (run_loop). */
	if (__atomic_load_n(&v->arch.init_pending, __ATOMIC_ACQUIRE))
		return false;
	return __atomic_load_n(&v->arch.wait_sipi, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&v->arch.halted, __ATOMIC_ACQUIRE);
}

bool arch_vcpu_wants_cpu(const struct vcpu *v)
{
	uint64_t next;

	if (!__atomic_load_n(&v->arch.halted, __ATOMIC_ACQUIRE) ||
	    __atomic_load_n(&v->arch.init_pending, __ATOMIC_ACQUIRE) ||
	    vmx_interrupt_pending(v))
		return true;
	if (!v->arch.has_vlapic)
		return false;
	next = vlapic_next_event(&v->arch.lapic);
	return next && next <= rdtsc();
}

void arch_vcpu_set_context(struct vcpu *v, const struct qhv_vcpu_context *c)
{
	struct guest_regs *g = &v->arch.regs;

	v->arch.ctx = *c;
	v->arch.has_ctx = true;
	g->rax = c->rax;
	g->rbx = c->rbx;
	g->rcx = c->rcx;
	g->rdx = c->rdx;
	g->rsi = c->rsi;
	g->rdi = c->rdi;
	g->rbp = c->rbp;
	g->r8 = c->r8;
	g->r9 = c->r9;
	g->r10 = c->r10;
	g->r11 = c->r11;
	g->r12 = c->r12;
	g->r13 = c->r13;
	g->r14 = c->r14;
	g->r15 = c->r15;
	/* An AP given its own state starts there, not at a SIPI. */
	v->arch.wait_sipi = false;
}

void arch_kick_cpu(unsigned pcpu)
{
	apic_send_ipi(percpu_area[pcpu].apic_id, KICK_VECTOR);
}

void arch_cpu_idle(void)
{
	/* STI's shadow covers HLT: a kick that arrives in between still
	 * wakes us. */
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

/*
 * The three ways a vCPU starts: multiboot (32-bit flat protected mode,
 * paging off), the Linux 64-bit boot protocol (long mode with the
 * loader's page tables and __BOOT_CS/__BOOT_DS), and an AP after INIT-SIPI
 * (real mode at vector << 12).  Each is one row of this table's shape.
 */
struct start_state {
	uint16_t cs_sel, ds_sel;
	uint64_t cs_base;
	uint32_t limit, cs_ar, ds_ar;
	uint64_t gdt_base;
	uint32_t gdt_limit, idt_limit;
	uint64_t cr0, cr4, cr3, efer, rip;
};

static void vmcs_guest_state(const struct start_state *st)
{
	static const enum vmcs_field data_segs[] = {
		GUEST_DS_SEL, GUEST_ES_SEL, GUEST_SS_SEL, GUEST_FS_SEL,
		GUEST_GS_SEL,
	};
	unsigned i;

	set_seg(GUEST_CS_SEL, st->cs_sel, st->cs_base, st->limit, st->cs_ar);
	for (i = 0; i < sizeof(data_segs) / sizeof(data_segs[0]); i++)
		set_seg(data_segs[i], st->ds_sel, 0, st->limit, st->ds_ar);
	set_seg(GUEST_LDTR_SEL, 0, 0, 0, 0x10000);	/* unusable */
	set_seg(GUEST_TR_SEL, 0, 0, 0xffff, 0x8b);	/* busy TSS */
	vmwrite(GUEST_GDTR_BASE, st->gdt_base);
	vmwrite(GUEST_GDTR_LIMIT, st->gdt_limit);
	vmwrite(GUEST_IDTR_BASE, 0);
	vmwrite(GUEST_IDTR_LIMIT, st->idt_limit);
	vmwrite(CR0_SHADOW, st->cr0);
	vmwrite(GUEST_CR0, vmx_cr0_real(st->cr0));
	vmwrite(CR4_SHADOW, st->cr4);
	vmwrite(GUEST_CR4, vmx_cr4_real(st->cr4));
	vmwrite(GUEST_CR3, st->cr3);
	vmwrite(GUEST_EFER, st->efer);
	/* Also a restart after INIT: leave a previous 64-bit mode. */
	vmwrite(ENTRY_CTLS, (st->efer & EFER_LMA) ? vmx.entry | ENTRY_IA32E :
						   vmx.entry);
	vmwrite(GUEST_RIP, st->rip);
	vmwrite(GUEST_DR7, 0x400);
	vmwrite(GUEST_RSP, 0);
	vmwrite(GUEST_RFLAGS, 0x2);
	vmwrite(GUEST_PENDING_DBG, 0);
	vmwrite(GUEST_INTERRUPTIBILITY, 0);
	vmwrite(GUEST_ACTIVITY, 0);
	vmwrite(GUEST_SYSENTER_CS, 0);
	vmwrite(GUEST_SYSENTER_ESP, 0);
	vmwrite(GUEST_SYSENTER_EIP, 0);
	vmwrite(GUEST_DEBUGCTL, 0);
	vmwrite(GUEST_PAT, 0x0007040600070406ull);
}

/* The management ABI's protocol-neutral start state (validated by
 * core/domctl.c). */
static void ctx_start_state(const struct qhv_vcpu_context *c,
			    struct start_state *st)
{
	switch (c->mode) {
	case QHV_VCPU_MODE_REAL:
		*st = (struct start_state){
			.cs_sel = c->cs_sel, .cs_base = (uint64_t)c->cs_sel << 4,
			.ds_sel = c->ds_sel,
			.limit = 0xffff, .cs_ar = 0x9b, .ds_ar = 0x93,
			.gdt_limit = 0xffff, .idt_limit = 0xffff,
			.cr0 = CR0_ET, .rip = c->rip,
		};
		break;
	case QHV_VCPU_MODE_LONG64:
		*st = (struct start_state){
			.cs_sel = c->cs_sel, .ds_sel = c->ds_sel,
			.limit = 0xffffffff, .cs_ar = 0xa09b, .ds_ar = 0xc093,
			.gdt_base = c->gdt_base, .gdt_limit = c->gdt_limit,
			.cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_WP | CR0_PG,
			.cr4 = CR4_PAE, .cr3 = c->cr3,
			.efer = EFER_LME | EFER_LMA, .rip = c->rip,
		};
		break;
	default:	/* QHV_VCPU_MODE_FLAT32 */
		*st = (struct start_state){
			.cs_sel = c->cs_sel, .ds_sel = c->ds_sel,
			.limit = 0xffffffff, .cs_ar = 0xc09b, .ds_ar = 0xc093,
			.gdt_base = c->gdt_base, .gdt_limit = c->gdt_limit,
			.cr0 = CR0_PE | CR0_ET, .rip = c->rip,
		};
		break;
	}
}

static void vmcs_guest_start(struct vcpu *v)
{
	struct start_state st;

	if (v->arch.has_ctx && v->arch.sipi_vector < 0) {
		ctx_start_state(&v->arch.ctx, &st);
		vmcs_guest_state(&st);
		vmwrite(GUEST_RSP, v->arch.ctx.rsp);
		vmwrite(GUEST_RFLAGS, v->arch.ctx.rflags | 0x2);
		return;
	}
	if (v->arch.boot_linux) {
		st = (struct start_state){
			.cs_sel = 0x10, .ds_sel = 0x18, .limit = 0xffffffff,
			.cs_ar = 0xa09b, .ds_ar = 0xc093,
			.gdt_base = v->arch.boot_gdt, .gdt_limit = 0x1f,
			.cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_WP | CR0_PG,
			.cr4 = CR4_PAE, .cr3 = v->arch.boot_cr3,
			.efer = EFER_LME | EFER_LMA, .rip = v->arch.boot_rip,
		};
	} else if (v->arch.sipi_vector >= 0) {
		uint64_t base = (uint64_t)v->arch.sipi_vector << 12;

		st = (struct start_state){
			.cs_sel = (uint16_t)(base >> 4), .cs_base = base,
			.limit = 0xffff, .cs_ar = 0x9b, .ds_ar = 0x93,
			.gdt_limit = 0xffff, .idt_limit = 0xffff,
			.cr0 = CR0_ET,
		};
	} else {
		st = (struct start_state){
			.cs_sel = 0x08, .ds_sel = 0x10, .limit = 0xffffffff,
			.cs_ar = 0xc09b, .ds_ar = 0xc093,
			.cr0 = CR0_PE | CR0_ET, .rip = v->arch.boot_rip,
		};
	}
	vmcs_guest_state(&st);
}

/* XSAVE covers only the components enabled in XCR0, but a guest may use
 * SSE (and more) with XCR0 = x87: save and restore with every component
 * the hv can hold in one page enabled, then give the guest its own XCR0. */
static void fpu_save(struct vcpu *v)
{
	void *area = phys_to_virt(v->arch.fpu_pa);

	if (vmx.xsave) {
		xsetbv(0, vmx.xcr0_all);
		__asm__ volatile("xsave64 (%0)" ::"r"(area), "a"(~0u), "d"(~0u)
				 : "memory");
	} else {
		__asm__ volatile("fxsave64 (%0)" ::"r"(area) : "memory");
	}
}

static void fpu_restore(struct vcpu *v)
{
	void *area = phys_to_virt(v->arch.fpu_pa);

	if (vmx.xsave) {
		xsetbv(0, vmx.xcr0_all);
		__asm__ volatile("xrstor64 (%0)" ::"r"(area), "a"(~0u), "d"(~0u)
				 : "memory");
		xsetbv(0, v->arch.xcr0);
	} else {
		__asm__ volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
	}
}

/* Registers VMX does not switch: kept in hardware for the current vCPU,
 * saved and restored only when another vCPU takes this CPU. */
static void vcpu_save_prev(struct percpu *pc)
{
	struct vcpu *prev = pc->current;
	struct arch_vcpu *a;

	if (!prev)
		return;
	a = &prev->arch;
	a->cr2 = read_cr2();
	a->msr_star = rdmsr(MSR_STAR);
	a->msr_lstar = rdmsr(MSR_LSTAR);
	a->msr_cstar = rdmsr(MSR_CSTAR);
	a->msr_sfmask = rdmsr(MSR_SFMASK);
	a->msr_kgs = rdmsr(MSR_KERNEL_GS_BASE);
	a->msr_tsc_aux = rdmsr(MSR_TSC_AUX);
	fpu_save(prev);
}

static void vcpu_restore_next(struct percpu *pc, struct vcpu *next)
{
	write_cr2(next->arch.cr2);
	wrmsr(MSR_STAR, next->arch.msr_star);
	wrmsr(MSR_LSTAR, next->arch.msr_lstar);
	wrmsr(MSR_CSTAR, next->arch.msr_cstar);
	wrmsr(MSR_SFMASK, next->arch.msr_sfmask);
	wrmsr(MSR_KERNEL_GS_BASE, next->arch.msr_kgs);
	wrmsr(MSR_TSC_AUX, next->arch.msr_tsc_aux);
	fpu_restore(next);
	pc->current = next;
}

static void vmcs_first_load(struct vcpu *v)
{
	vmclear(v->arch.vmcs_pa);
	vmptrld(v->arch.vmcs_pa);
	vmcs_host_state();
	vmcs_controls(v);
	vmcs_guest_start(v);
	v->arch.vmcs_ready = true;
}

/*
 * An INIT another vCPU sent (vlapic_access.c set init_pending and made it
 * wait for a SIPI): the architectural INIT state, applied here on the
 * vCPU's own CPU with its VMCS loaded.  Registers, the local APIC (but its
 * id and mode), pending events and XCR0 are reset; MSRs and the x87/SSE
 * state are kept, as INIT keeps them (SDM 9.1 table 9-1).  The SIPI that
 * ends the wait gives the start address (sipi_start).
 */
static void vcpu_take_init(struct vcpu *v)
{
	struct arch_vcpu *a = &v->arch;
	unsigned phys;

	if (!__atomic_exchange_n(&a->init_pending, false, __ATOMIC_ACQ_REL))
		return;
	memset(&a->regs, 0, sizeof(a->regs));
	phys = vlapic_init_signal(&a->lapic);
	while (phys--)
		apic_eoi();	/* dom0's vectors in service at the LAPIC */
	a->nmi_pending = false;
	a->extint_vector = -1;
	a->has_ctx = false;
	a->boot_linux = false;
	a->cr2 = 0;
	a->xcr0 = 1;
	if (vmx.xsave)
		xsetbv(0, 1);	/* the guest's XCR0 is loaded while it is current */
	__atomic_store_n(&a->halted, false, __ATOMIC_RELEASE);
	__atomic_store_n(&a->down, false, __ATOMIC_RELEASE);
	vmwrite(ENTRY_INTR_INFO, 0);
	vmx_intr_windows_off();
	a->sipi_start = true;
}

/* Apply an INIT, then start at the SIPI's vector when it has come (the
 * first start is vmcs_first_load's).  False: the vCPU waits for its SIPI. */
static bool vcpu_init_sipi(struct vcpu *v)
{
	vcpu_take_init(v);
	if (!vcpu_runnable(v))
		return false;
	if (v->arch.sipi_start && v->arch.sipi_vector >= 0) {
		/* MSRs in the VMCS that INIT keeps (the start state writes
		 * their reset values). */
		uint64_t pat = vmread(GUEST_PAT);
		uint64_t cs = vmread(GUEST_SYSENTER_CS);
		uint64_t esp = vmread(GUEST_SYSENTER_ESP);
		uint64_t eip = vmread(GUEST_SYSENTER_EIP);

		v->arch.sipi_start = false;
		vmcs_guest_start(v);
		vmwrite(GUEST_PAT, pat);
		vmwrite(GUEST_SYSENTER_CS, cs);
		vmwrite(GUEST_SYSENTER_ESP, esp);
		vmwrite(GUEST_SYSENTER_EIP, eip);
	}
	return true;
}

static void report_entry_failure(struct vcpu *v, int rc)
{
	if (rc == 2)
		domain_crash(v->dom, "VM entry failed: VM-instruction error %lu rip=0x%lx",
			     vmread(VM_INSN_ERROR), vmread(GUEST_RIP));
	else
		domain_crash(v->dom, "VM entry failed: no current VMCS");
}

/* Shorten @budget so the preemption timer fires at @t's next virtual
 * APIC timer event. */
static uint64_t timer_budget(const struct vcpu *t, uint64_t now,
			     uint64_t budget)
{
	uint64_t next;

	if (!t->arch.has_vlapic || t->stopped)
		return budget;
	next = vlapic_next_event(&t->arch.lapic);
	if (!next)
		return budget;
	if (next <= now)
		return 0;
	return next - now < budget ? next - now : budget;
}

static void run_loop(struct vcpu *v, struct percpu *pc);

void arch_vcpu_run(struct vcpu *v)
{
	struct percpu *pc = this_cpu();
	uint64_t t0;

	/* Seen by domain_pause() on other CPUs; set before the last check
	 * of the pause count in the loop. */
	__atomic_store_n(&v->on_cpu, true, __ATOMIC_SEQ_CST);
	t0 = rdtsc();
	run_loop(v, pc);
	__atomic_add_fetch(&v->time_tsc, rdtsc() - t0, __ATOMIC_RELAXED);
	__atomic_store_n(&v->on_cpu, false, __ATOMIC_RELEASE);
}

static void run_loop(struct vcpu *v, struct percpu *pc)
{
	uint64_t start;

	if (pc->current != v) {
		vcpu_save_prev(pc);
		if (v->arch.vmcs_ready)
			vmptrld(v->arch.vmcs_pa);
		else
			vmcs_first_load(v);
		vcpu_restore_next(pc, v);
	}
	start = rdtsc();
	while (vcpu_runnable(v)) {
		uint64_t now = rdtsc(), used = now - start, budget;
		unsigned reason;
		int rc;

		if (used >= SLICE_TSC && sched_others_waiting())
			return;
		/* Halted with nothing due while another vCPU here has work:
		 * let it run rather than wait in HLT for the slice. */
		if (!arch_vcpu_wants_cpu(v) && sched_others_want_cpu(v))
			return;
		/* A vCPU on this CPU was stopped (its domain destroyed or
		 * ended): back to the scheduler, which frees it now. */
		if (sched_reap_pending())
			return;
		budget = used >= SLICE_TSC ? SLICE_TSC : SLICE_TSC - used;
		/* One load and one byte before every entry; rare work. */
		if ((__atomic_load_n(&v->arch.init_pending, __ATOMIC_ACQUIRE) ||
		     v->arch.sipi_start) && !vcpu_init_sipi(v))
			return;	/* now waiting for its SIPI */
		if (v->arch.has_vlapic)
			vmx_deliver_interrupts(v, now);
		/* Wake for this vCPU's virtual timer, and on a CPU shared with
		 * dom0 for dom0's too: its ticks must not wait for our slice. */
		budget = timer_budget(v, now, budget);
		if (pc->dom0_vcpu && pc->dom0_vcpu != v)
			budget = timer_budget(pc->dom0_vcpu, now, budget);
		vmwrite(PREEMPT_TIMER, budget >> vmx.preempt_shift);
		rc = vmx_enter(&v->arch.regs, v->arch.launched);
		if (rc) {
			report_entry_failure(v, rc);
			return;
		}
		v->arch.launched = true;
		if (v->arch.halted && vmread(GUEST_ACTIVITY) != ACTIVITY_HLT) {
			__atomic_store_n(&v->arch.halted, false, __ATOMIC_RELEASE);
			__atomic_store_n(&v->arch.down, false, __ATOMIC_RELEASE);
		}
		reason = (unsigned)vmread(EXIT_REASON);
		if (reason & (1u << 31)) {
			domain_crash(v->dom, "VM entry failed: %s (exit reason %u, qual 0x%lx) rip=0x%lx",
				     (reason & 0xffff) == EXIT_INVALID_GUEST_STATE ?
					     "invalid guest state" :
					     "MSR loading or machine check",
				     reason & 0xffff, vmread(EXIT_QUAL),
				     vmread(GUEST_RIP));
			return;
		}
		/* Entry consumed the injected event, if any. */
		vmwrite(ENTRY_INTR_INFO, 0);
		vmx_reinject_vectoring();
		reason &= 0xffff;
		if (reason < VMX_EXIT_REASONS)
			pc->arch.exits[reason]++;
		if (vmx_handle_exit(v, reason) == EXIT_RESCHED)
			return;
	}
}
