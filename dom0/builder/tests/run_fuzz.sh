#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run_fuzz.sh - build the builder's libFuzzer target with clang and run
# it briefly.  Exits 77 (meson: skipped) if clang cannot build
# -fsanitize=fuzzer.
#
# Usage: run_fuzz.sh SRCDIR WORKDIR [SECONDS]
set -eu -o pipefail
SRC=$1
WORK=$2
SECS=${3:-10}
B=$SRC/dom0/builder
L=$SRC/libqhv

command -v clang >/dev/null || { echo "clang not found: skipping"; exit 77; }
mkdir -p "$WORK/corpus"
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)
{ (void)d; (void)n; return 0; }' > "$WORK/probe.c"
if ! clang -fsanitize=fuzzer "$WORK/probe.c" -o "$WORK/probe" 2>/dev/null; then
	echo "clang -fsanitize=fuzzer does not work: skipping"
	exit 77
fi

# The builder, the hv parsers it compiles unchanged, and libqhv (for the
# executor's symbols; the fuzzer only plans).
clang -g -O1 -D_GNU_SOURCE -Dprintk=qhvbuild_printk \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I"$B" -I"$SRC/hv/include" -I"$SRC/include" -I"$L/include" \
	"$B/tests/fuzz_build.c" "$B/builder.c" "$B/printk.c" \
	"$SRC/hv/core/image.c" "$SRC/hv/core/mbinfo.c" \
	"$L/libqhv.c" "$L/fake.c" \
	-o "$WORK/fuzz_build"

# Seeds: byte 0 = options, then a small kernel of each kind.
python3 - "$WORK/corpus" <<'PY'
import os, struct, sys
out = sys.argv[1]

def mb1(flags, kludge=None):
    f = flags | (1 << 16 if kludge else 0)
    h = struct.pack('<III', 0x1BADB002, f, (-(0x1BADB002 + f)) & 0xffffffff)
    return h + (struct.pack('<5I', *kludge) if kludge else b'')

def mb2(tags=b''):
    end = struct.pack('<HHI', 0, 0, 8)
    ln = 16 + len(tags) + len(end)
    return struct.pack('<IIII', 0xE85250D6, 0, ln,
                       (-(0xE85250D6 + ln)) & 0xffffffff) + tags + end

def place(img, off, data):
    img = bytearray(img)
    if len(img) < off + len(data):
        img += bytes(off + len(data) - len(img))
    img[off:off + len(data)] = data
    return bytes(img)

def elf32(entry, segs):
    eh = b'\x7fELF\x01\x01\x01' + bytes(9) + struct.pack('<HHIIIIIHHHHHH',
        2, 3, 1, entry, 52, 0, 0, 52, 32, len(segs), 0, 0, 0)
    img = eh
    for off, va, pa, fs, ms in segs:
        img += struct.pack('<8I', 1, off, va, pa, fs, ms, 7, 0x1000)
    for off, va, pa, fs, ms in segs:
        img = place(img, off, bytes((i * 7) & 0xff for i in range(fs)))
    return img

def elf64(entry, segs):
    eh = b'\x7fELF\x02\x01\x01' + bytes(9) + struct.pack('<HHIQQQIHHHHHH',
        2, 62, 1, entry, 64, 0, 0, 64, 56, len(segs), 0, 0, 0)
    img = eh
    for off, va, pa, fs, ms in segs:
        img += struct.pack('<IIQQQQQQ', 1, 7, off, va, pa, fs, ms, 0x1000)
    for off, va, pa, fs, ms in segs:
        img = place(img, off, bytes((i * 5) & 0xff for i in range(fs)))
    return img

seeds = {
    'elf32-mb1': place(elf32(0x100010, [(0x1000, 0x100000, 0x100000, 0x300, 0x2000),
                                        (0x2000, 0x200000, 0x200000, 0x80, 0x80)]),
                       0x200, mb1(3)),
    'elf64-mb2': place(elf64(0xffffffff80100020, [(0x1000, 0xffffffff80100000, 0x100000,
                                                   0x400, 0x1800)]), 0x400, mb2()),
    'aout-kludge': place(place(b'', 0x40, mb1(0, (0x100040, 0x100000, 0, 0x104000,
                                                  0x100060))), 0x7ff, b'\x90'),
    'mb2-addr': place(mb2(struct.pack('<HHI4I', 2, 0, 24, 0x200000, 0x200000, 0x200400,
                                      0x201000) + struct.pack('<HHII', 3, 0, 12, 0x200100)
                          + bytes(4)), 0x5ff, b'\xf4'),
}
for name, img in seeds.items():
    for opt in (0x00, 0x21, 0x42, 0x90):
        with open(os.path.join(out, '%s-%02x' % (name, opt)), 'wb') as f:
            f.write(bytes([opt]) + img)
PY

"$WORK/fuzz_build" -max_total_time="$SECS" -max_len=20000 -timeout=10 \
	-error_exitcode=1 -print_final_stats=1 "$WORK/corpus" 2>&1 | tail -20
