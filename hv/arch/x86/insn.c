/* SPDX-License-Identifier: MIT */
/* See arch/insn.h. */
#include "arch/insn.h"
#include "lib/string.h"

/* Decode the MOV/XCHG forms that can touch memory.  Returns false for
 * anything else (the domain is then crashed: we do not guess). */
bool insn_decode_mmio(const uint8_t *b, unsigned avail, bool long_mode,
		      struct mmio_insn *d)
{
	unsigned i = 0, rex = 0, mod, rm;
	bool opsize = false, addrsize = false;
	uint8_t op;

	memset(d, 0, sizeof(*d));
	for (; i < avail; i++) {
		uint8_t p = b[i];

		if (p == 0x66)
			opsize = true;
		else if (p == 0x67)
			addrsize = true;
		else if (p == 0xf0 || p == 0x2e || p == 0x36 ||
			 p == 0x3e || p == 0x26 || p == 0x64 || p == 0x65)
			continue;
		else
			break;
	}
	if (i < avail && long_mode && (b[i] & 0xf0) == 0x40)
		rex = b[i++];
	if (i + 2 > avail)
		return false;
	op = b[i++];
	d->size = (rex & 8) ? 8 : opsize ? 2 : 4;
	if (op >= 0xa0 && op <= 0xa3) {
		/* MOV to/from an absolute address (moffs): AL/eAX/rAX. */
		unsigned moffs = long_mode ? (addrsize ? 4 : 8) : (addrsize ? 2 : 4);

		d->write = op >= 0xa2;
		if (!(op & 1))
			d->size = 1;
		d->reg = 0;
		d->len = i + moffs;
		return d->len <= avail;
	}
	switch (op) {
	case 0x88: d->write = true; d->size = 1; break;
	case 0x89: d->write = true; break;
	case 0x8a: d->size = 1; break;
	case 0x8b: break;
	case 0x87: d->write = true; d->xchg = true; break;
	case 0xc6: d->write = true; d->has_imm = true; d->size = 1; break;
	case 0xc7: d->write = true; d->has_imm = true; break;
	default:
		return false;
	}
	mod = b[i] >> 6;
	d->reg = ((b[i] >> 3) & 7) | ((rex & 4) ? 8 : 0);
	rm = b[i] & 7;
	i++;
	if (mod == 3)
		return false;
	if (rm == 4) { /* SIB */
		if (i >= avail)
			return false;
		if (mod == 0 && (b[i] & 7) == 5)
			i += 4;
		i++;
	} else if (mod == 0 && rm == 5) {
		i += 4; /* disp32 or RIP-relative */
	}
	i += mod == 1 ? 1 : mod == 2 ? 4 : 0;
	if (d->has_imm) {
		unsigned isz = d->size == 1 ? 1 : d->size == 2 ? 2 : 4;
		unsigned k;

		if (i + isz > avail)
			return false;
		for (k = 0; k < isz; k++)
			d->imm |= (uint64_t)b[i + k] << (8 * k);
		i += isz;
	}
	if (i > avail)
		return false;
	d->len = i;
	return true;
}

