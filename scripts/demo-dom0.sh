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
# appvm1 is the Debian kernel as a Linux AppVM (examples/linux-appvm.xml):
# wait for its /init line, then type a command into its shell.
echo "== waiting for the Linux AppVM appvm1 (a few emulated minutes)"
i=0
until qhv console appvm1 --no-follow < /dev/null | grep -q 'appvm: init reached'; do
	i=$((i + 5))
	if [ "$i" -ge 900 ] || ! qhv info appvm1 > /dev/null 2>&1; then
		echo "appvm1 did not reach its /init"; qhv list; break
	fi
	sleep 5
done
printf 'echo "hello from $(hostname): $(uname -sr), $(nproc) vCPUs"\n' |
	qhv console appvm1 --no-follow > /dev/null
sleep 5
echo "== qhv console appvm1 --no-follow"
qhv console appvm1 --no-follow < /dev/null | tail -4
echo "== qhv pool"
qhv pool
echo "== done; powering off"
