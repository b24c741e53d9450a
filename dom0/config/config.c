/* SPDX-License-Identifier: MIT */
/*
 * config.c - qhv domain configuration: libvirt domain XML <-> struct.
 *
 * Loading runs four passes over the document, each stopping at its
 * first problem with one message:
 *
 *   1. libxml2 parses it (no network, no DTD accepted);
 *   2. the structure is checked against the RelaxNG schema by walking
 *      the schema itself (rng_*() below), which says precisely what is
 *      wrong: "unknown element", "missing <kernel>", "more than one";
 *   3. libxml2's RelaxNG validator runs over it as a second opinion (it
 *      must agree; its own messages are too vague to lead with);
 *   4. every value is checked and converted (load_*()).
 */
#include "qhvconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>

#define RNG_NS "http://relaxng.org/ns/structure/1.0"
#define MAX_SHOWN 60

/* The schema, compiled in by embed-schema.py. */
extern const char qhv_config_schema_text[];

static xmlDocPtr schema_doc;	/* for the structural walk */
static xmlRelaxNGPtr schema_rng;	/* for libxml2's validator */
static char schema_problem[256];

/* ------------------------------------------------------------------ */
/* Messages */

struct load {
	const char *source;
	struct qhv_config_error *err;
};

/*
 * shown() - a user-supplied string fit for a one-line message: control
 * bytes escaped, cut at MAX_SHOWN bytes.
 */
static const char *shown_max(char *buf, size_t len, const char *s,
			     size_t max)
{
	size_t o = 0;

	for (; *s && o + 8 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (o >= max) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return buf;
}

static const char *shown(char *buf, size_t len, const char *s)
{
	return shown_max(buf, len, s, MAX_SHOWN);
}

/* shown() into a buffer that lives as long as the enclosing statement. */
#define SHOW(s) shown((char[96]){ 0 }, 96, (s))

/* A libxml2 message fit for our one line (it ends in a newline). */
static void lib_message(char *buf, size_t len, const char *msg)
{
	char tmp[200];
	size_t n;

	snprintf(tmp, sizeof(tmp), "%s", msg ? msg : "invalid");
	n = strlen(tmp);
	while (n && (tmp[n - 1] == '\n' || tmp[n - 1] == ' '))
		tmp[--n] = '\0';
	shown_max(buf, len, tmp, len);
}

static void node_label(const xmlNode *n, char *buf, size_t len)
{
	if (n->ns && n->ns->prefix)
		snprintf(buf, len, "%s:%s", (const char *)n->ns->prefix,
			 (const char *)n->name);
	else
		snprintf(buf, len, "%s", (const char *)n->name);
}

static void set_error(struct qhv_config_error *err, int line,
		      const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_error(struct qhv_config_error *err, int line,
		      const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/*
 * fail() - record "SOURCE:LINE: <NODE>: TEXT" (or "SOURCE: TEXT" without
 * a node) and return -1.
 */
static int fail(struct load *L, const xmlNode *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct load *L, const xmlNode *node, const char *fmt, ...)
{
	char text[400], label[80];
	va_list ap;
	long line;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (!node) {
		set_error(L->err, 0, "%s: %s", L->source, text);
		return -1;
	}
	node_label(node, label, sizeof(label));
	line = xmlGetLineNo(node);
	if (line < 0)
		line = 0;
	set_error(L->err, (int)line, "%s:%ld: <%s>: %s", L->source, line,
		  label, text);
	return -1;
}

/* ------------------------------------------------------------------ */
/* The schema */

static void rng_parse_error(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	if (!schema_problem[0] && e && e->message)
		snprintf(schema_problem, sizeof(schema_problem),
			 "line %d: %s", e->line, e->message);
}

int qhv_config_init(void)
{
	size_t len = strlen(qhv_config_schema_text);
	xmlRelaxNGParserCtxtPtr pctx;

	if (schema_rng)
		return 0;
	if (schema_problem[0])
		return -1;
	xmlInitParser();
	schema_doc = xmlReadMemory(qhv_config_schema_text, (int)len,
				   "qhv-domain.rng", NULL,
				   XML_PARSE_NONET | XML_PARSE_NOERROR |
				   XML_PARSE_NOWARNING);
	pctx = xmlRelaxNGNewMemParserCtxt(qhv_config_schema_text, (int)len);
	if (!schema_doc || !pctx) {
		snprintf(schema_problem, sizeof(schema_problem),
			 "cannot read the built-in schema");
		goto bad;
	}
	xmlRelaxNGSetParserStructuredErrors(pctx, rng_parse_error, NULL);
	schema_rng = xmlRelaxNGParse(pctx);
	xmlRelaxNGFreeParserCtxt(pctx);
	pctx = NULL;
	if (!schema_rng) {
		if (!schema_problem[0])
			snprintf(schema_problem, sizeof(schema_problem),
				 "the built-in schema does not compile");
		goto bad;
	}
	return 0;
bad:
	if (pctx)
		xmlRelaxNGFreeParserCtxt(pctx);
	xmlFreeDoc(schema_doc);
	schema_doc = NULL;
	return -1;
}

const char *qhv_config_schema(void)
{
	return qhv_config_schema_text;
}

/*
 * A schema element's permitted content, flattened: which child elements
 * and attributes may appear, whether each is required, whether it may
 * repeat, and whether text may appear.  This reads the subset of RelaxNG
 * that qhv-domain.rng uses (element/attribute with a name attribute,
 * optional, zeroOrMore, oneOrMore, choice, group, interleave, mixed,
 * ref/define, text, value, data, empty); members of a <choice> count as
 * optional, which is all the schema needs.
 */
#define RNG_MAX_ITEMS 32

struct rng_item {
	const xmlChar *name;
	const xmlChar *ns;
	const xmlNode *def;
	bool required;
	bool repeat;
	unsigned int count;
};

struct rng_content {
	struct rng_item elems[RNG_MAX_ITEMS];
	size_t nelems;
	struct rng_item attrs[RNG_MAX_ITEMS];
	size_t nattrs;
	bool text;
};

static bool is_rng(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns &&
	       xmlStrEqual(n->ns->href, BAD_CAST RNG_NS) &&
	       xmlStrEqual(n->name, BAD_CAST name);
}

/* The value of an attribute of a schema node, in place (not copied). */
static const xmlChar *rng_attr(const xmlNode *n, const char *name)
{
	const xmlAttr *a = xmlHasNsProp(n, BAD_CAST name, NULL);

	if (!a || !a->children || a->children->type != XML_TEXT_NODE)
		return NULL;
	return a->children->content;
}

/* An element pattern's namespace: "ns" is inherited in RelaxNG. */
static const xmlChar *rng_elem_ns(const xmlNode *n)
{
	for (; n && n->type == XML_ELEMENT_NODE; n = n->parent) {
		const xmlChar *ns = rng_attr(n, "ns");

		if (ns)
			return ns;
	}
	return BAD_CAST "";
}

static const xmlNode *rng_define(const xmlChar *name)
{
	const xmlNode *n;

	for (n = xmlDocGetRootElement(schema_doc)->children; n; n = n->next)
		if (is_rng(n, "define") &&
		    xmlStrEqual(rng_attr(n, "name"), name))
			return n;
	return NULL;
}

static void rng_add(struct rng_item *items, size_t *n, const xmlChar *name,
		    const xmlChar *ns, const xmlNode *def, bool req, bool rep)
{
	if (!name || *n >= RNG_MAX_ITEMS)
		return;
	items[*n] = (struct rng_item){ .name = name, .ns = ns, .def = def,
				       .required = req, .repeat = rep };
	(*n)++;
}

static void rng_collect(const xmlNode *parent, bool req, bool rep,
			struct rng_content *c, int depth)
{
	const xmlNode *p;

	if (!parent || depth > 16)
		return;
	for (p = parent->children; p; p = p->next) {
		if (p->type != XML_ELEMENT_NODE || !p->ns ||
		    !xmlStrEqual(p->ns->href, BAD_CAST RNG_NS))
			continue;	/* annotations */
		if (is_rng(p, "element")) {
			rng_add(c->elems, &c->nelems, rng_attr(p, "name"),
				rng_elem_ns(p), p, req, rep);
		} else if (is_rng(p, "attribute")) {
			const xmlChar *ns = rng_attr(p, "ns");

			rng_add(c->attrs, &c->nattrs, rng_attr(p, "name"),
				ns ? ns : BAD_CAST "", p, req, rep);
		} else if (is_rng(p, "optional") || is_rng(p, "choice")) {
			rng_collect(p, false, rep, c, depth + 1);
		} else if (is_rng(p, "zeroOrMore")) {
			rng_collect(p, false, true, c, depth + 1);
		} else if (is_rng(p, "oneOrMore")) {
			rng_collect(p, req, true, c, depth + 1);
		} else if (is_rng(p, "group") || is_rng(p, "interleave")) {
			rng_collect(p, req, rep, c, depth + 1);
		} else if (is_rng(p, "mixed")) {
			c->text = true;
			rng_collect(p, req, rep, c, depth + 1);
		} else if (is_rng(p, "ref")) {
			rng_collect(rng_define(rng_attr(p, "name")), req, rep, c,
				    depth + 1);
		} else if (is_rng(p, "text") || is_rng(p, "value") ||
			   is_rng(p, "data") || is_rng(p, "list")) {
			c->text = true;
		}
	}
}

static struct rng_item *rng_find(struct rng_item *items, size_t n,
				 const xmlChar *name, const xmlNs *ns)
{
	const xmlChar *href = ns ? ns->href : BAD_CAST "";
	size_t i;

	for (i = 0; i < n; i++)
		if (xmlStrEqual(items[i].name, name) &&
		    xmlStrEqual(items[i].ns, href))
			return &items[i];
	return NULL;
}

static void item_label(const struct rng_item *it, char *buf, size_t len)
{
	if (xmlStrEqual(it->ns, BAD_CAST QHV_CONFIG_NS))
		snprintf(buf, len, "%s:%s", QHV_CONFIG_NS_PREFIX,
			 (const char *)it->name);
	else
		snprintf(buf, len, "%s", (const char *)it->name);
}

static bool blank(const xmlChar *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

static int check_structure(struct load *L, const xmlNode *node,
			   const xmlNode *def)
{
	struct rng_content c;
	char label[80];
	const xmlAttr *a;
	const xmlNode *ch;
	size_t i;

	memset(&c, 0, sizeof(c));
	rng_collect(def, true, false, &c, 0);
	node_label(node, label, sizeof(label));

	for (a = node->properties; a; a = a->next) {
		struct rng_item *it = rng_find(c.attrs, c.nattrs, a->name,
					       a->ns);

		if (!it) {
			if (a->ns && a->ns->prefix)
				return fail(L, node, "unknown attribute '%s:%s'",
					    (const char *)a->ns->prefix,
					    (const char *)a->name);
			return fail(L, node, "unknown attribute '%s'",
				    (const char *)a->name);
		}
		it->count++;
	}
	for (i = 0; i < c.nattrs; i++)
		if (c.attrs[i].required && !c.attrs[i].count)
			return fail(L, node, "missing attribute '%s'",
				    (const char *)c.attrs[i].name);

	for (ch = node->children; ch; ch = ch->next) {
		struct rng_item *it;

		switch (ch->type) {
		case XML_ELEMENT_NODE:
			it = rng_find(c.elems, c.nelems, ch->name, ch->ns);
			if (!it)
				return fail(L, ch, "unknown element in <%s>",
					    label);
			if (it->count++ && !it->repeat)
				return fail(L, ch, "appears more than once "
					    "in <%s>", label);
			if (check_structure(L, ch, it->def))
				return -1;
			break;
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if (!c.text && !blank(ch->content))
				return fail(L, node, "unexpected text '%s'",
					    SHOW((const char *)ch->content));
			break;
		case XML_COMMENT_NODE:
		case XML_PI_NODE:
			break;
		default:
			return fail(L, node, "unexpected content");
		}
	}
	for (i = 0; i < c.nelems; i++)
		if (c.elems[i].required && !c.elems[i].count) {
			char want[80];

			item_label(&c.elems[i], want, sizeof(want));
			return fail(L, node, "missing <%s>", want);
		}
	return 0;
}

static int check_root(struct load *L, const xmlNode *root)
{
	struct rng_content c;
	const xmlNode *start;
	struct rng_item *it;

	memset(&c, 0, sizeof(c));
	for (start = xmlDocGetRootElement(schema_doc)->children; start;
	     start = start->next)
		if (is_rng(start, "start"))
			rng_collect(start, true, false, &c, 0);
	it = rng_find(c.elems, c.nelems, root->name, root->ns);
	if (!it)
		return fail(L, root, "not a domain description (want <domain>)");
	return check_structure(L, root, it->def);
}

struct rng_verdict {
	int line;
	char where[80];
	char msg[200];
};

static void rng_valid_error(void *ctx, xmlErrorPtr e)
{
	struct rng_verdict *v = ctx;

	if (v->msg[0] || !e)
		return;
	v->line = e->line;
	if (e->node && ((xmlNodePtr)e->node)->type == XML_ELEMENT_NODE)
		node_label(e->node, v->where, sizeof(v->where));
	lib_message(v->msg, sizeof(v->msg), e->message);
}

static int check_schema(struct load *L, xmlDocPtr doc)
{
	xmlRelaxNGValidCtxtPtr vctx = xmlRelaxNGNewValidCtxt(schema_rng);
	struct rng_verdict v;
	int rc;

	memset(&v, 0, sizeof(v));
	if (!vctx)
		return fail(L, NULL, "out of memory");
	xmlRelaxNGSetValidStructuredErrors(vctx, rng_valid_error, &v);
	rc = xmlRelaxNGValidateDoc(vctx, doc);
	xmlRelaxNGFreeValidCtxt(vctx);
	if (rc == 0)
		return 0;
	if (v.where[0])
		set_error(L->err, v.line, "%s:%d: <%s>: does not match the schema: %s",
			  L->source, v.line, v.where, v.msg);
	else
		set_error(L->err, v.line, "%s:%d: does not match the schema: %s",
			  L->source, v.line, v.msg[0] ? v.msg : "invalid");
	return -1;
}

/* ------------------------------------------------------------------ */
/* Values */

static const struct {
	const char *name;
	uint64_t scale;
} units[] = {
	{ "b", 1 },
	{ "bytes", 1 },
	{ "KB", 1000ull },
	{ "k", 1024ull },
	{ "KiB", 1024ull },
	{ "MB", 1000000ull },
	{ "M", 1ull << 20 },
	{ "MiB", 1ull << 20 },
	{ "GB", 1000000000ull },
	{ "G", 1ull << 30 },
	{ "GiB", 1ull << 30 },
	{ "TB", 1000000000000ull },
	{ "T", 1ull << 40 },
	{ "TiB", 1ull << 40 },
};

static const char *skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

/* Decimal digits with optional surrounding white space. */
static int parse_u64(const char *s, uint64_t *out, bool *overflow)
{
	uint64_t v = 0;
	bool any = false;

	*overflow = false;
	s = skip_space(s);
	for (; *s >= '0' && *s <= '9'; s++) {
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(*s - '0'), &v))
			*overflow = true;
		any = true;
	}
	if (!any || *skip_space(s))
		return -1;
	*out = v;
	return 0;
}

int qhv_config_parse_size(const char *value, const char *unit,
			  uint64_t *bytes, const char **why)
{
	uint64_t scale = 0, v;
	bool overflow;
	size_t i;

	if (!unit)
		unit = "KiB";
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(unit, units[i].name))
			scale = units[i].scale;
	if (!scale) {
		if (why)
			*why = "unknown unit";
		return -1;
	}
	if (parse_u64(value, &v, &overflow)) {
		if (why)
			*why = "not a whole number";
		return -1;
	}
	if (overflow || __builtin_mul_overflow(v, scale, bytes)) {
		if (why)
			*why = "too large";
		return -1;
	}
	return 0;
}

static void set_why(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || !whylen)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* One character of untrusted input for a message line: \xNN unless
 * printable (a newline would split the one-line error). */
static const char *char_shown(char *buf, size_t len, char c)
{
	unsigned char u = (unsigned char)c;

	if (u < 0x20 || u >= 0x7f)
		snprintf(buf, len, "\\x%02x", u);
	else
		snprintf(buf, len, "%c", c);
	return buf;
}

static int cpu_number(const char **sp, unsigned int *cpu, char *why,
		      size_t whylen)
{
	char cs[8];
	const char *s = *sp;
	unsigned long v = 0;

	if (*s < '0' || *s > '9') {
		if (*s)
			set_why(why, whylen, "expected a CPU number at '%s'",
				char_shown(cs, sizeof(cs), *s));
		else
			set_why(why, whylen, "expected a CPU number at the end");
		return -1;
	}
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (unsigned long)(*s++ - '0');
		if (v > 1000)
			v = 1000;	/* out of range either way */
	}
	if (v > 63) {
		set_why(why, whylen, "CPU %s%lu is out of range (0-63)",
			v >= 1000 ? ">" : "", v >= 1000 ? 999 : v);
		return -1;
	}
	*cpu = (unsigned int)v;
	*sp = s;
	return 0;
}

int qhv_config_parse_cpuset(const char *s, uint64_t *mask, char *why,
			    size_t whylen)
{
	uint64_t set = 0, clear = 0;
	bool positive = false;

	s = skip_space(s);
	if (!*s) {
		set_why(why, whylen, "empty");
		return -1;
	}
	for (;;) {
		bool neg = false;
		unsigned int lo, hi;
		uint64_t bits;

		s = skip_space(s);
		if (*s == '^') {
			neg = true;
			s++;
		}
		if (cpu_number(&s, &lo, why, whylen))
			return -1;
		hi = lo;
		if (*s == '-') {
			s++;
			if (cpu_number(&s, &hi, why, whylen))
				return -1;
			if (hi < lo) {
				set_why(why, whylen, "range %u-%u is backwards",
					lo, hi);
				return -1;
			}
		}
		bits = (hi == 63 ? ~0ull : (1ull << (hi + 1)) - 1) &
		       ~((1ull << lo) - 1);
		if (neg) {
			clear |= bits;
		} else {
			set |= bits;
			positive = true;
		}
		s = skip_space(s);
		if (!*s)
			break;
		if (*s != ',') {
			char cs[8];

			set_why(why, whylen, "expected ',' at '%s'",
				char_shown(cs, sizeof(cs), *s));
			return -1;
		}
		s++;
	}
	if (!positive)
		set = ~0ull;
	set &= ~clear;
	if (!set) {
		set_why(why, whylen, "leaves no CPU");
		return -1;
	}
	*mask = set;
	return 0;
}

void qhv_config_format_cpuset(uint64_t mask, char *out, size_t outlen)
{
	size_t o = 0;
	unsigned int i = 0;

	if (!outlen)
		return;
	out[0] = '\0';
	while (i < 64) {
		unsigned int j;

		if (!(mask >> i & 1)) {
			i++;
			continue;
		}
		for (j = i; j + 1 < 64 && (mask >> (j + 1) & 1); j++)
			;
		if (o < outlen)
			o += (size_t)snprintf(out + o, outlen - o,
					      j > i ? "%s%u-%u" : "%s%u",
					      o ? "," : "", i, j);
		i = j + 1;
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int qhv_config_parse_uuid(const char *s, uint8_t uuid[16])
{
	uint8_t u[16];
	size_t i, b = 0;

	for (i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		int hi, lo;

		if (dash) {
			if (s[i] != '-')
				return -1;
			continue;
		}
		hi = hexval(s[i]);
		lo = hi < 0 ? -1 : hexval(s[i + 1]);
		if (lo < 0)
			return -1;
		u[b++] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	if (s[36])
		return -1;
	memcpy(uuid, u, 16);
	return 0;
}

void qhv_config_format_uuid(const uint8_t uuid[16], char out[37])
{
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5],
		 uuid[6], uuid[7], uuid[8], uuid[9], uuid[10], uuid[11],
		 uuid[12], uuid[13], uuid[14], uuid[15]);
}

int qhv_config_generate_uuid(uint8_t uuid[16])
{
	size_t got = 0;

	while (got < 16) {
		ssize_t n = getrandom(uuid + got, 16 - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)n;
	}
	uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40);	/* version 4 */
	uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
	return 0;
}

static bool uuid_is_zero(const uint8_t uuid[16])
{
	size_t i;

	for (i = 0; i < 16; i++)
		if (uuid[i])
			return false;
	return true;
}

const char *qhv_config_action_name(enum qhv_config_action action)
{
	switch (action) {
	case QHV_ACTION_DESTROY:
		return "destroy";
	case QHV_ACTION_PRESERVE:
		return "preserve";
	case QHV_ACTION_RESTART:
		return "restart";
	}
	return "unknown";
}

/* NULL when @s is a good domain name, else why not. */
static const char *name_problem(const char *s)
{
	size_t n = strlen(s), i;
	bool digits = true;

	if (!n)
		return "empty";
	if (n >= QHV_NAME_MAX)
		return "longer than 31 bytes";
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '-'))
			return "only A-Z a-z 0-9 _ . - are allowed";
		if (c < '0' || c > '9')
			digits = false;
	}
	if (digits)
		return "all digits (it would read as a domain id)";
	if (s[0] == '-')
		return "starts with '-' (it would read as an option)";
	return NULL;
}

/* NULL when XML 1.0 can carry @s unchanged, else why not. */
static const char *text_problem(const char *s)
{
	const unsigned char *p;

	if (!xmlCheckUTF8((const unsigned char *)s))
		return "not valid UTF-8";
	for (p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f)
			return "has a control character";
	return NULL;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *path_problem(const char *s)
{
	size_t n = strlen(s);

	if (!n)
		return "empty path";
	if (is_space(s[0]) || is_space(s[n - 1]))
		return "path has leading or trailing white space";
	return text_problem(s);
}

/* ------------------------------------------------------------------ */
/* Loading */

static const xmlNode *child(const xmlNode *parent, const char *name,
			    const char *ns)
{
	const xmlNode *c;

	for (c = parent->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE ||
		    !xmlStrEqual(c->name, BAD_CAST name))
			continue;
		if (ns ? (c->ns && xmlStrEqual(c->ns->href, BAD_CAST ns))
		       : !c->ns)
			return c;
	}
	return NULL;
}

/* An element's text, malloc'ed, trimmed of surrounding white space. */
static char *text_of(const xmlNode *n, bool trim)
{
	xmlChar *x = xmlNodeGetContent(n);
	const char *s = x ? (const char *)x : "";
	size_t len;
	char *r;

	if (trim)
		s = skip_space(s);
	len = strlen(s);
	while (trim && len && is_space(s[len - 1]))
		len--;
	r = strndup(s, len);
	xmlFree(x);
	return r;
}

/* An attribute's value, malloc'ed (NULL when absent). */
static char *attr_of(const xmlNode *n, const char *name)
{
	xmlChar *x = xmlGetNoNsProp(n, BAD_CAST name);
	char *r;

	if (!x)
		return NULL;
	r = strdup((const char *)x);
	xmlFree(x);
	return r;
}

/* The parser's first error (libxml2 keeps only the last one). */
struct first_error {
	int line;
	char msg[200];
};

static void parse_error(void *data, xmlErrorPtr e)
{
	xmlParserCtxtPtr ctxt = data;
	struct first_error *f = ctxt ? ctxt->_private : NULL;

	if (!f || f->msg[0] || !e || e->level < XML_ERR_ERROR)
		return;
	f->line = e->line;
	lib_message(f->msg, sizeof(f->msg), e->message);
}

/* The line a DTD starts on: libxml2 does not record it. */
static int doctype_line(const char *buf, size_t len)
{
	const char *p = memmem(buf, len, "<!DOCTYPE", 9);
	int line = 1;

	for (; p && buf < p; buf++)
		line += *buf == '\n';
	return line;
}

static int oom(struct load *L)
{
	return fail(L, NULL, "out of memory");
}

static int load_name(struct load *L, const xmlNode *root,
		     struct qhv_domain_config *cfg)
{
	const xmlNode *n = child(root, "name", NULL);
	char *s = text_of(n, true);
	const char *why;
	int rc = 0;

	if (!s)
		return oom(L);
	why = name_problem(s);
	if (why)
		rc = fail(L, n, "bad name '%s': %s",
			  SHOW(s), why);
	else
		snprintf(cfg->name, sizeof(cfg->name), "%s", s);
	free(s);
	return rc;
}

static int load_uuid(struct load *L, const xmlNode *root,
		     struct qhv_domain_config *cfg)
{
	const xmlNode *n = child(root, "uuid", NULL);
	char *s;
	int rc = 0;

	if (!n) {
		cfg->uuid_generated = true;
		if (qhv_config_generate_uuid(cfg->uuid))
			return fail(L, NULL, "cannot generate a uuid: %s",
				    strerror(errno));
		return 0;
	}
	s = text_of(n, true);
	if (!s)
		return oom(L);
	if (qhv_config_parse_uuid(s, cfg->uuid))
		rc = fail(L, n, "bad uuid '%s' (want "
			  "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, hex digits)",
			  SHOW(s));
	else if (uuid_is_zero(cfg->uuid))
		rc = fail(L, n, "bad uuid '%s': all zeros", s);
	free(s);
	return rc;
}

static int load_size(struct load *L, const xmlNode *n, uint64_t *bytes)
{
	char *unit = attr_of(n, "unit"), *val = text_of(n, true);
	const char *why = NULL;
	int rc = 0;

	if (!val) {
		free(unit);
		return oom(L);
	}
	if (qhv_config_parse_size(val, unit, bytes, &why)) {
		if (!strcmp(why, "unknown unit"))
			rc = fail(L, n, "unknown unit '%s'",
				  SHOW(unit));
		else
			rc = fail(L, n, "'%s' %s: %s",
				  SHOW(val),
				  SHOW(unit ? unit : "KiB"),
				  why);
	} else if (*bytes % QHV_CONFIG_MEMORY_ALIGN) {
		rc = fail(L, n, "%s %s is not a multiple of 4 KiB",
			  SHOW(val), unit ? unit : "KiB");
	} else if (*bytes < QHV_CONFIG_MIN_MEMORY) {
		rc = fail(L, n, "%s %s is less than 1 MiB",
			  SHOW(val), unit ? unit : "KiB");
	}
	free(unit);
	free(val);
	return rc;
}

static int load_memory(struct load *L, const xmlNode *root,
		       struct qhv_domain_config *cfg)
{
	const xmlNode *n = child(root, "memory", NULL);

	if (load_size(L, n, &cfg->memory))
		return -1;
	n = child(root, "currentMemory", NULL);
	cfg->current_memory = cfg->memory;
	if (!n)
		return 0;
	if (load_size(L, n, &cfg->current_memory))
		return -1;
	if (cfg->current_memory > cfg->memory)
		return fail(L, n, "%llu KiB is more than <memory> (%llu KiB)",
			    (unsigned long long)(cfg->current_memory >> 10),
			    (unsigned long long)(cfg->memory >> 10));
	return 0;
}

static int load_vcpu(struct load *L, const xmlNode *root,
		     struct qhv_domain_config *cfg)
{
	const xmlNode *n = child(root, "vcpu", NULL);
	char *val, *placement, *cpuset, why[96];
	bool overflow;
	uint64_t v;
	int rc = 0;

	cfg->vcpus = 1;
	cfg->cpu_mask = 0;
	if (!n)
		return 0;
	val = text_of(n, true);
	placement = attr_of(n, "placement");
	cpuset = attr_of(n, "cpuset");
	if (!val) {
		rc = oom(L);
	} else if (parse_u64(val, &v, &overflow)) {
		rc = fail(L, n, "'%s' is not a whole number",
			  SHOW(val));
	} else if (overflow || v < 1 || v > QHV_MAX_VCPUS) {
		rc = fail(L, n, "%s vCPUs is out of range (1-%u)",
			  SHOW(val), QHV_MAX_VCPUS);
	} else if (placement && strcmp(placement, "static")) {
		rc = fail(L, n, "placement '%s' is not supported (only 'static')",
			  SHOW(placement));
	} else if (cpuset && qhv_config_parse_cpuset(cpuset, &cfg->cpu_mask,
						     why, sizeof(why))) {
		rc = fail(L, n, "bad cpuset '%s': %s",
			  SHOW(cpuset), why);
	} else {
		cfg->vcpus = (unsigned int)v;
	}
	free(val);
	free(placement);
	free(cpuset);
	return rc;
}

static int load_path(struct load *L, const xmlNode *n, char **out)
{
	char *s = text_of(n, true);
	const char *why;

	if (!s)
		return oom(L);
	why = path_problem(s);
	if (why) {
		free(s);
		return fail(L, n, "%s", why);
	}
	*out = s;
	return 0;
}

static int load_cmdline(struct load *L, const xmlNode *n, char **out)
{
	char *s = text_of(n, false);
	const char *why;

	if (!s)
		return oom(L);
	why = text_problem(s);
	if (why) {
		free(s);
		return fail(L, n, "%s", why);
	}
	*out = s;
	return 0;
}

static int load_module(struct load *L, const xmlNode *n,
		       struct qhv_domain_config *cfg)
{
	struct qhv_config_module *m, *grown;
	char *path = attr_of(n, "path");
	const char *why;

	if (!path)
		return oom(L);	/* the schema makes it required */
	why = path_problem(path);
	if (why) {
		free(path);
		return fail(L, n, "%s", why);
	}
	grown = realloc(cfg->modules, (cfg->nr_modules + 1) * sizeof(*m));
	if (!grown) {
		free(path);
		return oom(L);
	}
	cfg->modules = grown;
	m = &cfg->modules[cfg->nr_modules];
	m->path = path;
	m->cmdline = NULL;
	cfg->nr_modules++;
	return load_cmdline(L, n, &m->cmdline);
}

static int load_os(struct load *L, const xmlNode *root,
		   struct qhv_domain_config *cfg)
{
	const xmlNode *os = child(root, "os", NULL);
	const xmlNode *n = child(os, "type", NULL);
	char *type = text_of(n, true), *arch = attr_of(n, "arch");
	int rc = 0;

	if (!type)
		rc = oom(L);
	else if (strcmp(type, "hvm"))
		rc = fail(L, n, "os type '%s' is not supported (only 'hvm')",
			  SHOW(type));
	else if (arch && strcmp(arch, "x86_64"))
		rc = fail(L, n, "arch '%s' is not supported (only 'x86_64')",
			  SHOW(arch));
	free(type);
	free(arch);
	if (rc)
		return rc;

	if (load_path(L, child(os, "kernel", NULL), &cfg->kernel))
		return -1;
	n = child(os, "initrd", NULL);
	if (n && load_path(L, n, &cfg->initrd))
		return -1;
	n = child(os, "cmdline", NULL);
	if (n && load_cmdline(L, n, &cfg->cmdline))
		return -1;
	for (n = os->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE && n->ns &&
		    xmlStrEqual(n->ns->href, BAD_CAST QHV_CONFIG_NS) &&
		    xmlStrEqual(n->name, BAD_CAST "module") &&
		    load_module(L, n, cfg))
			return -1;
	return 0;
}

static int load_action(struct load *L, const xmlNode *root, const char *el,
		       enum qhv_config_action *out)
{
	static const char *const unsupported[] = {
		"rename-restart", "coredump-destroy", "coredump-restart",
	};
	const xmlNode *n = child(root, el, NULL);
	char *s;
	int rc = 0;
	size_t i;

	*out = QHV_ACTION_DESTROY;
	if (!n)
		return 0;
	s = text_of(n, true);
	if (!s)
		return oom(L);
	if (!strcmp(s, "destroy")) {
		*out = QHV_ACTION_DESTROY;
	} else if (!strcmp(s, "preserve")) {
		*out = QHV_ACTION_PRESERVE;
	} else if (!strcmp(s, "restart")) {
		*out = QHV_ACTION_RESTART;
	} else {
		rc = fail(L, n, "unknown action '%s' (want destroy, preserve or restart)",
			  SHOW(s));
		for (i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
			if (!strcmp(s, unsupported[i]))
				rc = fail(L, n, "'%s' is not supported (qhv "
					  "supports destroy, preserve and restart)", s);
	}
	free(s);
	return rc;
}

/* <console> or <serial>: type 'pty', an optional <target>. */
static int load_chardev(struct load *L, const xmlNode *n,
			const char *target_type)
{
	char *type = attr_of(n, "type"), *ttype = NULL, *port = NULL;
	const xmlNode *t = child(n, "target", NULL);
	int rc = 0;

	if (t) {
		ttype = attr_of(t, "type");
		port = attr_of(t, "port");
	}
	if (!type)
		rc = oom(L);
	else if (strcmp(type, "pty"))
		rc = fail(L, n, "type '%s' is not supported (only 'pty')",
			  SHOW(type));
	else if (ttype && strcmp(ttype, target_type))
		rc = fail(L, t, "type '%s' is not supported (only '%s')",
			  SHOW(ttype), target_type);
	else if (port && strcmp(port, "0"))
		rc = fail(L, t, "port '%s' is not supported (only 0)",
			  SHOW(port));
	free(type);
	free(ttype);
	free(port);
	return rc;
}

static int load_devices(struct load *L, const xmlNode *root,
			struct qhv_domain_config *cfg)
{
	const xmlNode *dev = child(root, "devices", NULL), *n;

	if (!dev)
		return 0;
	n = child(dev, "console", NULL);
	if (n) {
		if (load_chardev(L, n, "serial"))
			return -1;
		cfg->console = true;
	}
	n = child(dev, "serial", NULL);
	if (n) {
		if (load_chardev(L, n, "isa-serial"))
			return -1;
		cfg->console = true;
	}
	return 0;
}

static int load_values(struct load *L, const xmlNode *root,
		       struct qhv_domain_config *cfg)
{
	char *type = attr_of(root, "type");
	int rc = 0;

	if (!type)
		return oom(L);
	if (strcmp(type, "qhv"))
		rc = fail(L, root, "type '%s' is not supported (want 'qhv')",
			  SHOW(type));
	free(type);
	if (rc || load_name(L, root, cfg) || load_uuid(L, root, cfg) ||
	    load_memory(L, root, cfg) || load_vcpu(L, root, cfg) ||
	    load_os(L, root, cfg) ||
	    load_action(L, root, "on_poweroff", &cfg->on_poweroff) ||
	    load_action(L, root, "on_reboot", &cfg->on_reboot) ||
	    load_action(L, root, "on_crash", &cfg->on_crash) ||
	    load_devices(L, root, cfg))
		return -1;
	return 0;
}

struct qhv_domain_config *qhv_config_new(void)
{
	struct qhv_domain_config *cfg = calloc(1, sizeof(*cfg));

	if (!cfg)
		return NULL;
	cfg->vcpus = 1;
	cfg->uuid_generated = true;
	if (qhv_config_generate_uuid(cfg->uuid)) {
		free(cfg);
		return NULL;
	}
	return cfg;
}

void qhv_config_free(struct qhv_domain_config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->nr_modules; i++) {
		free(cfg->modules[i].path);
		free(cfg->modules[i].cmdline);
	}
	free(cfg->modules);
	free(cfg->kernel);
	free(cfg->initrd);
	free(cfg->cmdline);
	free(cfg->base_dir);
	free(cfg);
}

int qhv_config_load_buffer(const char *buf, size_t len, const char *source,
			   const char *base_dir,
			   struct qhv_domain_config **out,
			   struct qhv_config_error *err)
{
	struct load L = { .source = source ? source : "(config)", .err = err };
	struct qhv_domain_config *cfg = NULL;
	struct first_error first;
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr doc = NULL;
	const xmlNode *root;
	int rc = -1;

	*out = NULL;
	if (err) {
		err->line = 0;
		err->msg[0] = '\0';
	}
	if (qhv_config_init()) {
		fail(&L, NULL, "internal error: schema: %s", schema_problem);
		return -1;
	}
	if (len > QHV_CONFIG_MAX_SIZE) {
		fail(&L, NULL, "larger than %u bytes", QHV_CONFIG_MAX_SIZE);
		return -1;
	}
	ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return oom(&L);
	memset(&first, 0, sizeof(first));
	ctxt->_private = &first;
	ctxt->sax->serror = parse_error;
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, NULL, NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR |
				XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES);
	if (!doc || first.msg[0] || !ctxt->wellFormed) {
		set_error(err, first.line, "%s:%d: malformed XML: %s",
			  L.source, first.line,
			  first.msg[0] ? first.msg : "cannot parse");
		goto out;
	}
	if (doc->intSubset || doc->extSubset) {
		int line = doctype_line(buf, len);

		set_error(err, line, "%s:%d: <!DOCTYPE>: document type "
			  "declarations are not allowed", L.source, line);
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (!root) {
		fail(&L, NULL, "malformed XML: no root element");
		goto out;
	}
	if (check_root(&L, root) || check_schema(&L, doc))
		goto out;
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg || (base_dir && !(cfg->base_dir = strdup(base_dir)))) {
		oom(&L);
		goto out;
	}
	if (load_values(&L, root, cfg))
		goto out;
	*out = cfg;
	cfg = NULL;
	rc = 0;
out:
	qhv_config_free(cfg);
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return rc;
}

int qhv_config_load_file(const char *path, struct qhv_domain_config **out,
			 struct qhv_config_error *err)
{
	struct load L = { .source = path, .err = err };
	char *buf = NULL, *dir = NULL, *slash;
	size_t got = 0;
	struct stat st;
	int fd, rc = -1;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(&L, NULL, "%s", strerror(errno));
	if (fstat(fd, &st)) {
		fail(&L, NULL, "%s", strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		fail(&L, NULL, "is a directory");
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		fail(&L, NULL, "not a regular file");
		goto out;
	}
	if ((uint64_t)st.st_size > QHV_CONFIG_MAX_SIZE) {
		fail(&L, NULL, "larger than %u bytes", QHV_CONFIG_MAX_SIZE);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		oom(&L);
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fail(&L, NULL, "%s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	dir = strdup(path);
	if (!dir) {
		oom(&L);
		goto out;
	}
	slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	rc = qhv_config_load_buffer(buf, got, path, dir, out, err);
out:
	free(dir);
	free(buf);
	close(fd);
	return rc;
}

char *qhv_config_resolve(const struct qhv_domain_config *cfg,
			 const char *path)
{
	char *r;

	if (path[0] == '/' || !cfg->base_dir || !cfg->base_dir[0])
		return strdup(path);
	if (asprintf(&r, "%s%s%s", cfg->base_dir,
		     cfg->base_dir[strlen(cfg->base_dir) - 1] == '/' ? "" : "/",
		     path) < 0)
		return NULL;
	return r;
}

/* ------------------------------------------------------------------ */
/* Checking and generating */

static int bad_field(struct qhv_config_error *err, const char *el,
		     const char *what, const char *why)
{
	set_error(err, 0, "<%s>: %s%s%s", el, what, what[0] ? ": " : "", why);
	return -1;
}

static int check_size(struct qhv_config_error *err, const char *el,
		      uint64_t bytes)
{
	if (bytes % QHV_CONFIG_MEMORY_ALIGN)
		return bad_field(err, el, "", "not a multiple of 4 KiB");
	if (bytes < QHV_CONFIG_MIN_MEMORY)
		return bad_field(err, el, "", "less than 1 MiB");
	return 0;
}

int qhv_config_check(const struct qhv_domain_config *cfg,
		     struct qhv_config_error *err)
{
	const char *why;
	size_t i;

	if (memchr(cfg->name, '\0', sizeof(cfg->name)) == NULL)
		return bad_field(err, "name", "", "not terminated");
	why = name_problem(cfg->name);
	if (why)
		return bad_field(err, "name", "bad name", why);
	if (uuid_is_zero(cfg->uuid))
		return bad_field(err, "uuid", "", "all zeros");
	if (check_size(err, "memory", cfg->memory) ||
	    check_size(err, "currentMemory", cfg->current_memory))
		return -1;
	if (cfg->current_memory > cfg->memory)
		return bad_field(err, "currentMemory", "", "more than <memory>");
	if (cfg->vcpus < 1 || cfg->vcpus > QHV_MAX_VCPUS)
		return bad_field(err, "vcpu", "", "out of range (1-8)");
	if (!cfg->kernel)
		return bad_field(err, "kernel", "", "missing");
	why = path_problem(cfg->kernel);
	if (why)
		return bad_field(err, "kernel", "", why);
	if (cfg->initrd && (why = path_problem(cfg->initrd)))
		return bad_field(err, "initrd", "", why);
	if (cfg->cmdline && (why = text_problem(cfg->cmdline)))
		return bad_field(err, "cmdline", "", why);
	for (i = 0; i < cfg->nr_modules; i++) {
		const struct qhv_config_module *m = &cfg->modules[i];

		why = path_problem(m->path ? m->path : "");
		if (!why && m->cmdline)
			why = text_problem(m->cmdline);
		if (why)
			return bad_field(err, "qhv:module", "", why);
	}
	if (!strcmp(qhv_config_action_name(cfg->on_poweroff), "unknown"))
		return bad_field(err, "on_poweroff", "", "unknown action");
	if (!strcmp(qhv_config_action_name(cfg->on_reboot), "unknown"))
		return bad_field(err, "on_reboot", "", "unknown action");
	if (!strcmp(qhv_config_action_name(cfg->on_crash), "unknown"))
		return bad_field(err, "on_crash", "", "unknown action");
	return 0;
}

static xmlNodePtr add(xmlNodePtr parent, xmlNsPtr ns, const char *name,
		      const char *text)
{
	return xmlNewTextChild(parent, ns, BAD_CAST name, BAD_CAST text);
}

static bool build(xmlNodePtr root, const struct qhv_domain_config *cfg)
{
	char num[64], uuid[37];
	xmlNodePtr n, os, dev;
	xmlNsPtr ns = NULL;
	size_t i;

	if (cfg->nr_modules) {
		ns = xmlNewNs(root, BAD_CAST QHV_CONFIG_NS,
			      BAD_CAST QHV_CONFIG_NS_PREFIX);
		if (!ns)
			return false;
	}
	if (!xmlNewProp(root, BAD_CAST "type", BAD_CAST "qhv") ||
	    !add(root, NULL, "name", cfg->name))
		return false;
	qhv_config_format_uuid(cfg->uuid, uuid);
	if (!add(root, NULL, "uuid", uuid))
		return false;
	snprintf(num, sizeof(num), "%llu",
		 (unsigned long long)(cfg->memory >> 10));
	n = add(root, NULL, "memory", num);
	if (!n || !xmlNewProp(n, BAD_CAST "unit", BAD_CAST "KiB"))
		return false;
	snprintf(num, sizeof(num), "%llu",
		 (unsigned long long)(cfg->current_memory >> 10));
	n = add(root, NULL, "currentMemory", num);
	if (!n || !xmlNewProp(n, BAD_CAST "unit", BAD_CAST "KiB"))
		return false;
	snprintf(num, sizeof(num), "%u", cfg->vcpus);
	n = add(root, NULL, "vcpu", num);
	if (!n || !xmlNewProp(n, BAD_CAST "placement", BAD_CAST "static"))
		return false;
	if (cfg->cpu_mask) {
		char cpus[200];

		qhv_config_format_cpuset(cfg->cpu_mask, cpus, sizeof(cpus));
		if (!xmlNewProp(n, BAD_CAST "cpuset", BAD_CAST cpus))
			return false;
	}
	os = add(root, NULL, "os", NULL);
	if (!os)
		return false;
	n = add(os, NULL, "type", "hvm");
	if (!n || !xmlNewProp(n, BAD_CAST "arch", BAD_CAST "x86_64") ||
	    !add(os, NULL, "kernel", cfg->kernel) ||
	    (cfg->initrd && !add(os, NULL, "initrd", cfg->initrd)) ||
	    (cfg->cmdline && !add(os, NULL, "cmdline", cfg->cmdline)))
		return false;
	for (i = 0; i < cfg->nr_modules; i++) {
		const struct qhv_config_module *m = &cfg->modules[i];

		n = add(os, ns, "module", m->cmdline ? m->cmdline : "");
		if (!n || !xmlNewProp(n, BAD_CAST "path", BAD_CAST m->path))
			return false;
	}
	if (!add(root, NULL, "on_poweroff",
		 qhv_config_action_name(cfg->on_poweroff)) ||
	    !add(root, NULL, "on_reboot",
		 qhv_config_action_name(cfg->on_reboot)) ||
	    !add(root, NULL, "on_crash",
		 qhv_config_action_name(cfg->on_crash)))
		return false;
	if (cfg->console) {
		dev = add(root, NULL, "devices", NULL);
		n = dev ? add(dev, NULL, "console", NULL) : NULL;
		if (!n || !xmlNewProp(n, BAD_CAST "type", BAD_CAST "pty"))
			return false;
		n = add(n, NULL, "target", NULL);
		if (!n || !xmlNewProp(n, BAD_CAST "type", BAD_CAST "serial") ||
		    !xmlNewProp(n, BAD_CAST "port", BAD_CAST "0"))
			return false;
	}
	return true;
}

char *qhv_config_to_xml(const struct qhv_domain_config *cfg,
			struct qhv_config_error *err)
{
	xmlBufferPtr buf = NULL;
	xmlSaveCtxtPtr save;
	xmlDocPtr doc;
	xmlNodePtr root;
	char *r = NULL;

	if (qhv_config_check(cfg, err))
		return NULL;
	doc = xmlNewDoc(BAD_CAST "1.0");
	root = doc ? xmlNewNode(NULL, BAD_CAST "domain") : NULL;
	if (!root)
		goto oom;
	xmlDocSetRootElement(doc, root);
	if (!build(root, cfg))
		goto oom;
	buf = xmlBufferCreate();
	save = buf ? xmlSaveToBuffer(buf, "UTF-8",
				     XML_SAVE_FORMAT | XML_SAVE_NO_DECL)
		   : NULL;
	if (!save)
		goto oom;
	xmlSaveDoc(save, doc);
	if (xmlSaveClose(save) < 0)
		goto oom;
	r = strdup((const char *)xmlBufferContent(buf));
	if (!r)
		goto oom;
	xmlBufferFree(buf);
	xmlFreeDoc(doc);
	return r;
oom:
	set_error(err, 0, "out of memory");
	xmlBufferFree(buf);
	xmlFreeDoc(doc);
	return NULL;
}
