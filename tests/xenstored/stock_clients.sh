#!/bin/bash
# SPDX-License-Identifier: MIT
#
# stock_clients.sh - drive qhv-xenstored with Debian's unmodified
# xenstore-utils (libxenstore) over a private socket.
#
# Usage: stock_clients.sh /path/to/qhv-xenstored
set -u

DAEMON=${1:?usage: $0 qhv-xenstored}
for t in read write ls list rm chmod exists watch; do
	command -v "xenstore-$t" >/dev/null ||
		{ echo "xenstore-$t missing: apt-get install xenstore-utils"; exit 1; }
done

DIR=$(mktemp -d /tmp/qhv-xsd-stock.XXXXXX)
export XENSTORED_PATH=$DIR/socket
"$DAEMON" --foreground --socket "$XENSTORED_PATH" --pid-file "$DIR/pid" \
	--log-level warn 2>"$DIR/log" &
DPID=$!
FAILS=0
PASSES=0

cleanup() {
	kill "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT

for _ in $(seq 100); do
	[ -S "$XENSTORED_PATH" ] && xenstore-exists / 2>/dev/null && break
	sleep 0.05
done

ok() { PASSES=$((PASSES + 1)); }
fail() { FAILS=$((FAILS + 1)); echo "FAIL: $*"; }

# expect "description" "expected output" command...
expect() {
	local what=$1 want=$2 got
	shift 2
	got=$("$@" 2>&1)
	if [ "$got" == "$want" ]; then ok; else
		fail "$what: '$*'"; echo "  want: $(printf %q "$want")"
		echo "  got:  $(printf %q "$got")"; fi
}

# expect_rc "description" rc command...
expect_rc() {
	local what=$1 want=$2 rc
	shift 2
	"$@" >/dev/null 2>&1
	rc=$?
	if [ "$rc" == "$want" ]; then ok; else
		fail "$what: '$*' exited $rc, want $want"; fi
}

echo "# pid file and socket"
[ "$(cat "$DIR/pid" 2>/dev/null)" == "$DPID" ] && ok || fail "pid file"

echo "# xenstore-write / xenstore-read"
expect_rc "write pairs" 0 xenstore-write /a/b 1 /a/c "two words" /x/y/z deep
expect "read several" $'1\ntwo words' xenstore-read /a/b /a/c
expect "read -p" "/a/b: 1" xenstore-read -p /a/b
expect "intermediate node is empty" "" xenstore-read /x/y
expect_rc "read missing fails" 1 xenstore-read /missing
expect "read missing message" "xenstore-read: couldn't read path /missing" \
	xenstore-read /missing
expect_rc "write empty value" 0 xenstore-write /empty ""
expect "read empty" "" xenstore-read /empty
expect_rc "write relative" 0 xenstore-write rel v
expect "relative is under dom0 home" v xenstore-read /local/domain/0/rel
expect_rc "invalid path rejected" 1 xenstore-write "/bad path" v
expect_rc "double slash rejected" 1 xenstore-write "/bad//path" v
expect_rc "odd number of args" 1 xenstore-write /only-key

echo "# xenstore-exists"
expect_rc "exists" 0 xenstore-exists /a/b
expect_rc "exists root" 0 xenstore-exists /
expect_rc "not exists" 1 xenstore-exists /a/zz

echo "# xenstore-list"
expect "list" $'b\nc' xenstore-list /a
expect "list -p" $'/a/b\n/a/c' xenstore-list -p /a
expect "list empty" "" xenstore-list /a/b
expect_rc "list missing" 1 xenstore-list /nope

echo "# xenstore-ls"
expect "ls" $'b = "1"\nc = "two words"' xenstore-ls /a
expect "ls -f" $'/a/b = "1"\n/a/c = "two words"' xenstore-ls -f /a
expect "ls nested" $'y = ""\n z = "deep"' xenstore-ls /x

echo "# xenstore-chmod"
expect_rc "chmod" 0 xenstore-chmod /a/b r5 w7
expect "ls -p" \
	'b = "1"  . . . . . . . . . . . . . . . . . . . . . . . . . .  (r5,w7)' \
	bash -c "xenstore-ls -p /a | head -1"
expect_rc "chmod -r" 0 xenstore-chmod -r /a n0 r7
expect "recursive" $'b = "1"  . . . . . . . . . . . . . . . . . . . . . . . . . .  (n0,r7)\nc = "two words"  . . . . . . . . . . . . . . . . . . . . . .  (n0,r7)' \
	xenstore-ls -p /a
expect_rc "chmod bad mode" 1 xenstore-chmod /a/b x5
expect_rc "chmod missing node" 1 xenstore-chmod /nope r1

echo "# xenstore-rm"
expect_rc "rm" 0 xenstore-rm /a/c
expect_rc "rm gone" 1 xenstore-exists /a/c
expect_rc "rm absent is ok" 0 xenstore-rm /a/c
expect_rc "rm -t tidies empty parents" 0 xenstore-rm -t /x/y/z
expect_rc "tidied" 1 xenstore-exists /x
expect_rc "rm subtree" 0 xenstore-rm /a
expect_rc "subtree gone" 1 xenstore-exists /a/b

echo "# xenstore-watch"
xenstore-watch -n 4 /w >"$DIR/watch.out" 2>&1 &
WPID=$!
for _ in $(seq 100); do [ -s "$DIR/watch.out" ] && break; sleep 0.02; done
xenstore-write /w/1 a
xenstore-write /wx unrelated
xenstore-chmod /w/1 r0 2>/dev/null || xenstore-write /w/1 b
xenstore-rm /w
for _ in $(seq 100); do kill -0 $WPID 2>/dev/null || break; sleep 0.02; done
kill $WPID 2>/dev/null
expect "watch events (initial, write, chmod, rm)" $'/w\n/w/1\n/w/1\n/w' \
	cat "$DIR/watch.out"

echo "# large directory (DIRECTORY_PART fallback in libxenstore)"
for i in $(seq 1 300); do echo "/big/child-with-a-long-name-number-$i x"; done |
	xargs xenstore-write
expect "list 300" 300 bash -c "xenstore-list /big | wc -l"
expect "ls 300" 300 bash -c "xenstore-ls /big | wc -l"

echo "# transactions through the library: concurrent writers"
# xenstore-write wraps each write in a transaction and retries on EAGAIN.
for i in $(seq 1 40); do xenstore-write "/par/$i" "$i" & done
WFAIL=0
wait_writers() {
	for p in $(jobs -p); do
		[ "$p" == "$DPID" ] && continue
		wait "$p" || WFAIL=$((WFAIL + 1))
	done
}
wait_writers
expect "no writer failed" 0 echo $WFAIL
expect "40 parallel creators under a fresh parent" 40 \
	bash -c "xenstore-list /par | wc -l"
for i in $(seq 1 40); do xenstore-write /same "$i" & done
wait_writers
expect "parallel writers to one key all succeeded" 0 echo $WFAIL
expect_rc "value present" 0 xenstore-read /same

echo "# clean shutdown"
kill -TERM "$DPID"
wait "$DPID"
RC=$?
[ "$RC" == 0 ] && ok || fail "daemon exit status $RC on SIGTERM"
[ ! -e "$XENSTORED_PATH" ] && ok || fail "socket not removed"
[ ! -e "$DIR/pid" ] && ok || fail "pid file not removed"
if [ -s "$DIR/log" ] && grep -qv 'shutting down\|listening' "$DIR/log"; then
	grep -v 'shutting down\|listening' "$DIR/log"
fi

echo "# daemonised mode (the default)"
export XENSTORED_PATH=$DIR/socket2
"$DAEMON" --socket "$XENSTORED_PATH" --pid-file "$DIR/pid2" --log-file "$DIR/log2"
expect_rc "parent exits 0 once listening" 0 test -S "$XENSTORED_PATH"
BGPID=$(cat "$DIR/pid2" 2>/dev/null)
# Never "kill 0" (our own process group) if the pid file were empty.
case "$BGPID" in ''|*[!0-9]*) BGPID=999999999 ;; esac
expect_rc "pid file names a live daemon" 0 kill -0 "$BGPID"
expect_rc "second instance refuses a live socket" 1 \
	"$DAEMON" --foreground --socket "$XENSTORED_PATH" --log-level error
expect_rc "serves clients" 0 xenstore-write /bg 1
kill -TERM "$BGPID" 2>/dev/null
for _ in $(seq 100); do kill -0 "$BGPID" 2>/dev/null || break; sleep 0.02; done
expect_rc "stopped by SIGTERM" 1 kill -0 "$BGPID"
expect_rc "a restart loses the tree" 1 bash -c "
	'$DAEMON' --foreground --socket '$XENSTORED_PATH' & p=\$!
	for _ in \$(seq 100); do xenstore-exists / 2>/dev/null && break; sleep 0.02; done
	xenstore-exists /bg; r=\$?; kill \$p; wait \$p; exit \$r"

echo "stock clients: $PASSES passed, $FAILS failed"
[ "$FAILS" == 0 ]
