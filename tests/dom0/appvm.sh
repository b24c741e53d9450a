#!/bin/sh
# SPDX-License-Identifier: MIT
# Linux AppVMs from dom0 under the real hv (tests/dom0/meson.build,
# 'appvm-*'): run by qhv-emu --dom0-script in the dom0 image, whose
# /usr/lib/qhv/appvm holds the Debian kernel and the AppVM initramfs
# (dom0/image/appvm-init).
#
#   vm1 (128 MiB, 2 vCPUs, on_reboot=restart, on_crash=preserve): its
#   init line (nproc, MemTotal, the hypervisor flag), commands typed
#   through `qhv console` run in its shell (uname, nproc, the UART
#   interrupt, the RTC, the TSC clocksource); `reboot -f` -> the monitor
#   `qhv create` left rebuilds it (same name and uuid, a new id); while
#   it boots again vm2 (1 vCPU, on_poweroff=destroy) boots beside it:
#   two AppVMs and dom0 on 2 CPUs, all three shells answering; `poweroff
#   -f` in vm2 -> shut down and gone; a probe of guest-physical memory
#   above vm1's RAM crashes it (nothing of dom0's or the hv's is there)
#   and on_crash=preserve keeps it listed as crashed with the reason; an
#   AppVM destroyed mid-boot; pool frames equal before and after.
#
# Every check prints "PASS name ..." or "FAIL name ..." and again as
# "RESULT ..." at the end; the last line is "appvm: N checks, M failed".
A=${QHV_APPVM:-/usr/lib/qhv/appvm}
BOOT_WAIT=${BOOT_WAIT:-900}
CMDLINE=${APPVM_CMDLINE:-console=ttyS0 loglevel=4 pti=off cryptomgr.notests}
T=/tmp/appvm
mkdir -p "$T"
: > "$T/results"
checks=0
fails=0
pass() { checks=$((checks + 1)); echo "PASS $*"; echo "PASS $*" >> "$T/results"; }
fail() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; echo "FAIL $*" >> "$T/results"; }
check() {
	n=$1 d=$2
	shift 2
	if "$@"; then pass "$n $d"; else fail "$n $d"; fi
}
now() { read -r up _ < /proc/uptime; echo "${up%.*}"; }
jf() {
	qhv info "$1" --json 2>/dev/null |
		sed -n "s/^  \"$2\": //p" | sed 's/,$//; s/^"//; s/"$//'
}
pool_free() {
	qhv pool --json | sed -n 's/^  "free_frames": \([0-9]*\).*/\1/p'
}
console() { qhv console "$1" --no-follow < /dev/null; }

# mkvm NAME MEM_MiB VCPUS ON_POWEROFF ON_REBOOT ON_CRASH
# The command line: pti=off and cryptomgr.notests skip the Debian
# kernel's W+X check of the PTI user page tables and its crypto
# self-tests, emulated boot time this test does not need (it is about
# the platform, not the guest's own mitigations; ~280 and ~10 emulated
# seconds when measured, before the scheduler stopped entering halted
# vCPUs while another had work).
mkvm() {
	cat > "$T/$1.xml" <<XML
<domain type='qhv'>
  <name>$1</name>
  <memory unit='MiB'>$2</memory>
  <vcpu>$3</vcpu>
  <os>
    <type arch='x86_64'>hvm</type>
    <kernel>$A/vmlinuz</kernel>
    <initrd>$A/initrd.cpio</initrd>
    <cmdline>$CMDLINE</cmdline>
  </os>
  <on_poweroff>$4</on_poweroff>
  <on_reboot>$5</on_reboot>
  <on_crash>$6</on_crash>
</domain>
XML
}

# wait_console DOM REGEX SECONDS: the console ring shows REGEX.
wait_console() {
	end=$(($(now) + $3))
	while [ "$(now)" -le "$end" ]; do
		console "$1" | grep -q "$2" && return 0
		[ "$(jf "$1" state)" = crashed ] && return 1
		sleep 2
	done
	return 1
}
wait_state() {
	end=$(($(now) + $3))
	while [ "$(now)" -le "$end" ]; do
		[ "$(jf "$1" state)" = "$2" ] && return 0
		sleep 1
	done
	return 1
}
# run DOM MARK COMMAND: type COMMAND into DOM's shell, wait for the
# line "MARK done" it echoes after it, print the console up to there
# (the whole ring: the shell's echo of a long command wraps at 80
# columns, so the command line itself is no reliable start marker).
run() {
	printf '%s; echo %s done\n' "$3" "$2" | qhv console "$1" --no-follow > /dev/null
	wait_console "$1" "^$2 done" 300 || return 1
	console "$1" | tr -d '\r' | sed -n "1,/^$2 done/p"
}
show() {
	echo "--- console of $1"
	console "$1" | tail -n "${2:-40}"
	echo "---"
	qhv info "$1" 2>&1 | head -20
}

t0=$(now)
echo "appvm: start at ${t0}s: $(qhv --version)"
pool0=$(pool_free)
check kernel-present "$(ls -l $A 2>&1 | tr '\n' ' ')" test -s "$A/vmlinuz" -a -s "$A/initrd.cpio"

# ------------------------------------------------------------ one AppVM
mkvm vm1 128 2 destroy restart preserve
if qhv create "$T/vm1.xml" > "$T/out" 2>&1; then pass "create-vm1 $(cat "$T/out")"
else fail "create-vm1 $(cat "$T/out")"; fi
t1=$(now)
if wait_console vm1 '^appvm: init reached' "$BOOT_WAIT"; then
	pass "vm1-init $(( $(now) - t1 ))s: $(console vm1 | grep '^appvm: init reached' | tr -d '\r')"
else
	fail "vm1-init state=$(jf vm1 state)"
	show vm1 80
fi
line=$(console vm1 | grep '^appvm: init reached' | tr -d '\r')
mem=$(echo "$line" | sed -n 's/.*memtotal_kb=\([0-9]*\).*/\1/p')
check vm1-nproc "$line" sh -c "echo '$line' | grep -q ' nproc=2 '"
check vm1-hypervisor-flag "" sh -c "echo '$line' | grep -q 'hypervisor=yes'"
# MemTotal: 128 MiB less what the Debian kernel keeps for itself (its
# image, memmap, reserved low memory: ~46 MiB measured).
check vm1-memtotal "memtotal_kb=$mem" sh -c "[ '${mem:-0}' -gt $((72 * 1024)) ] && [ '${mem:-0}' -le $((128 * 1024)) ]"
out=$(run vm1 M1 'uname -sr; nproc; grep -c ^processor /proc/cpuinfo')
echo "$out"
check vm1-console-shell "$(echo "$out" | tr '\n' '|')" sh -c "echo '$out' | grep -q '^Linux 6\.'"
check vm1-shell-nproc "" sh -c "echo '$out' | tail -n 4 | grep -qx 2"
out=$(run vm1 M2 'cat /proc/interrupts | grep -i -e serial -e ttyS; date -u +%Y')
echo "$out"
check vm1-uart-irq "$(echo "$out" | tr '\n' '|')" sh -c "echo '$out' | grep -qi 'IO-APIC.*ttyS0\|ttyS0'"
check vm1-rtc-year "" sh -c "echo '$out' | grep -qE '^20[2-9][0-9]$'"
# Time: the TSC is Linux's clocksource and stays so (CPUID 0x15/0x16,
# invariant TSC and TSC_ADJUST: no PIT calibration, no watchdog), and
# the kernel says so; then every printk reaches the console (reboot).
# Its x2APIC lines (dmesg-x2apic:, quotes dropped: the checks quote $out)
# say which APIC mode it chose.
out=$(run vm1 M3 'dmesg | grep -i x2apic | sed -e "s/[^[:alnum:] :.()_-]//g" -e "s/^/dmesg-x2apic: /"; cat /sys/devices/system/clocksource/clocksource0/current_clocksource; for f in constant_tsc nonstop_tsc tsc_adjust tsc_known_freq x2apic; do grep -qw $f /proc/cpuinfo && echo flag-$f; done; dmesg | grep -c -e "Fast TSC calibration failed" -e "Marking clocksource .tsc. as unstable"; echo 8 > /proc/sys/kernel/printk')
echo "$out"
check vm1-clocksource-tsc "$(echo "$out" | tr '\n' '|')" sh -c "echo '$out' | grep -qx tsc"
check vm1-tsc-flags "" sh -c "echo '$out' | grep -q flag-tsc_known_freq && echo '$out' | grep -q flag-tsc_adjust"
# x2APIC is offered (CPUID.1:ECX); what Linux makes of it is logged above.
check vm1-x2apic-offered "" sh -c "echo '$out' | grep -qx flag-x2apic"
check vm1-no-pit-no-watchdog "" sh -c "echo '$out' | grep -B1 '^M3 done' | head -1 | grep -qx 0"
# CPU hotplug: Linux parks an offline CPU in cli; hlt and brings it back
# with INIT-SIPI, which must restart a vCPU that already ran.
out=$(run vm1 M4 'echo 0 > /sys/devices/system/cpu/cpu1/online; echo 1 > /sys/devices/system/cpu/cpu1/online; echo online=$(cat /sys/devices/system/cpu/online)')
echo "$out" | tail -n 3
check vm1-cpu-offline-online "$(echo "$out" | grep '^online=' | tail -n 1)" sh -c "echo '$out' | grep -qx 'online=0-1'"

# ------------------------------------------------------------ reboot
# on_reboot=restart: the monitor destroys vm1 and builds it again from
# the same file: same name and uuid, a new id.
uuid1=$(jf vm1 uuid)
id1=$(jf vm1 id)
printf 'reboot -f\n' | qhv console vm1 --no-follow > /dev/null
end=$(($(now) + 180))
while [ "$(now)" -le "$end" ]; do
	id=$(jf vm1 id)
	[ -n "$id" ] && [ "$id" != "$id1" ] && break
	sleep 1
done
check vm1-restarted "id $id1 -> ${id:-none} uuid $(jf vm1 uuid) state $(jf vm1 state)" \
	sh -c "[ -n '$id' ] && [ '$id' != '$id1' ] && [ '$(jf vm1 uuid)' = '$uuid1' ]"
check vm1-monitor-log "$(grep -h 'rebooted' /run/qhv/monitor-vm1.log 2>&1 | head -1)" \
	grep -q 'vm1 (id [0-9]*) rebooted: restart' /run/qhv/monitor-vm1.log

# ------------------------------------------------------------ two at once
# vm1 boots again while vm2 boots: two AppVMs and dom0 on 2 CPUs.
mkvm vm2 128 1 destroy destroy destroy
qhv create "$T/vm2.xml" > "$T/out" 2>&1 || fail "create-vm2 $(cat "$T/out")"
t1=$(now)
for d in vm1 vm2; do
	if wait_console $d '^appvm: init reached' "$BOOT_WAIT"; then
		pass "$d-init-again $(( $(now) - t1 ))s"
	else
		fail "$d-init-again state=$(jf $d state)"
		show $d
	fi
done
for d in vm1 vm2; do
	out=$(run $d "X$d" "echo hello-from-\$(hostname)-$d")
	check $d-shell "$(echo "$out" | tr '\n' '|')" sh -c "echo '$out' | grep -q '^hello-from-appvm-$d'"
done
check dom0-shell-too "" sh -c 'echo ok | grep -q ok'
qhv list

# ------------------------------------------------------------ poweroff
# on_poweroff=destroy: shut down, then gone.
id2=$(jf vm2 id)
printf 'poweroff -f\n' | qhv console vm2 --no-follow > /dev/null
end=$(($(now) + 120))
while [ "$(now)" -le "$end" ] && qhv info vm2 > /dev/null 2>&1; do sleep 1; done
check vm2-poweroff-gone "" sh -c '! qhv info vm2 > /dev/null 2>&1'
check vm2-monitor-log "" grep -q "vm2 (id $id2) powered off: destroy" /run/qhv/monitor-vm2.log

# ------------------------------------------------------------ probe
# Guest-physical 1 GiB lies above vm1's RAM: nothing of dom0's or the
# hv's is there, so the load faults the domain (crashed, on_crash=
# preserve).  devmem maps /dev/mem: read() stops at the top of RAM.
printf 'devmem 0x40000000 32\n' | qhv console vm1 --no-follow > /dev/null
if wait_state vm1 crashed 120; then
	pass "vm1-probe-crashed reason=$(jf vm1 crash_reason)"
else
	fail "vm1-probe-crashed state=$(jf vm1 state)"
	show vm1
fi
check vm1-probe-reason "" sh -c 'qhv info vm1 --json | grep -q "EPT violation gpa=0x40000000"'
check vm1-list-crashed "" sh -c 'qhv list | grep -E "vm1 .*crashed"'
sleep 3
check vm1-preserved "" sh -c 'qhv list | grep -E "vm1 .*crashed"'
qhv destroy vm1

# ------------------------------------------------------------ mid-boot destroy
mkvm vm4 96 2 destroy destroy destroy
qhv create --no-monitor "$T/vm4.xml" > /dev/null 2>&1
sleep 3
check vm4-destroy-mid-boot "" qhv destroy vm4
sleep 2
pool1=$(pool_free)
check pool-equal "before=$pool0 after=$pool1" [ "$pool0" = "$pool1" ]
check dmesg-clean "" sh -c '! dmesg | grep -E "(BUG|WARNING): |Oops|Call Trace"'

echo "appvm: done in $(( $(now) - t0 ))s"
sed 's/^/RESULT /' "$T/results"
echo "appvm: $checks checks, $fails failed"
[ "$fails" = 0 ]
