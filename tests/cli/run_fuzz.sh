#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run_fuzz.sh - build the domain XML loader's libFuzzer target with clang
# and run it briefly from the test files as seeds.
# Exits 77 (meson: skipped) if clang cannot build -fsanitize=fuzzer.
#
# Usage: run_fuzz.sh SRCDIR WORKDIR [SECONDS]
set -euo pipefail
SRC=$1
WORK=$2
SECS=${3:-15}
CFG=$SRC/dom0/config
T=$SRC/tests/cli

command -v clang >/dev/null || { echo "clang not found: skipping"; exit 77; }
mkdir -p "$WORK/corpus"
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)
{ (void)d; (void)n; return 0; }' > "$WORK/probe.c"
if ! clang -fsanitize=fuzzer "$WORK/probe.c" -o "$WORK/probe" 2>/dev/null; then
	echo "clang -fsanitize=fuzzer does not work: skipping"
	exit 77
fi

python3 "$CFG/embed-schema.py" "$CFG/qhv-domain.rng" "$WORK/qhv-domain-rng.c"
# shellcheck disable=SC2046 # pkg-config output is meant to split
clang -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -I"$CFG" -I"$SRC/include" \
	$(pkg-config --cflags libxml-2.0) \
	"$T/fuzz_config.c" "$CFG/config.c" "$WORK/qhv-domain-rng.c" \
	$(pkg-config --libs libxml-2.0) -o "$WORK/fuzz_config"

# Seeds: every test file, good and bad.
cp "$T"/data/good/*.xml "$T"/data/bad/*.xml "$WORK/corpus/"

# A dictionary of the format's words helps the fuzzer past the schema.
cat > "$WORK/xml.dict" <<'DICT'
"<domain type='qhv'>"
"</domain>"
"<name>"
"</name>"
"<uuid>"
"<memory unit='"
"<currentMemory"
"<vcpu cpuset='"
"placement='static'"
"<os>"
"<type arch='x86_64'>hvm</type>"
"<kernel>"
"<initrd>"
"<cmdline>"
"<qhv:module path='"
"xmlns:qhv='https://qhv.dev/xmlns/domain/1'"
"<on_poweroff>"
"<on_reboot>"
"<on_crash>"
"preserve"
"destroy"
"<devices>"
"<console type='pty'>"
"<serial type='pty'>"
"<target type='serial' port='0'/>"
"MiB"
"KiB"
"TiB"
"^"
"-"
","
"&amp;"
"&#10;"
"<![CDATA["
"<!--"
DICT

"$WORK/fuzz_config" -max_total_time="$SECS" -max_len=4096 -timeout=10 \
	-dict="$WORK/xml.dict" -artifact_prefix="$WORK/" -error_exitcode=1 -print_final_stats=1 "$WORK/corpus" 2>&1 | tail -20
