/* SPDX-License-Identifier: MIT */
/*
 * Virtual local APIC: registers, priorities, the timer (one-shot, periodic
 * and TSC-deadline), IPI decoding, and the x2APIC mode's MSR interface
 * with its state transitions.  Register semantics follow the Intel SDM
 * vol. 3 ch. 11 (10 in older editions); the timer counts TSC ticks divided
 * by TDCR.
 */
#include "arch/vlapic.h"
#include "lib/string.h"

#define APIC_ID 0x20
#define APIC_VER 0x30
#define APIC_TPR 0x80
#define APIC_APR 0x90
#define APIC_PPR 0xa0
#define APIC_EOI 0xb0
#define APIC_LDR 0xd0
#define APIC_DFR 0xe0
#define APIC_SVR 0xf0
#define APIC_ISR 0x100
#define APIC_TMR 0x180
#define APIC_IRR 0x200
#define APIC_ESR 0x280
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define APIC_LVT0 0x320
#define APIC_TMICT 0x380
#define APIC_TMCCT 0x390
#define APIC_TDCR 0x3e0
#define APIC_SELF_IPI 0x3f0	/* x2APIC only (MSR 0x83f) */

#define LVT_MASKED (1u << 16)
#define TIMER_MODE(l) (((l) >> 17) & 3)
#define TIMER_PERIODIC 1
#define TIMER_TSC_DEADLINE 2

static const uint32_t lvt_writable[LVT_COUNT] = {
	0x000710ff, /* timer: vector, mask, mode (bits 17-18) */
	0x000117ff, 0x000117ff, 0x0001f7ff, 0x0001f7ff, 0x000100ff,
};

/* ICR bits software may set: vector, delivery mode, destination mode,
 * level, trigger, shorthand.  Bit 12 (delivery status) is read-only in
 * xAPIC mode and reserved in x2APIC mode. */
#define ICR_WRITABLE 0x000ccfffu
#define ICR_DELIVERY_STATUS (1u << 12)

static bool test_bit(const uint32_t *v, unsigned n)
{
	return v[n / 32] & (1u << (n % 32));
}

/* Atomic: another CPU may post an IPI into this vCPU's IRR while its own
 * CPU delivers or acknowledges interrupts. */
static void set_bit(uint32_t *v, unsigned n)
{
	__atomic_fetch_or(&v[n / 32], 1u << (n % 32), __ATOMIC_SEQ_CST);
}

static void clear_bit(uint32_t *v, unsigned n)
{
	__atomic_fetch_and(&v[n / 32], ~(1u << (n % 32)), __ATOMIC_SEQ_CST);
}

static int highest(const uint32_t *v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		uint32_t w = __atomic_load_n(&v[i], __ATOMIC_RELAXED);

		if (w)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

/* Reset state (SDM 10.4.7.1), xAPIC mode: also what a re-enable after a
 * global disable gives. */
void vlapic_reset(struct vlapic *l, uint32_t id)
{
	unsigned i;

	memset(l, 0, sizeof(*l));
	l->id = id;
	l->dfr = 0xffffffff;
	l->svr = 0xff;
	for (i = 0; i < LVT_COUNT; i++)
		l->lvt[i] = LVT_MASKED;
	l->enabled = true;
}

unsigned vlapic_init_signal(struct vlapic *l)
{
	uint32_t id = l->id;
	bool enabled = l->enabled, x2apic = l->x2apic;
	unsigned i, phys = 0;

	for (i = 0; i < 256; i++)	/* no popcount: freestanding, no libgcc */
		phys += test_bit(l->isr, i) && test_bit(l->phys_eoi, i);
	vlapic_reset(l, id);
	l->enabled = enabled;
	l->x2apic = x2apic;
	return phys;
}

static uint32_t ppr(const struct vlapic *l)
{
	int isrv = highest(l->isr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

	return (l->tpr & 0xf0) >= isr_class ? l->tpr : isr_class;
}

/* Timer counts per TSC tick: TDCR divides by 2, 4, ... 128, or 1. */
static unsigned divide_shift(const struct vlapic *l)
{
	unsigned d = (l->tdcr & 3) | ((l->tdcr >> 1) & 4);

	return d == 7 ? 0 : d + 1;
}

static uint32_t current_count(const struct vlapic *l, uint64_t now)
{
	uint64_t elapsed, period;

	if (!l->tmict || TIMER_MODE(l->lvt[LVT_TIMER]) == TIMER_TSC_DEADLINE)
		return 0;
	elapsed = (now - l->timer_start) >> divide_shift(l);
	if (TIMER_MODE(l->lvt[LVT_TIMER]) == TIMER_PERIODIC) {
		period = l->tmict;
		return (uint32_t)(period - elapsed % period);
	}
	return elapsed >= l->tmict ? 0 : (uint32_t)(l->tmict - elapsed);
}

static void timer_arm(struct vlapic *l, uint64_t now)
{
	l->timer_start = now;
	l->deadline = l->tmict ? now + ((uint64_t)l->tmict << divide_shift(l)) :
				 0;
}

uint32_t vlapic_read(struct vlapic *l, uint32_t off, uint64_t now)
{
	switch (off) {
	case APIC_ID:
		return l->id << 24;
	case APIC_VER:
		return 0x00050014; /* version 0x14, 6 LVT entries */
	case APIC_TPR:
		return l->tpr;
	case APIC_APR:
		return 0;
	case APIC_PPR:
		return ppr(l);
	case APIC_LDR:
		return l->ldr;
	case APIC_DFR:
		return l->dfr;
	case APIC_SVR:
		return l->svr;
	case APIC_ESR:
		return l->esr;
	case APIC_ICR_LO:
		return l->icr_lo & ~(1u << 12); /* never busy */
	case APIC_ICR_HI:
		return l->icr_hi;
	case APIC_TMICT:
		return l->tmict;
	case APIC_TMCCT:
		return current_count(l, now);
	case APIC_TDCR:
		return l->tdcr;
	default:
		break;
	}
	if (off >= APIC_ISR && off < APIC_ISR + 0x80 && !(off & 0xf))
		return l->isr[(off - APIC_ISR) / 16];
	if (off >= APIC_TMR && off < APIC_TMR + 0x80 && !(off & 0xf))
		return l->tmr[(off - APIC_TMR) / 16];
	if (off >= APIC_IRR && off < APIC_IRR + 0x80 && !(off & 0xf))
		return l->irr[(off - APIC_IRR) / 16];
	if (off >= APIC_LVT0 && off < APIC_LVT0 + 0x60 && !(off & 0xf))
		return l->lvt[(off - APIC_LVT0) / 16];
	return 0;
}

static void eoi(struct vlapic *l, int *eoi_vector)
{
	int v = highest(l->isr);

	*eoi_vector = -1;
	if (v < 0)
		return;
	clear_bit(l->isr, (unsigned)v);
	if (test_bit(l->phys_eoi, (unsigned)v)) {
		clear_bit(l->phys_eoi, (unsigned)v);
		*eoi_vector = v;
	}
}

static void decode_icr(uint32_t lo, uint32_t dest, bool wide,
		       struct vlapic_ipi *ipi)
{
	ipi->vector = lo & 0xff;
	ipi->mode = (lo >> 8) & 7;
	ipi->logical = lo & (1u << 11);
	ipi->shorthand = (lo >> 18) & 3;
	ipi->dest = dest;
	ipi->wide = wide;
	ipi->level_deassert = ipi->mode == 5 && !(lo & (1u << 14));
}

bool vlapic_write(struct vlapic *l, uint32_t off, uint32_t val, uint64_t now,
		  struct vlapic_ipi *ipi, int *eoi_vector)
{
	*eoi_vector = -1;
	switch (off) {
	case APIC_ID:
		return false; /* read-only here: ids follow the physical CPUs */
	case APIC_TPR:
		l->tpr = val & 0xff;
		return false;
	case APIC_EOI:
		eoi(l, eoi_vector);
		return false;
	case APIC_LDR:
		l->ldr = val & 0xff000000u;
		return false;
	case APIC_DFR:
		l->dfr = val | 0x0fffffffu;
		return false;
	case APIC_SVR:
		l->svr = val & 0x13ff;
		if (!(val & 0x100)) { /* software disable masks every LVT */
			unsigned i;

			for (i = 0; i < LVT_COUNT; i++)
				l->lvt[i] |= LVT_MASKED;
		}
		return false;
	case APIC_ESR:
		l->esr = 0;
		return false;
	case APIC_ICR_HI:
		l->icr_hi = val & 0xff000000u;
		return false;
	case APIC_ICR_LO:
		l->icr_lo = val & ICR_WRITABLE;
		decode_icr(val, l->icr_hi >> 24, false, ipi);
		return true;
	case APIC_TMICT:
		l->tmict = val;
		if (TIMER_MODE(l->lvt[LVT_TIMER]) != TIMER_TSC_DEADLINE)
			timer_arm(l, now);
		return false;
	case APIC_TDCR:
		l->tdcr = val & 0xb;
		return false;
	default:
		break;
	}
	if (off >= APIC_LVT0 && off < APIC_LVT0 + 0x60 && !(off & 0xf)) {
		unsigned i = (off - APIC_LVT0) / 16;
		uint32_t old_mode = TIMER_MODE(l->lvt[LVT_TIMER]);

		l->lvt[i] = val & lvt_writable[i];
		if (!(l->svr & 0x100))
			l->lvt[i] |= LVT_MASKED;
		/* Switching timer modes disarms the timer (SDM 11.5.4.1). */
		if (i == LVT_TIMER && TIMER_MODE(l->lvt[i]) != old_mode) {
			l->tmict = 0;
			l->deadline = 0;
			l->tsc_deadline = 0;
		}
	}
	return false;
}

void vlapic_set_irq(struct vlapic *l, uint8_t vector, bool level,
		    bool phys_eoi)
{
	if (vector < 16) {
		l->esr |= 1u << 6; /* received illegal vector */
		return;
	}
	set_bit(l->irr, vector);
	__atomic_fetch_or(&l->irr_words, 1u << (vector / 32), __ATOMIC_SEQ_CST);
	if (level)
		set_bit(l->tmr, vector);
	else
		clear_bit(l->tmr, vector);
	if (phys_eoi)
		set_bit(l->phys_eoi, vector);
}

int vlapic_deliverable(const struct vlapic *l)
{
	int v;

	if (!__atomic_load_n(&l->irr_words, __ATOMIC_SEQ_CST))
		return -1;
	v = highest(l->irr);
	if (v < 0 || !(l->svr & 0x100) || !l->enabled)
		return -1;
	if (((uint32_t)v & 0xf0) <= (ppr(l) & 0xf0))
		return -1;
	return v;
}

void vlapic_ack(struct vlapic *l, uint8_t vector)
{
	unsigned w = vector / 32;

	clear_bit(l->irr, vector);
	set_bit(l->isr, vector);
	if (__atomic_load_n(&l->irr[w], __ATOMIC_SEQ_CST))
		return;
	__atomic_fetch_and(&l->irr_words, ~(1u << w), __ATOMIC_SEQ_CST);
	/* A vector posted by another CPU since the load: keep its word. */
	if (__atomic_load_n(&l->irr[w], __ATOMIC_SEQ_CST))
		__atomic_fetch_or(&l->irr_words, 1u << w, __ATOMIC_SEQ_CST);
}

void vlapic_timer_tick(struct vlapic *l, uint64_t now)
{
	uint32_t lvt = l->lvt[LVT_TIMER];

	if (!l->deadline || now < l->deadline)
		return;
	if (TIMER_MODE(lvt) == TIMER_PERIODIC && l->tmict) {
		uint64_t period = (uint64_t)l->tmict << divide_shift(l);

		/* Skip missed periods rather than raising a burst. */
		l->deadline += period * ((now - l->deadline) / period + 1);
	} else {
		l->deadline = 0;
		l->tsc_deadline = 0;
	}
	if (!(lvt & LVT_MASKED))
		vlapic_set_irq(l, lvt & 0xff, false, false);
}

uint64_t vlapic_next_event(const struct vlapic *l)
{
	return l->deadline;
}

void vlapic_write_tsc_deadline(struct vlapic *l, uint64_t tsc, uint64_t now)
{
	(void)now;
	/* Only meaningful in TSC-deadline mode; 0 disarms. */
	if (TIMER_MODE(l->lvt[LVT_TIMER]) != TIMER_TSC_DEADLINE)
		return;
	l->tsc_deadline = tsc;
	l->deadline = tsc;
}

bool vlapic_match(const struct vlapic *l, bool logical, uint32_t dest,
		  bool wide)
{
	uint8_t ldr = l->ldr >> 24;

	if (l->x2apic) {
		uint32_t x2ldr = x2apic_ldr(l->id);

		if (dest == (wide ? 0xffffffffu : 0xffu))
			return true;	/* broadcast */
		if (!logical)
			return dest == l->id;
		return (dest >> 16) == (x2ldr >> 16) && (dest & x2ldr & 0xffff);
	}
	/* An x2APIC-mode sender and an xAPIC-mode target (a guest mixing
	 * modes, which the SDM leaves undefined): its broadcast, or an id
	 * that fits 8 bits. */
	if (wide) {
		if (dest == 0xffffffffu)
			dest = 0xff;
		else if (dest > 0xff)
			return false;
	}
	if (!logical)
		return dest == 0xff || dest == l->id;
	if ((l->dfr >> 28) == 0xf) /* flat model */
		return dest & ldr;
	/* cluster model: high nibble cluster, low nibble members */
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);
}

uint64_t vlapic_base(const struct vlapic *l, bool bsp)
{
	return VLAPIC_BASE | (bsp ? APIC_BASE_BSP : 0) |
	       (l->enabled ? APIC_BASE_EN : 0) |
	       (l->x2apic ? APIC_BASE_EXTD : 0);
}

bool vlapic_set_base(struct vlapic *l, uint64_t val, bool x2apic_ok)
{
	bool en = val & APIC_BASE_EN, extd = val & APIC_BASE_EXTD;

	if ((val & ~(APIC_BASE_BSP | APIC_BASE_EXTD | APIC_BASE_EN)) !=
	    VLAPIC_BASE)
		return false;	/* the base does not move; reserved bits */
	if (extd && !x2apic_ok)
		return false;	/* EXTD is reserved without x2APIC */
	if (extd && !en)
		return false;	/* the invalid state */
	if (l->x2apic && en && !extd)
		return false;	/* x2APIC -> xAPIC only through disabled */
	if (!l->enabled && extd)
		return false;	/* disabled -> x2APIC only through xAPIC */
	if (en && !l->enabled)
		vlapic_reset(l, l->id);
	l->enabled = en;
	/* Entering x2APIC mode keeps every register; the LDR becomes the
	 * one derived from the id (x2apic_ldr). */
	l->x2apic = extd;
	return true;
}

/* x2APIC registers a RDMSR may read beyond those with their own case. */
static bool x2apic_readable(uint32_t off)
{
	switch (off) {
	case APIC_VER:
	case APIC_TPR:
	case APIC_PPR:
	case APIC_SVR:
	case APIC_ESR:
	case APIC_TMICT:
	case APIC_TMCCT:
	case APIC_TDCR:
		return true;
	default:
		break;
	}
	if (off >= APIC_ISR && off < APIC_IRR + 0x80)	/* ISR, TMR, IRR */
		return true;
	return off >= APIC_LVT0 && off < APIC_LVT0 + 0x60;
}

static bool x2apic_msr_off(const struct vlapic *l, uint32_t msr, uint32_t *off)
{
	if (!l->enabled || !l->x2apic || msr < X2APIC_MSR_FIRST ||
	    msr > X2APIC_MSR_LAST)
		return false;
	*off = (msr - X2APIC_MSR_FIRST) << 4;
	return true;
}

bool vlapic_msr_read(struct vlapic *l, uint32_t msr, uint64_t now,
		     uint64_t *val)
{
	uint32_t off;

	if (!x2apic_msr_off(l, msr, &off))
		return false;
	switch (off) {
	case APIC_ID:
		*val = l->id;
		return true;
	case APIC_LDR:
		*val = x2apic_ldr(l->id);
		return true;
	case APIC_ICR_LO:
		*val = ((uint64_t)l->icr_hi << 32) | l->icr_lo;
		return true;
	default:
		break;
	}
	if (!x2apic_readable(off))
		return false;	/* EOI, SELF IPI (write-only), no register */
	*val = vlapic_read(l, off, now);
	return true;
}

/* Bits a WRMSR may set in a writable x2APIC register (others: #GP);
 * 0 where the register cannot be written. */
static uint32_t x2apic_writable(uint32_t off)
{
	switch (off) {
	case APIC_TPR:
		return 0xff;
	case APIC_EOI:
	case APIC_ESR:
		return 0;	/* written as 0 only */
	case APIC_SVR:
		return 0x3ff;	/* no EOI-broadcast suppression (VER bit 24) */
	case APIC_TMICT:
		return 0xffffffffu;
	case APIC_TDCR:
		return 0xb;
	case APIC_SELF_IPI:
		return 0xff;
	default:
		break;
	}
	if (off >= APIC_LVT0 && off < APIC_LVT0 + 0x60 && !(off & 0xf))
		/* the read-only delivery-status bit as read back is accepted */
		return lvt_writable[(off - APIC_LVT0) / 16] | ICR_DELIVERY_STATUS;
	return 0;
}

static bool x2apic_write_ok(uint32_t off)
{
	return off == APIC_EOI || off == APIC_ESR || x2apic_writable(off);
}

int vlapic_msr_write(struct vlapic *l, uint32_t msr, uint64_t val,
		     uint64_t now, struct vlapic_ipi *ipi, int *eoi_vector)
{
	uint32_t off;

	*eoi_vector = -1;
	if (!x2apic_msr_off(l, msr, &off))
		return -1;
	if (off == APIC_ICR_LO) {	/* the one 64-bit register */
		if ((uint32_t)val & ~ICR_WRITABLE)
			return -1;
		l->icr_lo = (uint32_t)val;
		l->icr_hi = (uint32_t)(val >> 32);
		decode_icr((uint32_t)val, l->icr_hi, true, ipi);
		return 1;
	}
	if (!x2apic_write_ok(off) || (val & ~(uint64_t)x2apic_writable(off)))
		return -1;	/* read-only, absent, or reserved bits set */
	if (off == APIC_SELF_IPI) {
		/* A self-targeted edge-triggered fixed IPI (SDM 10.12.11). */
		decode_icr((uint32_t)val | (1u << 18), l->id, true, ipi);
		return 1;
	}
	vlapic_write(l, off, (uint32_t)val, now, ipi, eoi_vector);
	return 0;
}
