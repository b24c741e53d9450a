#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run_fuzz.sh - build the hv boot-information parser's libFuzzer target
# (tests/unit/fuzz/fuzz_mbinfo.c with hv/core/mbinfo.c unchanged) with
# clang and run it briefly.  Exits 77 (meson: skipped) if clang cannot
# build -fsanitize=fuzzer.
#
# Usage: run_fuzz.sh SRCDIR WORKDIR [SECONDS]
set -eu -o pipefail
SRC=$1
WORK=$2
SECS=${3:-10}
U=$SRC/tests/unit

command -v clang >/dev/null || { echo "clang not found: skipping"; exit 77; }
mkdir -p "$WORK/corpus"
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)
{ (void)d; (void)n; return 0; }' > "$WORK/probe.c"
if ! clang -fsanitize=fuzzer "$WORK/probe.c" -o "$WORK/probe" 2>/dev/null; then
	echo "clang -fsanitize=fuzzer does not work: skipping"
	exit 77
fi

clang -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined \
	-I"$SRC/hv/include" -I"$SRC/include" -I"$U/harness" \
	"$U/fuzz/fuzz_mbinfo.c" "$SRC/hv/core/mbinfo.c" "$U/harness/harness.c" \
	-o "$WORK/fuzz_mbinfo"

# Seeds: a GRUB-like Multiboot2 block and a QEMU-like Multiboot1 block,
# each with a command line, two modules and a memory map.
python3 - "$WORK/corpus" <<'PY'
import os, struct, sys
out = sys.argv[1]

def tag(t, payload):
    b = struct.pack('<II', t, 8 + len(payload)) + payload
    return b + bytes(-len(b) % 8)

def mb2(at):
    mmap = struct.pack('<II', 24, 0) + b''.join(
        struct.pack('<QQII', b, l, ty, 0) for b, l, ty in
        ((0, 0x9fc00, 1), (0x100000, 0x7ee0000, 1), (0xfee00000, 0x1000, 2)))
    body = (tag(1, b'loglvl=debug noreboot\0') + tag(2, b'GRUB 2.06\0') +
            tag(3, struct.pack('<II', 0x4000, 0x5000) + b'/boot/vmlinux dom0 quiet\0') +
            tag(3, struct.pack('<II', 0x5000, 0x6000) + b'/boot/initrd dom0-initrd\0') +
            tag(4, struct.pack('<II', 639, 130048)) + tag(6, mmap) +
            tag(14, b'RSD PTR ' + bytes(12)) + tag(0, b''))
    return struct.pack('<II', 8 + len(body), 0) + body

def mb1(at):
    b = bytearray(0x800)
    struct.pack_into('<I', b, 0, 0x4f)
    struct.pack_into('<II', b, 4, 639, 130048)
    struct.pack_into('<I', b, 16, at + 0x100)
    b[0x100:0x100 + 14] = b'/boot/qhv.elf\0'
    struct.pack_into('<II', b, 20, 2, at + 0x200)
    struct.pack_into('<IIII', b, 0x200, 0x4000, 0x5000, at + 0x300, 0)
    struct.pack_into('<IIII', b, 0x210, 0x5000, 0x5000, 0, 0)
    b[0x300:0x300 + 16] = b'guest.elf dom=a\0'
    struct.pack_into('<II', b, 44, 2 * 24, at + 0x400)
    struct.pack_into('<IQQI', b, 0x400, 20, 0, 0x9fc00, 1)
    struct.pack_into('<IQQI', b, 0x418, 20, 0x100000, 0x7ee0000, 1)
    return bytes(b)

for sel in (0x00, 0x10, 0x40):
    at = (sel >> 1) * 8
    for name, blk, s in (('mb1', mb1(at), sel), ('mb2', mb2(at), sel | 1)):
        with open(os.path.join(out, '%s-%02x' % (name, s)), 'wb') as f:
            f.write(bytes([s]) + blk)
PY

"$WORK/fuzz_mbinfo" -max_total_time="$SECS" -max_len=8192 -timeout=10 \
	-error_exitcode=1 -print_final_stats=1 "$WORK/corpus" 2>&1 | tail -20
