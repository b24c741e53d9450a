// SPDX-License-Identifier: MIT
/*
 * fuzz_config.c - libFuzzer target for the domain XML loader.
 *
 * Any input either fails with one message line naming its source, or
 * loads; a loaded configuration must survive generate -> load -> generate
 * unchanged (the generator never writes what the loader refuses).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qhvconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qhv_domain_config *cfg, *back;
	struct qhv_config_error err;
	char *x1, *x2;

	if (qhv_config_load_buffer((const char *)data, size, "fuzz.xml", "/b",
				   &cfg, &err)) {
		if (strncmp(err.msg, "fuzz.xml:", 9) || strchr(err.msg, '\n'))
			abort();
		return 0;
	}
	x1 = qhv_config_to_xml(cfg, &err);
	if (!x1) {
		fprintf(stderr, "generate: %s\n", err.msg);
		abort();
	}
	if (qhv_config_load_buffer(x1, strlen(x1), "gen.xml", NULL, &back,
				   &err)) {
		fprintf(stderr, "reload: %s\n%s", err.msg, x1);
		abort();
	}
	x2 = qhv_config_to_xml(back, &err);
	if (!x2 || strcmp(x1, x2))
		abort();
	free(x1);
	free(x2);
	qhv_config_free(back);
	qhv_config_free(cfg);
	return 0;
}
