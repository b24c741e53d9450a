#!/bin/sh
# What the non-interactive demo runs inside dom0.
echo "== dom0: $(uname -sr) on $(grep -c ^processor /proc/cpuinfo) vCPU(s)"
grep -E 'MemTotal|MemFree' /proc/meminfo
grep -o 'hypervisor' /proc/cpuinfo | head -1 | sed 's/^/cpu flag: /'
echo "== PCI devices"
for d in /sys/bus/pci/devices/*; do
	echo "  ${d##*/} $(cat "$d/vendor"):$(cat "$d/device")"
done
echo "== block devices: $(ls /sys/block | tr '\n' ' ')"
echo "== interrupts"
head -8 /proc/interrupts
echo "== AppVMs (qhv create, from /usr/share/qhv/examples, by qhv.demo)"
qhv list
sleep 5
for d in appvm-hello appvm-ticker; do
	echo "== qhv console $d --no-follow"
	qhv console "$d" --no-follow < /dev/null | tail -4
done
echo "== qhv pool"
qhv pool
echo "== done; powering off"
