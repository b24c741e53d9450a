/* SPDX-License-Identifier: MIT */
/*
 * Decoding of the instructions a guest uses on emulated MMIO (the local
 * APIC page, memory holes): the MOV and XCHG forms compilers emit.  Pure
 * function on fetched bytes, so host unit tests check it directly.
 */
#ifndef QHV_ARCH_INSN_H
#define QHV_ARCH_INSN_H

#include <stdbool.h>
#include <stdint.h>

/**
 * struct mmio_insn - one decoded memory access.
 * @len: instruction length in bytes.
 * @size: operand size in bytes (1, 2, 4 or 8).
 * @write: the access stores to memory.
 * @has_imm: the stored value is @imm (MOV r/m, imm).
 * @xchg: XCHG: the register also receives the old memory value.
 * @reg: register operand (ModRM.reg with REX.R; 0 = rAX for moffs forms).
 * @imm: immediate value, if @has_imm.
 */
struct mmio_insn {
	unsigned len;
	unsigned size;		/* operand bytes */
	bool write;
	bool has_imm;
	bool xchg;
	unsigned reg;		/* ModRM.reg (with REX.R) */
	uint64_t imm;
};

/**
 * insn_decode_mmio() - decode a memory-operand MOV/XCHG.
 * @b: instruction bytes at the guest's RIP.
 * @avail: how many of them could be fetched (at most 15).
 * @long_mode: the guest runs 64-bit code (REX prefixes, 8-byte moffs).
 * @d: receives the decoded access.
 *
 * Handles legacy prefixes (operand size, address size, segment, LOCK),
 * REX, opcodes 88/89/8A/8B (MOV), 87 (XCHG), C6/C7 (MOV imm) with any
 * ModRM/SIB/displacement form, and A0-A3 (MOV with an absolute address).
 * Return: false for anything else, or when @avail is too short: the caller
 * must not guess.
 */
bool insn_decode_mmio(const uint8_t *b, unsigned avail, bool long_mode,
		      struct mmio_insn *d);

#endif
