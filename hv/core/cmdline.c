// SPDX-License-Identifier: MIT
/*
 * Command-line parsing for the hv and for boot modules.  Strings come
 * from GRUB (i.e. from whoever wrote grub.cfg), so every length is
 * bounded and every number range-checked; tokens are never copied
 * anywhere without a size check.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <qhv/hypercall.h>

#include "core/cmdline.h"
#include "lib/printk.h"
#include "lib/string.h"

struct token {
	const char *s;
	size_t len;
};

static bool is_sep(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Advance *pos to the next token; false at the end of the string. */
static bool next_token(const char **pos, struct token *t)
{
	const char *p = *pos;

	while (*p && is_sep(*p))
		p++;
	if (!*p)
		return false;
	t->s = p;
	while (*p && !is_sep(*p))
		p++;
	t->len = (size_t)(p - t->s);
	*pos = p;
	return true;
}

/*
 * Does token @t carry @key (as "key" or "key=...")?  On a match *val is
 * the value ("" for a bare key).
 */
static bool token_key(const struct token *t, const char *key, size_t klen,
		      struct token *val)
{
	if (t->len < klen || strncmp(t->s, key, klen))
		return false;
	if (t->len == klen) {
		val->s = t->s + klen;
		val->len = 0;
		return true;
	}
	if (t->s[klen] != '=')
		return false;
	val->s = t->s + klen + 1;
	val->len = t->len - klen - 1;
	return true;
}

/* The value of the last occurrence of @key; false if absent. */
static bool find_value(const char *cmdline, const char *key, struct token *val)
{
	size_t klen = key ? strlen(key) : 0;
	const char *pos = cmdline;
	struct token t, v;
	bool found = false;

	if (!cmdline || !klen)
		return false;
	while (next_token(&pos, &t)) {
		if (token_key(&t, key, klen, &v)) {
			*val = v;
			found = true;
		}
	}
	return found;
}

/* Decimal or 0x-prefixed hex, the whole of @v, no overflow. */
static bool parse_u64(const struct token *v, uint64_t *out)
{
	const char *s = v->s;
	size_t n = v->len, i = 0;
	unsigned base = 10;
	uint64_t x = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == n)
		return false;
	for (; i < n; i++) {
		char c = s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		if (x > (UINT64_MAX - d) / base)
			return false;
		x = x * base + d;
	}
	*out = x;
	return true;
}

/*
 * Copy a token into @buf for an error message: printk has no "%.*s",
 * and an untrusted token may be any length, so long ones are cut short
 * with "...".
 */
static const char *shown(char *buf, size_t cap, const struct token *t)
{
	size_t n = t->len;

	if (n >= cap) {
		n = cap - 4;
		memcpy(buf, t->s, n);
		memcpy(buf + n, "...", 4);
		return buf;
	}
	memcpy(buf, t->s, n);
	buf[n] = '\0';
	return buf;
}

bool cmdline_get(const char *cmdline, const char *key, char *buf, size_t len)
{
	struct token v;

	if (!find_value(cmdline, key, &v) || v.len >= len)
		return false;
	memcpy(buf, v.s, v.len);
	buf[v.len] = '\0';
	return true;
}

int cmdline_get_u64(const char *cmdline, const char *key, uint64_t *out)
{
	struct token v;
	char show[48];

	if (!find_value(cmdline, key, &v))
		return -QHV_ENOENT;
	if (!parse_u64(&v, out)) {
		pr_err("qhv: cmdline: bad %s= value '%s' (want a decimal or 0x hex integer)\n",
		       key, shown(show, sizeof(show), &v));
		return -QHV_EINVAL;
	}
	return 0;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/* Store a dom=/modfor= name into @dst (32 bytes) if it is valid. */
static bool take_name(const struct token *v, char *dst)
{
	if (v->len == 0 || v->len > 31)
		return false;
	for (size_t i = 0; i < v->len; i++)
		if (!name_char(v->s[i]))
			return false;
	memcpy(dst, v->s, v->len);
	dst[v->len] = '\0';
	return true;
}

enum { K_DOM, K_MEM, K_CPUS, K_MODFOR, K_ON_REBOOT, K_NUM };
static const char *const hv_keys[K_NUM] = { "dom", "mem", "cpus", "modfor",
					    "on_reboot" };

int dom_spec_parse(const char *modstr, struct dom_spec *out)
{
	const char *pos = modstr ? modstr : "";
	bool seen[K_NUM] = { false };
	char mod[48], show[48];
	struct token t, v;
	size_t glen = 0;
	uint64_t x;

	memset(out, 0, sizeof(*out));
	out->mem_mib = 16;
	out->cpus = 1;

	/* The module's first token (normally its path) names it in errors. */
	if (next_token(&pos, &t))
		shown(mod, sizeof(mod), &t);
	else
		memcpy(mod, "(empty)", 8);
	pos = modstr ? modstr : "";

	while (next_token(&pos, &t)) {
		int k;

		/* Only "key=value" is ours; a bare "dom" is the guest's. */
		for (k = 0; k < K_NUM; k++) {
			size_t kl = strlen(hv_keys[k]);

			if (t.len > kl && t.s[kl] == '=' &&
			    token_key(&t, hv_keys[k], kl, &v))
				break;
		}
		if (k == K_NUM) {
			if (glen + (glen != 0) + t.len >= sizeof(out->guest_cmdline)) {
				pr_err("qhv: module '%s': guest command line longer than %u characters\n",
				       mod, (unsigned)sizeof(out->guest_cmdline) - 1);
				return -QHV_E2BIG;
			}
			if (glen)
				out->guest_cmdline[glen++] = ' ';
			memcpy(out->guest_cmdline + glen, t.s, t.len);
			glen += t.len;
			out->guest_cmdline[glen] = '\0';
			continue;
		}
		if (seen[k]) {
			pr_err("qhv: module '%s': %s= given twice\n", mod, hv_keys[k]);
			return -QHV_EINVAL;
		}
		seen[k] = true;
		switch (k) {
		case K_DOM:
		case K_MODFOR:
			if (!take_name(&v, k == K_DOM ? out->name : out->modfor)) {
				pr_err("qhv: module '%s': bad %s= name '%s' (want 1-31 of A-Z a-z 0-9 _ . -)\n",
				       mod, hv_keys[k], shown(show, sizeof(show), &v));
				return -QHV_EINVAL;
			}
			break;
		case K_MEM:
			if (!parse_u64(&v, &x) || x < 1 || x > 65536) {
				pr_err("qhv: module '%s': bad mem= value '%s' (want 1-65536 MiB)\n",
				       mod, shown(show, sizeof(show), &v));
				return -QHV_EINVAL;
			}
			out->mem_mib = x;
			break;
		case K_CPUS:
			if (!parse_u64(&v, &x) || x < 1 || x > 64) {
				pr_err("qhv: module '%s': bad cpus= value '%s' (want 1-64)\n",
				       mod, shown(show, sizeof(show), &v));
				return -QHV_EINVAL;
			}
			out->cpus = (uint32_t)x;
			break;
		case K_ON_REBOOT:
			if (v.len == 7 && !memcmp(v.s, "restart", 7)) {
				out->restart_on_reboot = true;
			} else if (v.len != 7 || memcmp(v.s, "destroy", 7)) {
				pr_err("qhv: module '%s': bad on_reboot= value '%s' (want destroy or restart)\n",
				       mod, shown(show, sizeof(show), &v));
				return -QHV_EINVAL;
			}
			break;
		}
	}

	if (seen[K_DOM] && seen[K_MODFOR]) {
		pr_err("qhv: module '%s': dom= and modfor= exclude each other\n", mod);
		return -QHV_EINVAL;
	}
	if (!seen[K_DOM] && (seen[K_MEM] || seen[K_CPUS] || seen[K_ON_REBOOT])) {
		pr_err("qhv: module '%s': %s= is only valid with dom=\n", mod,
		       seen[K_MEM] ? "mem" : seen[K_CPUS] ? "cpus" : "on_reboot");
		return -QHV_EINVAL;
	}
	out->is_domain = seen[K_DOM];
	out->is_modfor = seen[K_MODFOR];
	return 0;
}
