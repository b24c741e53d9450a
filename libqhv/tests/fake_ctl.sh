#!/bin/bash
# SPDX-License-Identifier: MIT
# qhv-fake-ctl over a shared fake state, as a CLI's host tests use it:
# every command is a separate process on the same simulated hv.
# Usage: fake_ctl.sh PATH/TO/qhv-fake-ctl
set -eu
CTL=$1
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
export QHV_DEVICE="fake:state=$DIR/hv"
fail() { echo "FAIL: $*"; exit 1; }
# expect_fail SUBSTRING CMD...: CMD fails with SUBSTRING on stderr
expect_fail() {
	local want=$1 out rc=0
	shift
	out=$("$CTL" "$@" 2>&1) || rc=$?
	[[ $rc != 0 ]] || fail "$* succeeded"
	[[ $out == *"$want"* ]] || fail "$*: '$out' lacks '$want'"
}

expect_fail "no domain named 'web'" console web hi
[[ $("$CTL" create web 16 start) == 1 ]] || fail "create web"
expect_fail "name already in use" create web 16
# Not started: destroyed when its process ends (the driver's rule).
[[ $("$CTL" create half 8) == 2 ]] || fail "create half"
expect_fail "no domain named 'half'" console half x
"$CTL" console web "hello from web"
"$CTL" log "hello from the test"
"$CTL" vcpu web 0 | grep -q "mode=2 cs=0x8 ds=0x10 .*rip=0x100000" || fail vcpu
"$CTL" mem web 0 4 | od -An -tx1 | grep -q "00 00 00 00" || fail mem
"$CTL" blocked web 1
"$CTL" shutdown web exit 7
expect_fail "domain is shutdown" crash web oops
expect_fail "not simulated" mem 0 0 4
expect_fail "has no start state" vcpu 0 0
rc=0; out=$("$CTL" bogus 2>&1) || rc=$?
[[ $rc == 2 && $out == *usage* ]] || fail "usage: rc=$rc $out"
rc=0; QHV_DEVICE=/dev/null "$CTL" log x 2>/dev/null || rc=$?
[[ $rc == 1 ]] || fail "a real device was accepted"
[[ -s $DIR/hv ]] || fail "no state file"
echo ok
