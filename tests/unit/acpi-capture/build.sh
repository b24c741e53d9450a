#!/bin/sh
# Build the capture kernel (and a GRUB rescue ISO for Bochs) into $1.
# (-Wno-array-bounds: gcc 12 flags reads of fixed low physical addresses.)
set -eu
src=$(cd "$(dirname "$0")" && pwd)
out=${1:-$src/build}
mkdir -p "$out/iso/boot/grub"
gcc -m32 -O2 -ffreestanding -fno-pic -fno-stack-protector -nostdlib -static \
    -no-pie -Wall -Wextra -Werror -Wno-array-bounds -Wl,-T,"$src/capture.ld" -Wl,--build-id=none \
    -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
    "$src/entry.S" "$src/capture.c" -o "$out/capture.elf"
cp "$out/capture.elf" "$out/iso/boot/"
cat > "$out/iso/boot/grub/grub.cfg" <<'CFG'
set timeout=0
menuentry capture {
	multiboot /boot/capture.elf capture
	boot
}
CFG
grub-mkrescue -o "$out/capture.iso" "$out/iso" >/dev/null 2>&1
