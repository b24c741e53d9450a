/* SPDX-License-Identifier: MIT */
/*
 * The guest CPU model: which CPUID bits a domain sees and how the MSRs
 * the hv virtualises behave.  Pure functions of the host's answers and a
 * few facts about the vCPU, shared by every vendor backend and tested on
 * the host (tests/unit/test_cpu_policy.c).  The rule: a feature is shown
 * only if it works in the guest — every MSR and CR bit it implies is
 * either passed through or virtualised — and hidden otherwise.
 * docs/cpu-model.md describes the result.
 */
#ifndef QHV_ARCH_CPU_POLICY_H
#define QHV_ARCH_CPU_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86.h"	/* struct cpuid_regs */

/**
 * struct cpuid_ctx - what the CPUID policy needs to know of a vCPU.
 * @vcpu_id: the vCPU's index (initial APIC id).
 * @has_lapic: the domain has a virtual local APIC (with TSC deadline).
 * @has_x2apic: its virtual APIC offers x2APIC mode.
 * @osxsave: the guest's CR4.OSXSAVE.
 * @xcr0_all: the XSAVE components the hv switches for guests.
 * @invpcid: INVPCID works in the guest (VMX enables it).
 * @rdtscp: RDTSCP works in the guest.
 * @host_max_leaf: the host's highest basic leaf (CPUID.0:EAX).
 * @tsc_khz: the guest's TSC frequency (the hv's calibration), 0 if
 *   unknown: leaf 0x15 then says nothing.
 */
struct cpuid_ctx {
	uint32_t vcpu_id;
	bool has_lapic, has_x2apic, osxsave, invpcid, rdtscp;
	uint64_t xcr0_all;
	uint32_t host_max_leaf;
	uint64_t tsc_khz;
};

/* The TSC leaf (0x15) and the frequency leaf (0x16); the highest basic
 * leaf a guest is offered is at least the latter. */
#define CPUID_TSC_LEAF 0x15u
#define CPUID_FREQ_LEAF 0x16u
#define CPUID_MIN_MAX_LEAF CPUID_FREQ_LEAF

/**
 * cpuid_policy() - filter the host's answer for @leaf/@sub into the guest's.
 * @c: the vCPU's facts.
 * @leaf: EAX at CPUID (not a qhv leaf 0x400000xx: those are the caller's).
 * @sub: ECX at CPUID.
 * @r: in: the host's registers; out: the guest's.
 */
void cpuid_policy(const struct cpuid_ctx *c, uint32_t leaf, uint32_t sub,
		  struct cpuid_regs *r);

/* IA32_MISC_ENABLE as a guest first reads it: fast strings on, BTS and
 * PEBS unavailable (bits 11, 12: there is no debug store). */
#define MISC_ENABLE_INIT ((1ull << 0) | (1ull << 11) | (1ull << 12))
/* Bits a guest may change: fast strings, automatic thermal control,
 * enhanced SpeedStep, xTPR message disable (none has an effect here). */
#define MISC_ENABLE_WRITABLE ((1ull << 0) | (1ull << 3) | (1ull << 16) | \
			      (1ull << 23))

/**
 * misc_enable_write_ok() - may a WRMSR change IA32_MISC_ENABLE @old to @val?
 *
 * Return: true when @val differs from @old only in MISC_ENABLE_WRITABLE
 * (a real CPU accepts those and raises #GP for the read-only ones).
 */
static inline bool misc_enable_write_ok(uint64_t old, uint64_t val)
{
	return !((old ^ val) & ~MISC_ENABLE_WRITABLE);
}

/**
 * exception_is_fault() - does the CPU deliver @vector as a fault?
 *
 * Faults push RFLAGS with RF set (SDM 17.3.1.1), so an injected fault must
 * carry RF in the guest's RFLAGS; traps (#DB as injected by us, #BP, #OF)
 * and aborts (#DF, #MC) do not.
 */
static inline bool exception_is_fault(unsigned vector)
{
	return vector < 32 && vector != 1 && vector != 3 && vector != 4 &&
	       vector != 8 && vector != 18;
}

#endif
