#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run_fuzz.sh - build the libFuzzer target with clang and run it briefly.
# Exits 77 (meson: skipped) if clang cannot build -fsanitize=fuzzer.
#
# Usage: run_fuzz.sh SRCDIR WORKDIR [SECONDS]
set -euo pipefail
SRC=$1
WORK=$2
SECS=${3:-20}
XSD=$SRC/dom0/xenstored
T=$SRC/tests/xenstored

command -v clang >/dev/null || { echo "clang not found: skipping"; exit 77; }
mkdir -p "$WORK/corpus"
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)
{ (void)d; (void)n; return 0; }' > "$WORK/probe.c"
if ! clang -fsanitize=fuzzer "$WORK/probe.c" -o "$WORK/probe" 2>/dev/null; then
	echo "clang -fsanitize=fuzzer does not work: skipping"
	exit 77
fi

clang -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -I"$XSD" \
	"$T/fuzz_proto.c" "$XSD"/conn_mem.c "$XSD"/hash.c "$XSD"/log.c \
	"$XSD"/proto.c "$XSD"/store.c "$XSD"/watch.c "$XSD"/xsd.c \
	-o "$WORK/fuzz_proto"

# Seeds: one well-formed request of each kind (first byte: 1 = dom0).
python3 - "$WORK/corpus" <<'PY'
import os, struct, sys
out = sys.argv[1]
def msg(t, payload, tx=0, req=1):
    return struct.pack('<IIII', t, req, tx, len(payload)) + payload
seeds = {
    'read': msg(2, b'/a\0'),
    'write': msg(11, b'/a/b\0value'),
    'mkdir': msg(12, b'/a/c\0'),
    'rm': msg(13, b'/a\0'),
    'dir': msg(11, b'/d/x\0') + msg(1, b'/d\0'),
    'dirpart': msg(11, b'/d/x\0') + msg(22, b'/d\0' + b'0\0'),
    'perms': msg(11, b'/p\0') + msg(14, b'/p\0n0\0r5\0') + msg(3, b'/p\0'),
    'watch': msg(4, b'/w\0tok\0') + msg(11, b'/w/x\0') + msg(5, b'/w\0tok\0'),
    'tx': msg(6, b'\0') + msg(11, b'/t\0v', tx=1) + msg(7, b'T\0', tx=1),
    'txrm': msg(11, b'/r/a/b\0') + msg(6, b'\0') + msg(13, b'/r/a\0', tx=1)
            + msg(11, b'/r/a/c\0', tx=1) + msg(1, b'/r/a\0', tx=1)
            + msg(7, b'T\0', tx=1),
    'intro': msg(4, b'@introduceDomain\0i\0') + msg(8, b'3\0' b'12\0' b'4\0')
             + msg(17, b'3\0') + msg(9, b'3\0'),
    'control': msg(0, b'quota\0nodes\0' b'5\0') + msg(0, b'set-domid\0' b'5\0')
               + msg(11, b'x\0y'),
    'domain': msg(10, b'5\0') + msg(21, b'\0'),
}
for name, data in seeds.items():
    with open(os.path.join(out, name), 'wb') as f:
        f.write(b'\x01' + data)
    with open(os.path.join(out, name + '-dom5'), 'wb') as f:
        f.write(b'\x0a' + data)
PY

"$WORK/fuzz_proto" -max_total_time="$SECS" -max_len=9000 -timeout=10 \
	-error_exitcode=1 -print_final_stats=1 "$WORK/corpus" 2>&1 | tail -20
