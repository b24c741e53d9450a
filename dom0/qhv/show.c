// SPDX-License-Identifier: MIT
/*
 * show.c - qhv list, info, dmesg, and the one-step controls pause,
 * unpause and destroy.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "qhv.h"
#include "qhvconfig.h"

#define ARGS_DONE(rc) ((rc) == ARGS_HELP ? 0 : (rc))

static uint64_t total_cpu_ns(const struct qhv_domain_info *d)
{
	uint64_t t = 0;
	uint32_t i;

	for (i = 0; i < d->nr_vcpus && i < QHV_MAX_VCPUS; i++)
		t += d->cpu_time_ns[i];
	return t;
}

/* A NUL-terminated copy of a fixed-size field the hv filled. */
static void field(char *out, size_t outlen, const char *in, size_t inlen)
{
	size_t n = strnlen(in, inlen);

	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, in, n);
	out[n] = '\0';
}

/* Text for a terminal: control bytes escaped. */
static void printable(char *out, size_t outlen, const char *in)
{
	size_t o = 0;

	for (; *in && o + 5 < outlen; in++) {
		unsigned char c = (unsigned char)*in;

		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

static void json_domain(struct json *j, const struct qhv_domain_info *d,
			bool detail)
{
	char name[QHV_NAME_MAX], uuid[37];

	field(name, sizeof(name), d->name, sizeof(d->name));
	qhv_config_format_uuid(d->uuid, uuid);
	json_object_begin(j);
	json_key(j, "id");
	json_uint(j, d->hdr.domid);
	json_key(j, "name");
	json_string(j, name);
	json_key(j, "uuid");
	json_string(j, uuid);
	json_key(j, "state");
	json_string(j, qhv_state_name(d->state));
	json_key(j, "mem_bytes");
	json_uint(j, d->mem_bytes);
	json_key(j, "vcpus");
	json_uint(j, d->nr_vcpus);
	json_key(j, "cpu_time_ns");
	json_uint(j, total_cpu_ns(d));
	if (detail) {
		json_key(j, "pause_count");
		json_uint(j, d->pause_count);
		json_key(j, "privileged");
		json_bool(j, d->flags & QHV_INFO_F_PRIVILEGED);
		json_key(j, "started");
		json_bool(j, d->flags & QHV_INFO_F_STARTED);
		json_key(j, "cpu_affinity");
		if (d->cpu_affinity) {
			char cpus[200];

			qhv_config_format_cpuset(d->cpu_affinity, cpus,
						 sizeof(cpus));
			json_string(j, cpus);
		} else {
			json_null(j);
		}
	}
	json_key(j, "shutdown_reason");
	if (d->state == QHV_STATE_SHUTDOWN)
		json_string(j, qhv_shutdown_reason_name(d->shutdown_reason));
	else
		json_null(j);
	json_key(j, "exit_code");
	if (d->state == QHV_STATE_SHUTDOWN &&
	    d->shutdown_reason == QHV_SHUTDOWN_EXIT)
		json_uint(j, d->exit_code);
	else
		json_null(j);
	json_key(j, "crash_reason");
	if (d->state == QHV_STATE_CRASHED) {
		char reason[QHV_REASON_MAX + 1];

		field(reason, sizeof(reason), d->reason, sizeof(d->reason));
		json_string(j, reason);
	} else {
		json_null(j);
	}
	if (detail) {
		json_key(j, "vcpu");
		json_array_begin(j);
		for (uint32_t i = 0; i < d->nr_vcpus && i < QHV_MAX_VCPUS;
		     i++) {
			json_object_begin(j);
			json_key(j, "id");
			json_uint(j, i);
			json_key(j, "cpu_time_ns");
			json_uint(j, d->cpu_time_ns[i]);
			json_key(j, "pcpu");
			json_uint(j, d->vcpu_pcpu[i]);
			json_object_end(j);
		}
		json_array_end(j);
		json_key(j, "console");
		json_object_begin(j);
		json_key(j, "produced");
		json_uint(j, d->console_produced);
		json_key(j, "lost");
		json_uint(j, d->console_lost);
		json_object_end(j);
	}
	json_object_end(j);
}

/* Flush stdout and report a write error (a full disk, a closed pipe). */
static int finish_output(const char *what)
{
	if (fflush(stdout) || ferror(stdout))
		return fail("%s: writing the output: %s", what,
			    strerror(errno ? errno : EIO));
	return 0;
}

int cmd_list(int argc, char **argv)
{
	bool as_json = false;
	const struct cli_opt opts[] = { { "--json", &as_json }, { NULL, NULL } };
	struct qhv_domain_info *doms = NULL;
	struct qhv_handle *h;
	size_t n = 0, i;
	int rc;

	rc = parse_args("list", argc, argv, opts, NULL, 0);
	if (rc)
		return ARGS_DONE(rc);
	h = open_handle("list");
	if (!h)
		return EXIT_OP;
	if (qhv_domain_list(h, &doms, &n)) {
		rc = fail("list: %s", lib_detail(h, "list"));
		qhv_close(h);
		return rc;
	}
	qhv_close(h);
	if (as_json) {
		struct json j;

		json_init(&j, stdout);
		json_array_begin(&j);
		for (i = 0; i < n; i++)
			json_domain(&j, &doms[i], false);
		json_array_end(&j);
		json_finish(&j);
	} else {
		printf("%5s  %-31s  %-18s %8s %6s %10s\n", "ID", "Name",
		       "State", "Mem(MiB)", "vCPUs", "Time(s)");
		for (i = 0; i < n; i++) {
			const struct qhv_domain_info *d = &doms[i];
			char name[QHV_NAME_MAX], state[64];
			uint64_t t = total_cpu_ns(d);

			field(name, sizeof(name), d->name, sizeof(d->name));
			state_text(d, state, sizeof(state));
			printf("%5" PRIu32 "  %-31s  %-18s %8" PRIu64
			       " %6" PRIu32 " %8" PRIu64 ".%01" PRIu64 "\n",
			       d->hdr.domid, name, state, d->mem_bytes >> 20,
			       d->nr_vcpus, t / 1000000000u,
			       t % 1000000000u / 100000000u);
		}
	}
	free(doms);
	return finish_output("list");
}

static void info_text(const struct qhv_domain_info *d)
{
	char name[QHV_NAME_MAX], uuid[37], state[64], cpus[200];
	uint64_t t;
	uint32_t i;

	field(name, sizeof(name), d->name, sizeof(d->name));
	qhv_config_format_uuid(d->uuid, uuid);
	state_text(d, state, sizeof(state));
	printf("id:           %" PRIu32 "\n", d->hdr.domid);
	printf("name:         %s\n", name);
	printf("uuid:         %s\n", uuid);
	printf("state:        %s\n", state);
	if (d->state == QHV_STATE_SHUTDOWN) {
		printf("shutdown:     %s\n",
		       qhv_shutdown_reason_name(d->shutdown_reason));
		if (d->shutdown_reason == QHV_SHUTDOWN_EXIT)
			printf("exit code:    %" PRIu32 "\n", d->exit_code);
	}
	if (d->state == QHV_STATE_CRASHED) {
		char reason[QHV_REASON_MAX + 1], shown[QHV_REASON_MAX * 4 + 1];

		field(reason, sizeof(reason), d->reason, sizeof(d->reason));
		printable(shown, sizeof(shown), reason);
		printf("crash reason: %s\n", shown[0] ? shown : "(none given)");
	}
	if (d->pause_count)
		printf("pauses:       %" PRIu32 "\n", d->pause_count);
	printf("started:      %s\n",
	       d->flags & QHV_INFO_F_STARTED ? "yes" : "no");
	printf("privileged:   %s\n",
	       d->flags & QHV_INFO_F_PRIVILEGED ? "yes" : "no");
	if (d->mem_bytes % (1u << 20))
		printf("memory:       %" PRIu64 " KiB\n", d->mem_bytes >> 10);
	else
		printf("memory:       %" PRIu64 " MiB\n", d->mem_bytes >> 20);
	if (d->cpu_affinity)
		qhv_config_format_cpuset(d->cpu_affinity, cpus, sizeof(cpus));
	else
		snprintf(cpus, sizeof(cpus), "any");
	printf("cpu affinity: %s\n", cpus);
	printf("vcpus:        %" PRIu32 "\n", d->nr_vcpus);
	for (i = 0; i < d->nr_vcpus && i < QHV_MAX_VCPUS; i++) {
		t = d->cpu_time_ns[i];
		printf("  vcpu %" PRIu32 ":     pcpu %" PRIu32 ", %" PRIu64
		       ".%03" PRIu64 " s\n", i, d->vcpu_pcpu[i],
		       t / 1000000000u, t % 1000000000u / 1000000u);
	}
	t = total_cpu_ns(d);
	printf("cpu time:     %" PRIu64 ".%03" PRIu64 " s\n",
	       t / 1000000000u, t % 1000000000u / 1000000u);
	printf("console:      %" PRIu64 " bytes written, %" PRIu64 " lost\n",
	       d->console_produced, d->console_lost);
}

int cmd_info(int argc, char **argv)
{
	bool as_json = false;
	const struct cli_opt opts[] = { { "--json", &as_json }, { NULL, NULL } };
	struct qhv_domain_info info;
	struct qhv_handle *h;
	char *dom = NULL;
	uint32_t id;
	int rc;

	rc = parse_args("info", argc, argv, opts, &dom, 1);
	if (rc)
		return ARGS_DONE(rc);
	h = open_handle("info");
	if (!h)
		return EXIT_OP;
	if (lookup(h, "info", dom, &id)) {
		qhv_close(h);
		return EXIT_OP;
	}
	if (qhv_domain_getinfo(h, id, &info)) {
		rc = fail("info %s: %s", dom, lib_detail(h, "getinfo"));
		qhv_close(h);
		return rc;
	}
	qhv_close(h);
	if (as_json) {
		struct json j;

		json_init(&j, stdout);
		json_domain(&j, &info, true);
		json_finish(&j);
	} else {
		info_text(&info);
	}
	return finish_output("info");
}

int cmd_dmesg(int argc, char **argv)
{
	static char buf[QHV_LOG_RING_SIZE];
	struct qhv_handle *h;
	uint64_t cursor = 0;
	int rc;

	rc = parse_args("dmesg", argc, argv, NULL, NULL, 0);
	if (rc)
		return ARGS_DONE(rc);
	h = open_handle("dmesg");
	if (!h)
		return EXIT_OP;
	for (;;) {
		ssize_t n = qhv_log_read(h, &cursor, buf, sizeof(buf), NULL);

		if (n < 0) {
			rc = fail("dmesg: %s", lib_detail(h, "log read"));
			qhv_close(h);
			return rc;
		}
		if (n == 0)
			break;
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			break;	/* reported below */
	}
	qhv_close(h);
	return finish_output("dmesg");
}

int cmd_pool(int argc, char **argv)
{
	struct qhv_pool_info pi;
	struct qhv_handle *h;
	bool json = false;
	const struct cli_opt opts[] = { { "--json", &json }, { NULL, NULL } };
	int rc;

	rc = parse_args("pool", argc, argv, opts, NULL, 0);
	if (rc)
		return ARGS_DONE(rc);
	h = open_handle("pool");
	if (!h)
		return EXIT_OP;
	memset(&pi, 0, sizeof(pi));
	if (qhv_pool_info(h, &pi)) {
		rc = fail("pool: %s", lib_detail(h, "pool info"));
		qhv_close(h);
		return rc;
	}
	qhv_close(h);
	if (json) {
		struct json j;

		json_init(&j, stdout);
		json_object_begin(&j);
		json_key(&j, "page_size");
		json_uint(&j, pi.page_size);
		json_key(&j, "free_frames");
		json_uint(&j, pi.free_frames);
		json_key(&j, "total_frames");
		json_uint(&j, pi.total_frames);
		json_key(&j, "nr_cpus");
		json_uint(&j, pi.nr_cpus);
		json_key(&j, "nr_domains");
		json_uint(&j, pi.nr_domains);
		json_object_end(&j);
		json_finish(&j);
	} else {
		printf("free_frames:  %llu\n"
		       "total_frames: %llu\n"
		       "page_size:    %u\n"
		       "free_mib:     %llu\n"
		       "total_mib:    %llu\n"
		       "cpus:         %u\n"
		       "domains:      %u\n",
		       (unsigned long long)pi.free_frames,
		       (unsigned long long)pi.total_frames, pi.page_size,
		       (unsigned long long)(pi.free_frames * pi.page_size >> 20),
		       (unsigned long long)(pi.total_frames * pi.page_size >> 20),
		       pi.nr_cpus, pi.nr_domains);
	}
	return finish_output("pool");
}

/* pause, unpause, destroy: look DOM up, do one call. */
static int control(int argc, char **argv, const char *op,
		   int (*fn)(struct qhv_handle *, uint32_t))
{
	struct qhv_handle *h;
	char *dom = NULL;
	uint32_t id;
	int rc;

	rc = parse_args(op, argc, argv, NULL, &dom, 1);
	if (rc)
		return ARGS_DONE(rc);
	h = open_handle(op);
	if (!h)
		return EXIT_OP;
	rc = 0;
	if (lookup(h, op, dom, &id))
		rc = EXIT_OP;
	else if (fn(h, id))
		rc = fail("%s %s: %s", op, dom, lib_detail(h, op));
	qhv_close(h);
	return rc;
}

int cmd_pause(int argc, char **argv)
{
	return control(argc, argv, "pause", qhv_domain_pause);
}

int cmd_unpause(int argc, char **argv)
{
	return control(argc, argv, "unpause", qhv_domain_unpause);
}

int cmd_destroy(int argc, char **argv)
{
	return control(argc, argv, "destroy", qhv_domain_destroy);
}
