// SPDX-License-Identifier: MIT
/*
 * cli_helper.c - what qhv-fake-ctl does not do, for test_cli:
 *   cputime DOM VCPU NS   account NS nanoseconds of guest time to a vCPU
 * The device comes from $QHV_DEVICE (a fake with state=PATH).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libqhv-fake.h"

int main(int argc, char **argv)
{
	struct qhv_handle *h;
	char err[256] = "";
	uint32_t dom;
	int rc;

	if (argc != 5 || strcmp(argv[1], "cputime")) {
		fputs("usage: test-cli-helper cputime DOM VCPU NS\n", stderr);
		return 2;
	}
	if (qhv_open_dev(NULL, &h, err, sizeof(err))) {
		fprintf(stderr, "test-cli-helper: %s\n", err);
		return 1;
	}
	rc = qhv_domain_lookup(h, argv[2], &dom);
	if (!rc)
		rc = qhv_fake_add_cpu_time(h, dom,
					   (uint32_t)strtoul(argv[3], NULL, 0),
					   strtoull(argv[4], NULL, 0));
	if (rc)
		fprintf(stderr, "test-cli-helper: %s\n", qhv_last_error(h));
	qhv_close(h);
	return rc ? 1 : 0;
}
