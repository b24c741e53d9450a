/* SPDX-License-Identifier: MIT */
/**
 * DOC: command-line parsing
 *
 * The hv's own command line and the strings GRUB attaches to modules are
 * lists of tokens separated by spaces (or tabs).  A token is either
 * ``key=value`` or a bare ``key``.  There is no quoting: GRUB has already
 * removed quotes and joined its arguments with single spaces.  When a key
 * occurs more than once, the last occurrence wins (as on Linux).
 */
#ifndef QHV_CORE_CMDLINE_H
#define QHV_CORE_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * cmdline_get() - look up the value of @key.
 * @cmdline: NUL-terminated command line; NULL is treated as empty.
 * @key: key to look for, without '='.
 * @buf: receives the NUL-terminated value; a bare ``key`` gives "".
 * @len: size of @buf in bytes.
 *
 * Return: true if @key is present and its value (plus NUL) fits in @buf;
 * false otherwise, in which case @buf is unchanged.
 */
bool cmdline_get(const char *cmdline, const char *key, char *buf, size_t len);

/**
 * cmdline_get_u64() - look up @key and parse its value as an integer.
 * @cmdline: NUL-terminated command line; NULL is treated as empty.
 * @key: key to look for, without '='.
 * @out: receives the value; unchanged on error.
 *
 * The value is decimal, or hexadecimal with a 0x/0X prefix.  No size
 * suffixes (K/M/G) are accepted: they are rejected as malformed.
 *
 * Return: 0; -QHV_ENOENT if @key is absent; -QHV_EINVAL (with a pr_err)
 * if the value is empty, malformed or does not fit in 64 bits.
 */
int cmdline_get_u64(const char *cmdline, const char *key, uint64_t *out);

/**
 * struct dom_spec - what a boot module's string asks of the hv.
 * @name: domain name (dom=), "" if none.
 * @mem_mib: guest RAM in MiB (mem=), default 16.
 * @cpus: number of vCPUs (cpus=), default 1.
 * @modfor: name of the domain this module belongs to (modfor=), "" if none.
 * @guest_cmdline: every other token, in order, joined by single spaces.
 * @is_domain: the module is a domain's kernel (dom= given).
 * @is_modfor: the module is an extra module of domain @modfor.
 */
struct dom_spec {
	char name[32];
	uint64_t mem_mib;
	uint32_t cpus;
	char modfor[32];
	char guest_cmdline[512];
	bool is_domain;
	bool is_modfor;
	bool restart_on_reboot;	/* on_reboot=restart (default: destroy) */
};

/**
 * dom_spec_parse() - split a module string into hv and guest parts.
 * @modstr: the module's string, e.g.
 *          "/boot/guest.elf dom=web mem=64 cpus=1 console=ttyS0";
 *          NULL is treated as empty.
 * @out: receives the result; its contents are unspecified on error.
 *
 * Tokens ``dom=``, ``mem=``, ``cpus=``, ``modfor=`` and ``on_reboot=``
 * (``destroy`` or ``restart``) belong to the hv;
 * all other tokens, in order and joined by single spaces, form the
 * guest's command line (the file path GRUB may put first included).
 * Names are 1-31 characters of [A-Za-z0-9_.-]; mem= is 1..65536 MiB;
 * cpus= is 1..64; numbers as for cmdline_get_u64().  dom= and modfor=
 * exclude each other, and mem=/cpus=/on_reboot= are only valid with dom=.
 * Each key may appear once.  A module with neither dom= nor modfor=
 * is "unmarked": 0 with both flags false.
 *
 * Return: 0; -QHV_EINVAL for any invalid hv token (one pr_err naming the
 * module and the problem); -QHV_E2BIG if the guest command line does not
 * fit in @out->guest_cmdline.
 */
int dom_spec_parse(const char *modstr, struct dom_spec *out);

#endif /* QHV_CORE_CMDLINE_H */
