#!/bin/sh
# SPDX-License-Identifier: MIT
# qhv dom0 self-test: what dom0 must see when it runs under qhv.
# In the image as /usr/libexec/qhv/selftest.sh; run it with
#   qhv.script=/usr/libexec/qhv/selftest.sh
# Each check prints "PASS name [note]" or "FAIL name detail"; the exit
# status is 0 only if every check passed.  Values the hv decides are read
# from the kernel command line: qhv.dom0_mem=MiB, qhv.dom0_cpus=N,
# qhv.hv_range=0xSTART-0xEND.  A missing token fails its check: the hv is
# expected to pass all three.

# For host-side tests of the script's logic only: a different command line
# file and physical-memory device.
CMDLINE=${QHV_SELFTEST_CMDLINE:-/proc/cmdline}
DEVMEM=${QHV_SELFTEST_DEVMEM:-/dev/mem}

fails=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

cmdline_value() { # NAME -> value of NAME= on the kernel command line
	read -r line < "$CMDLINE"
	# Unquoted on purpose: the command line is split into its words.
	for tok in $line; do
		case "$tok" in
		"$1"=*) echo "${tok#*=}"; return 0 ;;
		esac
	done
	return 1
}

# /proc/cpuinfo "flags" of the first CPU, one word per line.
cpu_flags() { grep -m1 '^flags' /proc/cpuinfo | sed 's/^[^:]*://' | tr ' ' '\n'; }

# --- cpuid: the hv sets CPUID.1:ECX.hypervisor and hides VMX.
if ! cpu_flags | grep -qx hypervisor; then
	fail cpuid-flags "no 'hypervisor' flag in /proc/cpuinfo"
elif cpu_flags | grep -qx vmx; then
	fail cpuid-flags "'vmx' flag visible in /proc/cpuinfo"
else
	pass cpuid-flags "hypervisor flag set, vmx hidden"
fi

# --- cpuid-signature: leaf 0x40000000 = "QHVQHVQHVQHV", 0x40000001 EAX = ABI.
if out=$(qhv-cpuid 2>&1); then
	pass cpuid-signature "$out"
else
	fail cpuid-signature "$out"
fi

# --- memory: MemTotal is RAM less what the kernel keeps for itself: about
# 50 MiB for this kernel (image, bss, memmap, low 1 MiB) plus ~1.6% for the
# page structs (measured bare in QEMU, docs/dom0-image.md).  So pass when
# MemTotal <= the amount given and >= 80% of it - or, for small dom0s where
# the fixed part is more than 20%, >= given - 72 MiB.  The upper bound is the
# one that matters for isolation: dom0 must not see more RAM than it was given.
if mem_mib=$(cmdline_value qhv.dom0_mem); then
	total_kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
	given_kib=$((mem_mib * 1024))
	low_kib=$((given_kib * 80 / 100))
	[ $((given_kib - 72 * 1024)) -lt "$low_kib" ] && low_kib=$((given_kib - 72 * 1024))
	if [ "$total_kib" -le "$given_kib" ] && [ "$total_kib" -ge "$low_kib" ]; then
		pass memory "MemTotal $total_kib kB of $given_kib kB given ($((total_kib * 100 / given_kib))%)"
	else
		fail memory "MemTotal $total_kib kB not within $low_kib-$given_kib kB (qhv.dom0_mem=$mem_mib)"
	fi
else
	fail memory "no qhv.dom0_mem= on the kernel command line"
fi

# --- devmem-isolation: the hv image must not be readable through /dev/mem.
# The hv puts the marker "QHV-HV-IMAGE" at the start of its image range; we
# fail only if we read exactly that.  CONFIG_STRICT_DEVMEM may refuse the read
# (RAM is off limits there), which also passes.
if ! range=$(cmdline_value qhv.hv_range); then
	fail devmem-isolation "no qhv.hv_range= on the kernel command line"
elif ! echo "$range" | grep -qE '^0x[0-9a-fA-F]+-0x[0-9a-fA-F]+$'; then
	fail devmem-isolation "qhv.hv_range=$range is not 0xSTART-0xEND"
else
	start=$((${range%-*}))
	page=$((start / 4096))
	off=$((start % 4096))
	if dd if="$DEVMEM" of=/tmp/hvpage bs=4096 skip=$page count=1 \
		2>/tmp/hvpage.err; then
		dd if=/tmp/hvpage bs=1 skip=$off count=12 2>/dev/null > /tmp/hvbytes
		printf 'QHV-HV-IMAGE' > /tmp/hvmarker
		if cmp -s /tmp/hvbytes /tmp/hvmarker; then
			fail devmem-isolation "read the hv marker at $range through $DEVMEM"
		elif [ ! -s /tmp/hvbytes ]; then
			pass devmem-isolation "read at ${range%-*} returned no data"
		else
			pass devmem-isolation "read at ${range%-*} gave non-hv bytes: $(od -An -tx1 -N12 /tmp/hvbytes | tr -s ' ')"
		fi
	else
		pass devmem-isolation "read at ${range%-*} refused: $(head -n1 /tmp/hvpage.err)"
	fi
fi

# --- pci: dom0 sees the PCI bus.
npci=0
for d in /sys/bus/pci/devices/*; do
	[ -e "$d" ] || continue
	npci=$((npci + 1))
	echo "  pci $(basename "$d") $(cat "$d/vendor"):$(cat "$d/device") class $(cat "$d/class")"
done
if [ "$npci" -gt 0 ]; then
	pass pci "$npci devices"
else
	fail pci "/sys/bus/pci/devices is empty"
fi

# --- disks: an sd*/sr* block device (the boot CD-ROM is ATAPI on ata0 under
# Bochs) or any partition.  SCSI scanning is asynchronous: wait up to 10 s.
disks=
i=0
while [ $i -lt 20 ]; do
	disks=
	for b in /sys/block/sd* /sys/block/sr*; do
		[ -e "$b" ] && disks="$disks${b#/sys/block/} "
	done
	[ -n "$disks" ] && break
	[ "$(awk 'NR > 2' /proc/partitions | wc -l)" -gt 0 ] && break
	sleep 0.5
	i=$((i + 1))
done
if [ -n "$disks" ]; then
	pass disks "$disks"
elif [ "$(awk 'NR > 2' /proc/partitions | wc -l)" -gt 0 ]; then
	pass disks "/proc/partitions: $(awk 'NR > 2 { printf "%s ", $4 }' /proc/partitions)"
else
	fail disks "no sd*/sr* in /sys/block and /proc/partitions is empty"
fi

# --- timer: sleep 1 returns and /proc/uptime advances by at least 1 s
# (0.995: uptime has 10 ms steps and awk subtracts in binary floating point).
read -r u0 _ < /proc/uptime
sleep 1
read -r u1 _ < /proc/uptime
if awk -v a="$u0" -v b="$u1" 'BEGIN { exit !(b - a >= 0.995) }'; then
	pass timer "uptime $u0 -> $u1"
else
	fail timer "uptime $u0 -> $u1 across sleep 1"
fi

# --- cpus: as many CPUs online as the hv gave dom0.
ncpu=$(grep -c '^processor' /proc/cpuinfo)
if want=$(cmdline_value qhv.dom0_cpus); then
	if [ "$ncpu" -eq "$want" ]; then
		pass cpus "$ncpu"
	else
		fail cpus "/proc/cpuinfo has $ncpu processors, qhv.dom0_cpus=$want"
	fi
else
	fail cpus "no qhv.dom0_cpus= on the kernel command line ($ncpu processors)"
fi

echo "selftest: $fails failed"
[ "$fails" -eq 0 ]
