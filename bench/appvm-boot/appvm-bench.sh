#!/bin/sh
# SPDX-License-Identifier: MIT
# dom0 side of bench/appvm-boot/run: one AppVM (128 MiB, 2 vCPUs) from
# `qhv create` to its /init and to its shell prompt, read on dom0's clock
# (the same TSC as the hv's and the AppVM's), and the hv pool frames it
# took beyond its RAM.  Prints "bench: key=value ..." lines; run by
# qhv-emu --dom0-script.
A=/usr/lib/qhv/appvm
T=/tmp/bench
mkdir -p "$T"
up() { read -r u _ < /proc/uptime; echo "$u"; }
free_frames() { qhv pool --json | sed -n 's/^  "free_frames": \([0-9]*\).*/\1/p'; }
cat > "$T/vm.xml" <<XML
<domain type='qhv'>
  <name>bench</name>
  <memory unit='MiB'>128</memory>
  <vcpu>2</vcpu>
  <os>
    <type arch='x86_64'>hvm</type>
    <kernel>$A/vmlinuz</kernel>
    <initrd>$A/initrd.cpio</initrd>
    <cmdline>${BENCH_CMDLINE:-console=ttyS0 loglevel=4}</cmdline>
  </os>
</domain>
XML
f0=$(free_frames)
t0=$(up)
qhv create --no-monitor "$T/vm.xml" > /dev/null || { echo "bench: create failed"; exit 1; }
t1=$(up)
f1=$(free_frames)
mkfifo "$T/con"
qhv console bench < /dev/null > "$T/con" &
cp=$!
ti= ts=
while IFS= read -r line; do
	case "$line" in
	"appvm: init reached"*) ti=$(up) ;;
	"appvm: shell up"*) ts=$(up); break ;;
	esac
done < "$T/con"
kill "$cp" 2> /dev/null
echo "bench: create_start=$t0 create_done=$t1 init_at=${ti:-none} shell_at=${ts:-none} free_before=$f0 free_after=$f1 ram_mib=128"
qhv console bench --no-follow < /dev/null | tr -d '\r' | grep '^appvm: '
qhv destroy bench
echo "bench: free_end=$(free_frames)"
