#!/bin/bash
# Snapshot restore, end to end: a guest is saved (QEMU `migrate` to a
# file), restored in a new QEMU with a new VM generation id, as libvirt and
# other VMMs do on restore, and left stale by the time it spent saved. QEMU
# writes the new id into guest memory; guestd, which reads the id on every
# clock check (found through the ACPI VMGENID table, mapped from /dev/mem),
# raises a clock-jump event of kind vmgenid; `guestctl time sync --watch`
# resyncs on it. The restored guest is kept paused (-S) until the watch
# has connected, so the event has a connection to reach.
#
# Needs root (mkinitramfs makes device nodes), qemu-system-x86_64 and
# Debian's cloud kernel (fetched into build/kernel when missing), which has
# no vmgenid driver: guestd does not need one.
source "$(dirname "$0")/../lib/lib.sh"
source "$TOP/tests/e2e/qemu-boot.sh"
PY="python3 -B"
KDIR=$TOP/build/kernel

why=$(qb_skip_reason)
[ -z "$why" ] || skip_all "$why"

printf 'serial=org.guestd.0\n' >"$T/guestd.conf"
"$TOP/initramfs/mkinitramfs.sh" --init "$GUESTD" --guestctl "$GUESTCTL" --conf "$T/guestd.conf" \
	--kernel-dir "$KDIR" --modules virtio_pci,virtio_console \
	--out "$T/img.cpio.gz" >"$T/mkinitramfs.log" 2>&1
check "initramfs built" test -s "$T/img.cpio.gz"

# A guest clock that drifts for sure (+15000 ppm, a TSC told wrong), so
# that guestd has a frequency correction to drop on the restore.
SKEW_APPEND=$(qb_skew_append 15000) || skip_all "cannot read the TSC frequency from a probe boot"
QB_ACCEL=tcg
GAP_S=3   # how long the guest stays saved: its clock is that much behind after
G1=$($PY -c 'import uuid; print(uuid.uuid4())')
G2=$($PY -c 'import uuid; print(uuid.uuid4())')
STATE=$T/guest.state
wpid=""
trap '[ -n "$wpid" ] && kill $wpid 2>/dev/null; qb_stop; cleanup' EXIT

# hmp SOCKET COMMAND: one human monitor command; prints its reply.
hmp() {
	$PY - "$1" "$2" <<'PYEOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(30)
s.connect(sys.argv[1])
def until_prompt():
    buf = b""
    while not buf.rstrip().endswith(b"(qemu)"):
        d = s.recv(4096)
        if not d:
            break
        buf += d
    return buf
until_prompt()
s.sendall(sys.argv[2].encode() + b"\n")
out = until_prompt().decode(errors="replace").replace("\r", "")
# drop the echoed command and the prompt
print("\n".join(l for l in out.split("\n")[1:] if l.strip() != "(qemu)" and "\x1b" not in l))
PYEOF
}
# boot_qemu NAME GUID [QEMU ARGS...]: the same machine each time (migration
# needs the same devices in the same order), its own monitor socket MON.
boot_qemu() {
	local name=$1 guid=$2
	shift 2
	MON=$T/$name.mon
	qb_start --initrd "$T/img.cpio.gz" --name "$name" --append " $SKEW_APPEND" -- \
		-device "vmgenid,id=vgid,guid=$guid" \
		-monitor "unix:$MON,server=on,wait=off" "$@"
}

boot_qemu saved "$G1"
if ! qb_wait_agent "$GUESTCTL" 30; then
	qb_fail "the agent never answered over virtio-serial"
	not_ok "agent answers over virtio-serial"
	done_testing; exit 1
fi
ok "agent answers over virtio-serial after $(_qb_since "$QB_T0") s"
check_eq "QEMU reports the first generation id" "$G1" \
	"$(hmp "$MON" 'info vm-generation-id' | tr -d '[:space:]')"
check_match "the agent found the id through the ACPI VMGENID table" \
	"guestd: watching the VM generation id at 0x[0-9a-f]+" "$(grep -a 'generation id' "$QB_LOG")"
out=$("$GUESTCTL" --unix "$QB_SOCK" --json time sync --mode step)
# The same bound as test_time's first step (5 ms): a loaded host can hold
# the TCG guest a millisecond between the step and the check of it.
res=$(sed -n 's/.*"residual_ns":\(-\{0,1\}[0-9]*\),.*/\1/p' <<<"$out")
check "the guest's clock is synced before it is saved (residual ${res:-?} ns, bound 5 ms)" \
	test "${res#-}" -lt 5000000 2>/dev/null
sleep 5
out=$("$GUESTCTL" --unix "$QB_SOCK" --json time sync)
echo "# before the save: $(echo "$out" | grep -o '"freq_ppb":[^,]*,"freq_state":"[a-z]*"')"
check_match "guestd learned the drift before the save" '"freq_state":"tracking","freq_updates":[1-9]' "$out"

# Save: stop the guest, write its state, quit.
hmp "$MON" stop >/dev/null
hmp "$MON" "migrate \"exec:cat > $STATE\"" >/dev/null
for ((i = 0; i < 300; i++)); do
	st=$(hmp "$MON" 'info migrate' | sed -n 's/^Migration status: *//p')
	[ "$st" = completed ] || [ "$st" = failed ] && break
	sleep 0.1
done
check_eq "guest state saved" completed "$st"
hmp "$MON" quit >/dev/null
qb_wait_exit 10 >/dev/null 2>&1
saved_log=$QB_LOG
QB_KEEP=1 qb_stop  # keeps the saved guest's console log for the end
sleep "$GAP_S"

# Restore with a new generation id, paused until the watch is on.
boot_qemu restored "$G2" -S -incoming "exec:cat $STATE"
for ((i = 0; i < 100; i++)); do
	[ "$(hmp "$MON" 'info migrate' | sed -n 's/^Migration status: *//p')" = completed ] && break
	sleep 0.1
done
check_match "restored and paused" "paused|prelaunch" "$(hmp "$MON" 'info status')"
"$GUESTCTL" --unix "$QB_SOCK" --timeout 30000 --json time sync --watch --interval 3600 \
	>"$T/watch.out" 2>"$T/watch.err" &
wpid=$!
sleep 1 # let it connect: its HELLO waits for the guest to run
hmp "$MON" cont >/dev/null
check_eq "QEMU reports the new generation id" "$G2" \
	"$(hmp "$MON" 'info vm-generation-id' | tr -d '[:space:]')"

# syncs REASON: how many sync lines with that reason the watch printed.
syncs() { grep -c "\"reason\":\"$1\"" "$T/watch.out"; }
wait_syncs() { # REASON N TIMEOUT_S
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		[ "$(syncs "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
check "watch: the first sync after the restore (reason start)" wait_syncs start 1 30
check "watch: a resync for the vmgenid event (reason clock-jump)" wait_syncs clock-jump 1 30
sleep 1
kill -TERM $wpid 2>/dev/null; wait $wpid 2>/dev/null; wpid=""
check "the restored clock was ${GAP_S}+ s behind; the vmgenid resync says so and ends < 5 ms" \
	$PY - "$T/watch.out" "$GAP_S" <<'PYEOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
start = [d for d in lines if d.get("reason") == "start"]
jumps = [d for d in lines if d.get("reason") == "clock-jump"]
assert len(start) == 1 and jumps, lines
print("# after restore: the guest was %.3f s behind; corrected by %s" %
      (-start[0]["offset_before_ns"] / 1e9, start[0]["action"]))
assert start[0]["offset_before_ns"] < -int(sys.argv[2]) * 10**9, start
for d in jumps:
    assert "vmgenid" in d["jump"].split(","), d
    assert abs(d["residual_ns"]) < 5_000_000, d
    print("# vmgenid resync: offset before %.3f ms, residual %.3f ms" %
          (d["offset_before_ns"] / 1e6, d["residual_ns"] / 1e6))
PYEOF
check_match "the restored agent logged the vmgenid jump" "guestd: clock jump: vmgenid" \
	"$(grep -a 'clock jump' "$QB_LOG")"
check_eq "the saved guest logged none" "" "$(grep -a 'clock jump: vmgenid' "$saved_log")"
check_match "the new generation dropped the learned correction" \
	"guestd: clock frequency: correction dropped \(new VM generation\)" "$(grep -a 'clock frequency' "$QB_LOG")"
out=$("$GUESTCTL" --unix "$QB_SOCK" --json time)
echo "# after the restore: $(echo "$out" | grep -o '"freq_ppb":[^,]*,"freq_state":"[a-z]*","freq_updates":[0-9]*')"
check_match "... and re-learns from the restored clock (at most one update since)" \
	'"freq_updates":[01][,}]' "$out"
rm -f "$saved_log" "$saved_log.cmd"

"$GUESTCTL" --unix "$QB_SOCK" --timeout 10000 shutdown >/dev/null
check_eq "shutdown acknowledged" 0 $?
if qb_wait_exit 30; then
	check_eq "QEMU exited by itself after a power off" poweroff "$(qb_exit_kind)"
else
	qb_fail "QEMU did not exit after shutdown"
	not_ok "QEMU exited by itself after a power off"
fi
grep -a 'guestd:' "$QB_LOG" | grep -a 'jump\|ready' | sed 's/^/# guest: /'
done_testing
