#!/bin/sh
# SPDX-License-Identifier: MIT
# Domain lifecycle from dom0 under the real hv (tests/dom0/meson.build,
# 'lifecycle-*'): run by qhv-emu --dom0-script, with the qhv CLI, libqhv
# and the test guests of the dom0 image (docs/dom0-image.md).
#
#   create three domUs with `qhv create`, read their consoles, pause one
#   (its output and CPU time stop) and unpause it, console input, states in
#   `qhv list` / `qhv info`, destroy; mgmt_eperm (-EPERM for every
#   management call) and ept_escape (crashed, reason shown) beside a
#   running domain; bad input (one clear error each, nothing leaked);
#   CYCLES create/destroy cycles and LOOPS concurrent loops of LOOP_CYCLES;
#   pool frames equal before and after, no Oops/BUG in dmesg.
#
# Every check prints "PASS name ..." or "FAIL name ..."; the last line is
# "lifecycle: N checks, M failed" and the exit status is 1 if any failed.
# Environment (for trying it on a host with QHV_DEVICE=fake:state=...):
# QHV_GUESTS (default /usr/lib/qhv/guests), CYCLES (100), LOOPS (4),
# LOOP_CYCLES (25), QHV_LIVE (1: guests really run; 0: skip the checks that
# need their output).

G=${QHV_GUESTS:-/usr/lib/qhv/guests}
CYCLES=${CYCLES:-100}
LOOPS=${LOOPS:-4}
LOOP_CYCLES=${LOOP_CYCLES:-25}
LIVE=${QHV_LIVE:-1}
T=/tmp/lifecycle
mkdir -p "$T"
: > "$T/results"
checks=0
fails=0

# Each result is printed at once and kept: the hv's console lines for the
# domUs can cut into dom0's serial lines while guests run, so the script
# prints every result again as "RESULT ..." at the end, with no domU left.
pass() { checks=$((checks + 1)); echo "PASS $*"; echo "PASS $*" >> "$T/results"; }
fail() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; echo "FAIL $*" >> "$T/results"; }
# check NAME DETAIL COMMAND...: PASS if COMMAND succeeds.
check() {
	n=$1 d=$2
	shift 2
	if "$@"; then pass "$n $d"; else fail "$n $d"; fi
}
now() { read -r up _ < /proc/uptime; echo "${up%.*}"; }

# A top-level member of `qhv info DOM --json` (strings unquoted).
jf() {
	qhv info "$1" --json 2>/dev/null |
		sed -n "s/^  \"$2\": //p" | sed 's/,$//; s/^"//; s/"$//'
}
produced() {
	qhv info "$1" --json 2>/dev/null |
		sed -n 's/^    "produced": \([0-9]*\).*/\1/p'
}
pool_free() {
	qhv pool --json | sed -n 's/^  "free_frames": \([0-9]*\).*/\1/p'
}
ndomains() { qhv list --json | grep -c '"id":'; }
console() { qhv console "$1" --no-follow < /dev/null; }

# mkxml NAME KERNEL [CMDLINE] [MEM_MiB] [VCPUS] [EXTRA_XML]
mkxml() {
	cat > "$T/$1.xml" <<EOF
<domain type='qhv'>
  <name>$1</name>
  <memory unit='MiB'>${4:-4}</memory>
  <vcpu>${5:-1}</vcpu>
  <os>
    <type arch='x86_64'>hvm</type>
    <kernel>$2</kernel>
    <cmdline>${3:-$1}</cmdline>
  </os>
  <on_poweroff>preserve</on_poweroff>
  <on_crash>preserve</on_crash>$6
</domain>
EOF
}

# wait_state DOM STATE SECONDS
wait_state() {
	end=$(($(now) + $3))
	while [ "$(now)" -le "$end" ]; do
		[ "$(jf "$1" state)" = "$2" ] && return 0
		sleep 1
	done
	return 1
}

# wait_console DOM REGEX SECONDS
wait_console() {
	end=$(($(now) + $3))
	while [ "$(now)" -le "$end" ]; do
		console "$1" | grep -q "$2" && return 0
		sleep 1
	done
	return 1
}

# create FILE: qhv create, its output in $T/out
create() { qhv create "$1" > "$T/out" 2>&1; }

t0=$(now)
echo "lifecycle: start at ${t0}s: $(qhv --version)"
pool0=$(pool_free)
check pool-info "free_frames=$pool0" [ -n "$pool0" ]
qhv list
check list-dom0 "" sh -c 'qhv list | grep -qE "^ *0  (dom0|Domain-0)  *running"'

# ------------------------------------------------------------ three domUs
mkxml tick1 "$G/ticker.elf" "every=20000"
mkxml tick2 "$G/ticker.elf" "every=20000"
mkxml hello "$G/hello.elf" "from-qhv-create"
for d in tick1 tick2 hello; do
	if create "$T/$d.xml" && grep -q "^created domain $d (id [0-9]*)$" "$T/out"
	then pass "create-$d $(cat "$T/out")"
	else fail "create-$d $(cat "$T/out")"
	fi
done
qhv list
if [ "$LIVE" = 1 ]; then
	check hello-exit "state=$(jf hello state) exit=$(jf hello exit_code)" \
		wait_state hello shutdown 60
	check hello-exit-code "exit_code=$(jf hello exit_code)" \
		[ "$(jf hello exit_code)" = 0 ]
	check list-hello-shutdown "" \
		sh -c 'qhv list | grep -q " hello  *shutdown (exit 0) "'
	check hello-console "" sh -c \
		"qhv console hello --no-follow </dev/null | grep -q '^hello from from-qhv-create'"
	check tick1-console "" wait_console tick1 '^ticker: tick [0-9]' 60
	check tick2-console "" wait_console tick2 '^ticker: tick [0-9]' 60
fi
check list-tick-running "" sh -c \
	'[ $(qhv list | grep -cE " tick[12]  *(running|blocked) ") = 2 ]'

# pause tick1: its output and CPU time stop; tick2 goes on
qhv pause tick1
check pause-state "state=$(jf tick1 state)" [ "$(jf tick1 state)" = paused ]
check list-paused "" sh -c 'qhv list | grep -q " tick1  *paused "'
p1=$(produced tick1) c1=$(jf tick1 cpu_time_ns) o1=$(produced tick2)
sleep 4
p2=$(produced tick1) c2=$(jf tick1 cpu_time_ns) o2=$(produced tick2)
check paused-output-stops "produced $p1 -> $p2" [ "$p1" = "$p2" ]
check paused-cputime-stops "cpu_time_ns $c1 -> $c2" [ "$c1" = "$c2" ]
if [ "$LIVE" = 1 ]; then
	check other-runs-on "tick2 produced $o1 -> $o2" [ "$o2" -gt "$o1" ]
fi
qhv unpause tick1
check unpause-state "state=$(jf tick1 state)" \
	sh -c '[ "$(qhv info tick1 --json | grep "^  \"state\"")" != "  \"state\": \"paused\"," ]'
sleep 4
p3=$(produced tick1) c3=$(jf tick1 cpu_time_ns)
if [ "$LIVE" = 1 ]; then
	check unpaused-output-goes-on "produced $p2 -> $p3" [ "$p3" -gt "$p2" ]
	check unpaused-cputime-grows "cpu_time_ns $c2 -> $c3" [ "$c3" -gt "$c2" ]
fi
check unpause-not-paused-fails "" sh -c '! qhv unpause tick1 2>/dev/null'

# console input through the CLI: the ticker echoes it
check console-input "" sh -c 'printf x | qhv console tick2 --no-follow >/dev/null'
if [ "$LIVE" = 1 ]; then
	check console-echo "" wait_console tick2 "^ticker: got 'x'" 30
fi
qhv info tick1
for d in tick1 tick2 hello; do
	check "destroy-$d" "" qhv destroy "$d"
done
check list-after-destroy "domains=$(ndomains)" [ "$(ndomains)" = 1 ]
check pool-after-destroy "free_frames $pool0 -> $(pool_free)" \
	[ "$(pool_free)" = "$pool0" ]

# ------------------------------------------- EPERM and a crashing domain
mkxml bystander "$G/ticker.elf" "every=20000"
mkxml eperm "$G/mgmt_eperm.elf"
mkxml escape "$G/ept_escape.elf"
check create-bystander "" create "$T/bystander.xml"
check create-eperm "" create "$T/eperm.xml"
check create-escape "" create "$T/escape.xml"
if [ "$LIVE" = 1 ]; then
	check eperm-exit "state=$(jf eperm state)" wait_state eperm shutdown 120
	check eperm-summary "" \
		wait_console eperm '^mgmt_eperm: [0-9]* passed, 0 failed' 10
	console eperm | grep -E '^(FAIL|mgmt_eperm: [0-9]* passed)'
	check eperm-exit-code "exit_code=$(jf eperm exit_code)" \
		[ "$(jf eperm exit_code)" = 0 ]
	check escape-crashed "state=$(jf escape state)" \
		wait_state escape crashed 60
	reason=$(jf escape crash_reason)
	check escape-reason "crash_reason=$reason" [ -n "$reason" ]
	qhv info escape
	check escape-info-shows-reason "" sh -c \
		'qhv info escape | grep -qi "crash.*[a-z]"'
	check escape-not-escaped "" sh -c \
		'! qhv console escape --no-follow </dev/null | grep -q "FAIL escaped"'
	b1=$(produced bystander)
	sleep 2
	b2=$(produced bystander)
	check bystander-runs-on "produced $b1 -> $b2 state=$(jf bystander state)" \
		[ "$b2" -gt "$b1" ]
fi
for d in bystander eperm escape; do
	check "destroy-$d" "" qhv destroy "$d"
done
check pool-after-crash "free_frames $pool0 -> $(pool_free)" \
	[ "$(pool_free)" = "$pool0" ]

# ------------------------------------------------------------- bad input
# bad NAME REGEX COMMAND...: fails with status 1 and one stderr line
# matching REGEX; nothing leaked.
bad() {
	n=$1 re=$2
	shift 2
	"$@" > "$T/bad.out" 2> "$T/bad.err"
	rc=$?
	msg=$(cat "$T/bad.err")
	lines=$(wc -l < "$T/bad.err")
	if [ "$rc" = 1 ] && [ "$lines" = 1 ] && echo "$msg" | grep -qE "$re" &&
	   [ "$(ndomains)" = "$nd0" ] && [ "$(pool_free)" = "$pool0" ]
	then pass "bad-$n rc=$rc: $msg"
	else fail "bad-$n rc=$rc lines=$lines domains=$(ndomains) free=$(pool_free): $msg"
	fi
}
nd0=$(ndomains)
printf "<domain type='qhv'><name>x</name>\n" > "$T/malformed.xml"
bad malformed-xml 'malformed\.xml:[0-9]+' qhv create "$T/malformed.xml"
mkxml unknown "$G/hello.elf" "" 4 1 "
  <features/>"
bad unknown-element "<features>: unknown element" qhv create "$T/unknown.xml"
sed "s/unit='MiB'/unit='XB'/" "$T/hello.xml" > "$T/unit.xml"
bad unknown-unit "unknown unit 'XB'" qhv create "$T/unit.xml"
mkxml nokernel /nonexistent/kernel.elf
bad missing-kernel "/nonexistent/kernel.elf: No such file" \
	qhv create "$T/nokernel.xml"
mkxml notkernel /etc/passwd
bad not-a-kernel "kernel: no multiboot header" qhv create "$T/notkernel.xml"
dd if="$G/hello.elf" of="$T/trunc.elf" bs=1024 count=6 2>/dev/null
mkxml trunc "$T/trunc.elf"
bad truncated-elf "kernel: ELF segment [0-9]+ beyond end of file" qhv create "$T/trunc.xml"
mkxml huge "$G/hello.elf" "" 4000
bad memory-beyond-pool "memory|pool" qhv create "$T/huge.xml"
mkxml zero "$G/hello.elf" "" 4 0
bad zero-vcpus "<vcpu>" qhv create "$T/zero.xml"
mkxml many "$G/hello.elf" "" 4 9
bad too-many-vcpus "<vcpu>" qhv create "$T/many.xml"
mkxml dup "$G/ticker.elf" "every=20000"
check dup-first "" create "$T/dup.xml"
nd0=$(ndomains) pool1=$pool0 pool0=$(pool_free)
bad duplicate-name "name already in use" qhv create "$T/dup.xml"
check destroy-dup "" qhv destroy dup
pool0=$pool1 nd0=$(ndomains)
bad unknown-domain-info "no domain named 'nosuch'" qhv info nosuch
bad unknown-domain-destroy "no domain named 'nosuch'" qhv destroy nosuch
bad unknown-id-pause "no domain with id 999" qhv pause 999
bad destroy-dom0 "dom0 cannot be destroyed" qhv destroy 0
bad pause-dom0 "dom0" qhv pause 0
grep -q '^qhvuser:' /etc/passwd ||
	echo 'qhvuser:x:1000:1000::/tmp:/bin/sh' >> /etc/passwd
grep -q '^qhvuser:' /etc/group || echo 'qhvuser:x:1000:' >> /etc/group
bad nonroot-list "^qhv: list: (/dev/qhv|fake).*Permission denied" su qhvuser -s /bin/sh -c 'qhv list'
check pool-after-bad "free_frames $pool0 -> $(pool_free)" \
	[ "$(pool_free)" = "$pool0" ]

# ----------------------------------------------------- create/destroy x N
mkxml cyc "$G/hello.elf" "cycle"
ts=$(now)
i=0 bad=0
while [ "$i" -lt "$CYCLES" ]; do
	i=$((i + 1))
	qhv create "$T/cyc.xml" > /dev/null 2> "$T/cyc.err" || {
		bad=$((bad + 1)); echo "cycle $i create: $(cat "$T/cyc.err")"; }
	qhv destroy cyc 2> "$T/cyc.err" || {
		bad=$((bad + 1)); echo "cycle $i destroy: $(cat "$T/cyc.err")"; }
done
check cycles "$CYCLES create/destroy cycles, $bad failures, $(($(now) - ts)) s" \
	[ "$bad" = 0 ]
check pool-after-cycles "free_frames $pool0 -> $(pool_free)" \
	[ "$(pool_free)" = "$pool0" ]

# LOOPS concurrent loops, one dom0 process each
ts=$(now)
l=0
while [ "$l" -lt "$LOOPS" ]; do
	l=$((l + 1))
	mkxml "loop$l" "$G/hello.elf" "loop$l"
	(
		i=0 bad=0
		while [ "$i" -lt "$LOOP_CYCLES" ]; do
			i=$((i + 1))
			qhv create "$T/loop$l.xml" > /dev/null 2>> "$T/loop$l.err" ||
				bad=$((bad + 1))
			qhv destroy "loop$l" 2>> "$T/loop$l.err" || bad=$((bad + 1))
		done
		echo "$bad" > "$T/loop$l.bad"
	) &
done
wait
l=0 bad=0
while [ "$l" -lt "$LOOPS" ]; do
	l=$((l + 1))
	b=$(cat "$T/loop$l.bad" 2>/dev/null || echo missing)
	[ "$b" = 0 ] || { bad=$((bad + 1)); cat "$T/loop$l.err"; }
done
check concurrent-loops "$LOOPS loops x $LOOP_CYCLES cycles, $bad loops failed, $(($(now) - ts)) s" \
	[ "$bad" = 0 ]
check list-after-loops "domains=$(ndomains)" [ "$(ndomains)" = 1 ]
check pool-after-loops "free_frames $pool0 -> $(pool_free)" \
	[ "$(pool_free)" = "$pool0" ]
oops=$(dmesg | grep -E 'Oops|BUG')
check dmesg-clean "$oops" [ -z "$oops" ]
qhv pool
qhv list

sed 's/^/RESULT /' "$T/results"
echo "lifecycle: $checks checks, $fails failed, $(($(now) - t0)) s"
[ "$fails" = 0 ]
