#!/bin/sh
# The workload of tests/e2e/test_guest.sh, run by guestd as PID 1 inside
# the QEMU guest (busybox sh). Each result is one "WL:" console line the
# host test reads.
PATH=/bin:/sbin
say() { echo "WL: $*"; }

# Real AF_VSOCK inside the guest: guestctl to guestd over the loopback CID.
if guestctl --vsock 1 --timeout 10000 ping >/tmp/ping.out 2>&1; then
	say "vsock ping ok"
else
	say "vsock ping FAILED: $(tr '\n' ' ' </tmp/ping.out)"
fi
say "vsock info $(guestctl --vsock 1 --timeout 10000 --json info 2>&1)"

# sd_notify over vsock: a second agent tells a listener on the loopback CID.
guestctl --timeout 20000 notify-listen --port 9999 --type seqpacket >/tmp/notify.out 2>&1 &
listener=$!
sleep 1
guestd --no-vsock --local-sock "" --config /nonexistent --cmdline /nonexistent \
	--unix /tmp/second.sock --notify vsock-seqpacket:1:9999 >/tmp/second.log 2>&1 &
second=$!
if wait $listener; then
	say "notify ok: $(tr '\n' ' ' </tmp/notify.out)"
else
	say "notify FAILED: $(cat /tmp/notify.out /tmp/second.log | tr '\n' ' ')"
fi
kill $second

# Key-value both ways with the host, over the guest-local socket.
if v=$(guestd kv wait --timeout 60000 e2e.from-host); then
	say "host key = $v"
else
	say "host key FAILED"
fi
guestd kv set e2e.from-guest "hello host" && say "guest key set"
guestd kv wait --timeout 60000 e2e.done >/dev/null
say "workload done"
exec sleep 600
