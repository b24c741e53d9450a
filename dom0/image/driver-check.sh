#!/bin/sh
# SPDX-License-Identifier: MIT
# qhv dom0 driver check (docs/driver.md): what /init's loading of qhv.ko
# must have done.  In the image as /usr/libexec/qhv/driver-check.sh; run it
# with qhv.script=/usr/libexec/qhv/driver-check.sh.
#
# Under qhv (qhv-cpuid says so): the module is loaded, /dev/qhv is
# crw------- root, the ioctls reach the driver's own checks and the hv,
# and neither a non-root user nor root without CAP_SYS_ADMIN can open it.
# Anywhere else: the module refused to load with one kernel error line.
#
# Each check prints "PASS name [note]" or "FAIL name detail"; the last line
# is "driver-check: N failed"; exit status 0 only if all passed.

fails=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

# probe CHECK [OPTIONS] -> the result part of qhv-ioctl-probe's line
# ("ok ..." or "error ENAME (...)").
probe() {
	check=$1
	shift
	qhv-ioctl-probe "$@" "$check" 2>&1 | sed -n "s/^$check: //p"
}

# expect_errno NAME ENAME CHECK [OPTIONS]: CHECK must fail with ENAME.
expect_errno() {
	name=$1 want=$2
	shift 2
	got=$(probe "$@")
	case "$got" in
	"error $want "*) pass "$name" "$got" ;;
	*) fail "$name" "want error $want, got: ${got:-no output}" ;;
	esac
}

# Kernel log lines of the module (dmesg -r keeps the <level> prefix).
qhv_klog() { dmesg -r | sed -n 's/^<\([0-9]\)>\[[^]]*\] \(qhv: .*\)/\1 \2/p'; }

if ! qhv-cpuid > /dev/null; then
	# --- Not qhv: the module must have refused, with one error line.
	errs=$(qhv_klog | grep -c '^3 ')
	if grep -q '^qhv ' /proc/modules; then
		fail driver-refused "qhv.ko is loaded on $(qhv-cpuid)"
	elif [ -e /dev/qhv ]; then
		fail driver-refused "/dev/qhv exists"
	elif [ "$errs" != 1 ]; then
		fail driver-refused "$errs kernel error lines from qhv, want 1"
	else
		pass driver-refused "$(qhv_klog | sed -n 's/^3 //p')"
	fi
	echo "driver-check: $fails failed"
	[ "$fails" -eq 0 ]
	exit
fi

# --- loaded: /init insmod'ed it.
if grep -q '^qhv ' /proc/modules; then
	pass driver-loaded "$(qhv_klog | sed 's/^[0-9] //' | tr '\n' ';')"
else
	fail driver-loaded "qhv not in /proc/modules: $(qhv_klog | tr '\n' ';')"
fi

# --- dev-node: a character device, 0600, root:root, and the misc minor
# sysfs names.
node=$(ls -l /dev/qhv 2>&1)
sysdev=$(cat /sys/class/misc/qhv/dev 2>/dev/null)
nodedev=$(stat -c '%t:%T' /dev/qhv 2>/dev/null)
case "$node" in
"crw-------"*" root "*" root "*)
	if [ -n "$sysdev" ] &&
	   [ "$(printf '%x:%x' "${sysdev%:*}" "${sysdev#*:}")" = "$nodedev" ]; then
		pass dev-node "$node"
	else
		fail dev-node "$node is not sysfs's $sysdev"
	fi ;;
*) fail dev-node "$node" ;;
esac

# --- poolinfo: a management call reaches the hv.  A hv without the
# management calls says ENOSYS; one with them fills the struct.
got=$(probe poolinfo)
case "$got" in
"ok "*) pass ioctl-poolinfo "$got" ;;
"error ENOSYS "*) pass ioctl-poolinfo "hv lacks QHV_HC_SYSCTL: $got" ;;
*) fail ioctl-poolinfo "${got:-no output}" ;;
esac

# --- the other calls, through the driver's bounce buffers: each succeeds,
# or the hv lacks the management calls (ENOSYS).
for c in list getinfo logread; do
	got=$(probe $c)
	case "$got" in
	"ok"*) pass ioctl-$c "$got" ;;
	"error ENOSYS "*) pass ioctl-$c "hv lacks the call: $got" ;;
	*) fail ioctl-$c "${got:-no output}" ;;
	esac
done

# --- MEMWRITE of 600 KiB into dom0: three QHV_MEMWRITE_MAX pieces in the
# driver; the hv refuses writes into dom0 (EPERM), or lacks the call.
got=$(probe memwrite0)
case "$got" in
"error EPERM "*|"error ENOSYS "*) pass ioctl-memwrite-dom0 "$got" ;;
*) fail ioctl-memwrite-dom0 "want EPERM or ENOSYS, got: ${got:-no output}" ;;
esac

# --- per-open cleanup: a domain created and never started is destroyed
# when its creator's file is closed.
got=$(probe cleanup)
case "$got" in
"ok "*) pass per-open-cleanup "$got" ;;
"error ENOSYS "*) pass per-open-cleanup "hv lacks QHV_HC_DOMCTL: $got" ;;
*) fail per-open-cleanup "${got:-no output}" ;;
esac

# --- the driver's own checks, made before any hypercall.
expect_errno ioctl-version EINVAL badversion
expect_errno ioctl-console-len EINVAL bigconsole
expect_errno ioctl-unknown ENOTTY badioctl

# --- events: with the event function bound, nothing is pending
# (EAGAIN); without it, read() says ENODEV.
if [ -e /sys/bus/pci/drivers/qhv-events ] &&
   ls /sys/bus/pci/drivers/qhv-events | grep -q '^0000:'; then
	expect_errno events EAGAIN events
else
	expect_errno events ENODEV events
fi

# --- access: the node's mode keeps other users out (EACCES from the
# VFS); open() itself wants CAP_SYS_ADMIN (EPERM from the driver).
expect_errno nonroot-open EACCES open --uid 1000
expect_errno nocap-open EPERM open --drop-cap-sys-admin
# ...and root with it still gets in after those.
got=$(probe open)
case "$got" in
"ok"*) pass root-open ;;
*) fail root-open "${got:-no output}" ;;
esac

echo "driver-check: $fails failed"
[ "$fails" -eq 0 ]
