#!/bin/sh
# Capture ACPI tables (and the Multiboot1 info) from QEMU q35 with an
# Intel IOMMU, QEMU pc, and Bochs, into tests/unit/data/.  Run one
# emulator at a time; needs qemu-system-x86, bochs, bochsbios, vgabios,
# grub-pc-bin, grub-common, xorriso, mtools.
set -eu
src=$(cd "$(dirname "$0")" && pwd)
data=$src/../data
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$src/build.sh" "$work"
cd "$work"

qemu() { # name, machine args...
	name=$1
	shift
	timeout 120 qemu-system-x86_64 "$@" -m 256 -kernel capture.elf \
		-append "capture $name" -display none -serial "file:$name.log" \
		-device isa-debug-exit,iobase=0xf4,iosize=1 -no-reboot || true
	python3 "$src/log2fixtures.py" "$name.log" "$data/acpi/$name" "$data/mbinfo/$name"
}
qemu qemu-q35-iommu -machine q35 -device intel-iommu,intremap=on -smp 2
qemu qemu-pc -machine pc -smp 1

# bochs.bxrc is /work/shared/facts/bochs-ci.bxrc, kept here so the
# capture can be redone anywhere; 2 CPUs so the MADT shows both.
sed -e "s|path=test.iso|path=$work/capture.iso|" -e "s|dev=serial.log|dev=$work/bochs.log|" \
    -e "s|^log: .*|log: $work/bochs.out|" -e 's|count=1,|count=2,|' \
    "$src/bochs.bxrc" > bochs.bxrc
echo 'vga: extension=none' >> bochs.bxrc
printf 'c\nquit\n' > bochs.rc
timeout 300 bochs -q -f bochs.bxrc -rc bochs.rc </dev/null >/dev/null 2>&1 || true
python3 "$src/log2fixtures.py" bochs.log "$data/acpi/bochs" "$data/mbinfo/bochs-grub"
