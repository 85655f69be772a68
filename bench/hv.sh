#!/bin/sh
# hv.sh - the hypervisor's benchmark: many VMs in one `cairn hv` on a fixed pool of
# worker threads, beside as many qemu-system-riscv64 processes in the same run
# (bench/README.md says what each part measures).  Parts (HV_PARTS, default all):
#   scale       aggregate work/s of 1..16 compute guests on --threads 2 (16 >= 90% of 2?)
#   switch      scheduler picks and wakes (bench/sched), guest-visible VM switch, parked wake
#   boot8       8 Linux guests booted at once to their shells: wall time, peak RSS
#   idle        CPU of 1 and 16 idle Linux guests (targets 1% and 5% of one core)
#   smp4        Linux -smp 4 to its shell: pool of 2 workers vs thread per hart (old build)
#   interactive shell echo latency beside a spinning VM on 1 worker, with and without weights
#   rt          guests/rtos beside 4 loaded Linux guests, with and without a reservation
# Knobs: BUILD, CAIRN, QEMU, LINUX_DIR, HV_SCALE_SECS (3), HV_COUNTS ("1 2 4 8 16"),
# HV_IDLE_SECS (10), HV_RUNS (3), HV_RT_SECS (10; 60 for the issue's figure), HV_LAT_N (20),
# HV_SCHED_MS (300), HV_OLD (an old cairn binary; default: built from the commit before the
# worker pool into ~/.cache/cairn/bench).  Prints tables; the checks print pass/fail and
# never change the exit status (a part that could not run says why).
# shellcheck disable=SC2086,SC2013,SC2046,SC2183 # option strings and figures split on purpose
set -u
BUILD=${BUILD:-build}
CAIRN=${CAIRN:-$BUILD/cairn}
QEMU=${QEMU:-qemu-system-riscv64}
G=${LINUX_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cairn/guests/linux}
HV_PARTS=${HV_PARTS:-"scale switch boot8 idle smp4 interactive rt"}
HV_SCALE_SECS=${HV_SCALE_SECS:-3}
HV_COUNTS=${HV_COUNTS:-"1 2 4 8 16"}
HV_IDLE_SECS=${HV_IDLE_SECS:-10}
HV_RUNS=${HV_RUNS:-3}
HV_RT_SECS=${HV_RT_SECS:-10}
HV_LAT_N=${HV_LAT_N:-20}
HV_SCHED_MS=${HV_SCHED_MS:-300}
HV_OLD=${HV_OLD:-}
HERE=$(dirname "$0")
GUESTS=$BUILD/bench/guests
PROMPT="cairn:~# "
T=$(mktemp -d)
: >"$T/pids"

# ---- processes: every background command is remembered and ended on exit ----
# spawn LOG CMD...: CMD in the background, its output into LOG, its input empty (so that
# no pipe of a command substitution stays open through it)
spawn() { log=$1; shift; "$@" </dev/null >>"$log" 2>&1 & echo $! >>"$T/pids"; LAST=$!; }
stop_all() { # (its variables are its own: sh has no locals)
	for _p in $(cat "$T/pids"); do kill "$_p" 2>/dev/null; done
	_n=0
	while [ $_n -lt 50 ]; do
		_alive=0
		for _p in $(cat "$T/pids"); do kill -0 "$_p" 2>/dev/null && _alive=1; done
		[ $_alive = 0 ] && break
		sleep 0.1; _n=$((_n + 1))
	done
	for _p in $(cat "$T/pids"); do kill -9 "$_p" 2>/dev/null; wait "$_p" 2>/dev/null; done
	: >"$T/pids"
}
trap 'stop_all; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
calc() { awk "BEGIN { $1 }"; }
have() { command -v "$1" >/dev/null 2>&1; }
CLK_TCK=$(getconf CLK_TCK)
# cpu_ticks PID...: user + system ticks of these processes (fields 14, 15 of stat)
cpu_ticks() {
	t=0
	for p in "$@"; do
		v=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }')
		t=$((t + ${v:-0}))
	done
	echo $t
}
# hwm_kb PID...: the sum of their peak RSS (VmHWM)
hwm_kb() {
	t=0
	for p in "$@"; do
		v=$(awk '/^VmHWM/ { print $2 }' "/proc/$p/status" 2>/dev/null)
		t=$((t + ${v:-0}))
	done
	echo $t
}
# wait_text TEXT SECONDS FILE...: until every FILE holds TEXT; 1 on timeout
wait_text() {
	txt=$1; secs=$2; shift 2
	end=$(calc "printf \"%d\", $(date +%s) + $secs")
	for f in "$@"; do
		while ! grep -qF -- "$txt" "$f" 2>/dev/null; do
			[ "$(date +%s)" -ge "$end" ] && return 1
			sleep 0.05
		done
	done
	return 0
}
# ctl_stat VM FIELD: one number of `cairn ctl stats VM` (slices, wakeups, instret) on $T/ctl
ctl_stat() { "$CAIRN" ctl --socket "$T/ctl" stats "$1" 2>/dev/null | awk -v f="$2:" '$1 == f { print $2 }'; }
# ctl_sum PREFIX N FIELD: the sum of FIELD over VMs PREFIX0..PREFIX(N-1)
ctl_sum() {
	_t=0; _k=0
	while [ $_k -lt "$2" ]; do _v=$(ctl_stat "$1$_k" "$3"); _t=$((_t + ${_v:-0})); _k=$((_k + 1)); done
	echo $_t
}
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "-" }'; }
part() { case " $HV_PARTS " in *" $1 "*) return 0 ;; esac; return 1; }
load() { cut -d' ' -f1 /proc/loadavg; }
linux_ok() { [ -f "$G/Image" ] && [ -f "$G/initramfs.cpio.gz" ]; }
LINUX="-M virt -m 256M -bios default -kernel $G/Image -initrd $G/initramfs.cpio.gz -append console=ttyS0"
BARE="-M virt -m 64M -bios none"

for f in work pause wake; do
	[ -f "$GUESTS/$f.elf" ] || { echo "hv.sh: $GUESTS/$f.elf missing (make bench-hv builds it)"; exit 1; }
done
[ -x "$CAIRN" ] || { echo "hv.sh: $CAIRN missing (make)"; exit 1; }
have "$QEMU" || echo "hv.sh: $QEMU not found: QEMU columns show '-'"
echo "cairn hypervisor benchmark, $(date -u +%Y-%m-%d), $(nproc) host cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- scale: aggregate work of N compute guests ----
# rate FILE W: units/s of one guest over the last W seconds of its reports ("work t= u= i=")
rate() {
	awk -v w="$2" -F'[ =]' '/^work t=/ { n++; t[n] = $3; u[n] = $5; i[n] = $7 }
		END { if (n < 2) { print "0 0"; exit }
		      r = 1; for (k = n - 1; k >= 1; k--) if (t[n] - t[k] >= w * 1e7) { r = k; break }
		      dt = (t[n] - t[r]) / 1e7; du = u[n] - u[r]
		      printf "%.1f %.1f\n", (dt > 0 ? du / dt : 0), (du > 0 ? (i[n] - i[r]) / du : 0) }' "$1"
}
# scale_run KIND N: "aggregate_units_per_s min/max instr_per_unit host_cores_used"
scale_run() {
	kind=$1; n=$2
	rm -f "$T"/w.*
	if [ "$kind" = cairn ]; then
		set --
		k=0; while [ $k -lt "$n" ]; do set -- "$@" --vm "-name w$k $BARE -kernel $GUESTS/work.elf -serial file:$T/w.$k"; k=$((k + 1)); done
		spawn "$T/hv.out" "$CAIRN" hv --threads 2 "$@"
	else
		k=0; while [ $k -lt "$n" ]; do spawn "$T/qemu.err" "$QEMU" $BARE -display none -monitor none -serial "file:$T/w.$k" -kernel "$GUESTS/work.elf"; k=$((k + 1)); done
	fi
	sleep 2
	c0=$(cpu_ticks $(cat "$T/pids")); t0=$(now)
	sleep "$(calc "print $HV_SCALE_SECS + 0.3")"
	c1=$(cpu_ticks $(cat "$T/pids")); t1=$(now)
	stop_all
	k=0; : >"$T/rates"
	while [ $k -lt "$n" ]; do rate "$T/w.$k" "$HV_SCALE_SECS" >>"$T/rates"; k=$((k + 1)); done
	awk -v cores="$(calc "print ($c1 - $c0) / $CLK_TCK / ($t1 - $t0)")" \
		'{ s += $1; if (NR == 1 || $1 < lo) lo = $1; if ($1 > hi) hi = $1; if ($2 > 0) ipu = $2 }
		END { printf "%.0f %.2f %.1f %.2f\n", s, (hi > 0 ? lo / hi : 0), ipu, cores }' "$T/rates"
}
if part scale; then
	echo
	echo "== aggregate work of N compute guests (bench/guests/work.elf), cairn hv --threads 2 vs N QEMU processes == (host load $(load))"
	echo "   (units/s over the last ${HV_SCALE_SECS}s of each guest's reports; MIPS = units x instructions/unit; fair = slowest/fastest"
	echo "    guest; cores = host cores the process(es) got meanwhile; ratio = cairn/QEMU work per host CPU second)"
	printf '%4s %11s %6s %5s %5s %11s %6s %5s %5s %6s\n' VMs cairn_u/s MIPS fair cores qemu_u/s MIPS fair cores ratio
	IPU=""
	for n in $HV_COUNTS; do
		c=$(scale_run cairn "$n")
		[ -z "$IPU" ] && IPU=$(echo "$c" | cut -d' ' -f3)
		if have "$QEMU"; then q=$(scale_run qemu "$n"); else q="0 0 0 0"; fi
		echo "$n $c" >>"$T/scale.c"; echo "$n $q" >>"$T/scale.q"
		echo "$n $c $q" | awk -v ipu="$IPU" '{ printf "%4d %11.0f %6.0f %5.2f %5.2f %11.0f %6.0f %5.2f %5.2f %6s\n", $1, $2, $2 * ipu / 1e6, $3, $5,
			$6, $6 * ipu / 1e6, $7, $9, ($6 > 0 && $9 > 0 && $5 > 0 ? sprintf("%.2f", ($2 / $5) / ($6 / $9)) : "-") }'
	done
	c2=$(awk '$1 == 2 { print $2 }' "$T/scale.c"); c16=$(awk '$1 == 16 { print $2 }' "$T/scale.c")
	q2=$(awk '$1 == 2 { print $2 }' "$T/scale.q"); q16=$(awk '$1 == 16 { print $2 }' "$T/scale.q")
	# the same per host CPU second (what a loaded host gives each process set differs)
	cc2=$(awk '$1 == 2 && $5 > 0 { print $2 / $5 }' "$T/scale.c"); cc16=$(awk '$1 == 16 && $5 > 0 { print $2 / $5 }' "$T/scale.c")
	if [ -n "$c2" ] && [ -n "$c16" ]; then
		calc "r = $c16 / ($c2 > 0 ? $c2 : 1); q = (${q2:-0} > 0 ? ${q16:-0} / ${q2:-1} : 0); rc = (${cc2:-0} > 0 ? ${cc16:-0} / ${cc2:-1} : 0);
		      printf \"   check: cairn 16 VMs = %.0f%% of the 2-VM aggregate (>= 90%%): %s; per host CPU second %.0f%%; QEMU: %.0f%%\n\", r * 100, (r >= 0.9 ? \"pass\" : \"FAIL\"), rc * 100, q * 100"
	fi
	echo "   (${IPU} instructions per unit, from cairn's minstret)"
fi

# ---- switch: the scheduler's own costs and guest-visible ones ----
# pauses FILE...: the sum of the guests' latest pause counts ("pause t= n=")
pauses() {
	t=0
	for f in "$@"; do v=$(sed -n 's/^pause t=[0-9]* n=\([0-9]*\)$/\1/p' "$f" | tail -n 1); t=$((t + ${v:-0})); done
	echo $t
}
# pause_ns VMS: cairn hv --threads 1 with VMS pause guests; "ns_per_pause_of_cpu pauses_per_wall_s
# slices_per_wall_s" (slices: the scheduler's own count of picks, from cairn ctl stats)
pause_ns() {
	nv=$1; set --
	k=0; while [ $k -lt "$nv" ]; do set -- "$@" --vm "-name p$k $BARE -kernel $GUESTS/pause.elf -serial file:$T/p.$k"; k=$((k + 1)); done
	rm -f "$T"/p.* "$T/ctl"
	spawn "$T/hv.out" "$CAIRN" hv --threads 1 --control "$T/ctl" "$@"
	sleep 1
	set --; k=0; while [ $k -lt "$nv" ]; do set -- "$@" "$T/p.$k"; k=$((k + 1)); done
	c0=$(cpu_ticks $LAST); n0=$(pauses "$@"); s0=$(ctl_sum p "$nv" slices); t0=$(now)
	sleep 2
	c1=$(cpu_ticks $LAST); n1=$(pauses "$@"); s1=$(ctl_sum p "$nv" slices); t1=$(now)
	stop_all
	calc "d = $n1 - $n0; printf \"%.1f %.0f %.0f\n\", (d > 0 ? ($c1 - $c0) / $CLK_TCK * 1e9 / d : 0), d / ($t1 - $t0), ($s1 - $s0) / ($t1 - $t0)"
}
# wake_line KIND: the wake guest alone: "min p50 p99 max" in us
wake_line() {
	if [ "$1" = cairn ]; then
		timeout 60 "$CAIRN" vm $BARE -nographic -kernel "$GUESTS/wake.elf" </dev/null >"$T/wake.out" 2>&1
	else
		timeout 60 "$QEMU" $BARE -nographic -kernel "$GUESTS/wake.elf" </dev/null >"$T/wake.out" 2>&1
	fi
	sed -n 's/.*wake n=[0-9]* min=\([0-9]*\) p50=\([0-9]*\) p99=\([0-9]*\) max=\([0-9]*\).*/\1 \2 \3 \4/p' "$T/wake.out" |
		awk '{ printf "%.1f %.1f %.1f %.1f\n", $1 / 1e3, $2 / 1e3, $3 / 1e3, $4 / 1e3 } END { if (!NR) print "- - - -" }'
}
if part switch; then
	echo
	echo "== switches and wakes == (host load $(load))"
	if [ -x "$BUILD/bench/sched" ]; then
		echo "   bench/sched (sched.h alone, units that return at once; ${HV_SCHED_MS} ms a case):"
		"$BUILD/bench/sched" "$HV_SCHED_MS" | sed 's/^/     /'
	else
		echo "   ($BUILD/bench/sched missing: make bench-hv builds it)"
	fi
	one=$(pause_ns 1); two=$(pause_ns 2)
	set -- ${two:-0} 0 0 0
	calc "a = ${one%% *} + 0; b = $1; if (a > 0 && b > 0) printf \"   guest-visible VM switch: 2 VMs spinning on pause on 1 worker switch at every pause: %.0f ns of CPU a switch\n     (%s pauses/s by the wall clock, %s slices/s by cairn ctl stats; a pause alone: %.1f ns)\n\", b - a, \"$2\", \"$3\", a; else print \"   guest-visible VM switch: no figures\""
	echo "   parked hart's wake-up (bench/guests/wake.elf: mtimecmp 1 ms ahead, WFI, 2000 times; us):"
	printf '     %-8s %7s %7s %7s %8s\n' "" min p50 p99 max
	printf '     %-8s %7s %7s %7s %8s\n' cairn $(wake_line cairn)
	have "$QEMU" && printf '     %-8s %7s %7s %7s %8s\n' qemu $(wake_line qemu)
fi

# ---- boot8: 8 Linux guests at once ----
# boot_many KIND N: boots N Linux guests (consoles into $T/l.K), waits for every prompt;
# leaves them running (their pids in $T/pids and PIDS); prints "seconds hwm_kb cpu_seconds"
boot_many() {
	kind=$1; n=$2
	rm -f "$T"/l.*
	t0=$(now)
	if [ "$kind" = cairn ]; then
		set --
		k=0; while [ $k -lt "$n" ]; do set -- "$@" --vm "-name l$k $LINUX -smp 1 -serial file:$T/l.$k"; k=$((k + 1)); done
		rm -f "$T/ctl"
		spawn "$T/hv.out" "$CAIRN" hv --threads 2 --control "$T/ctl" "$@"
		PIDS=$LAST
	else
		PIDS=""
		k=0; while [ $k -lt "$n" ]; do
			spawn "$T/qemu.err" "$QEMU" $LINUX -smp 1 -display none -monitor none -serial "file:$T/l.$k"
			PIDS="$PIDS $LAST"; k=$((k + 1))
		done
	fi
	set --
	k=0; while [ $k -lt "$n" ]; do set -- "$@" "$T/l.$k"; k=$((k + 1)); done
	if wait_text "$PROMPT" $((60 + 30 * n)) "$@"; then
		t1=$(now)
		echo "$(calc "printf \"%.2f\", $t1 - $t0") $(hwm_kb $PIDS) $(calc "printf \"%.2f\", $(cpu_ticks $PIDS) / $CLK_TCK")"
	else
		echo "fail 0 0"
	fi
}
if part boot8; then
	echo
	if linux_ok; then
		echo "== 8 Linux guests (-m 256M -smp 1) booted at once to their shells == (host load $(load))"
		printf '   %-34s %9s %8s %12s\n' "" wall_s cpu_s "peak RSS MB"
		boot8_row() { boot_many "$1" 8 >"$T/boot.res"; stop_all
			read -r w kb c <"$T/boot.res"
			printf '   %-34s %9s %8s %12s\n' "$2" "$w" "$c" "$(calc "printf \"%.0f\", $kb / 1024")"; }
		boot8_row cairn "cairn hv --threads 2, one process"
		have "$QEMU" && boot8_row qemu "8 QEMU processes (summed)"
	else
		echo "== boot8: no Linux guest in $G (bash guests/linux/build.sh) =="
	fi
fi

# ---- idle: CPU of idle Linux guests ----
# idle_pct KIND N: "boot_s pct_of_one_core wakeups_per_s_per_guest" (wakeups: cairn ctl stats)
idle_pct() {
	boot_many "$1" "$2" >"$T/boot.res"; r=$(cut -d' ' -f1 "$T/boot.res")
	[ "$r" = fail ] && { stop_all; echo "fail - -"; return; }
	sleep 2
	w0=0; [ "$1" = cairn ] && w0=$(ctl_sum l "$2" wakeups)
	c0=$(cpu_ticks $PIDS); t0=$(now)
	sleep "$HV_IDLE_SECS"
	c1=$(cpu_ticks $PIDS); t1=$(now)
	w1=0; [ "$1" = cairn ] && w1=$(ctl_sum l "$2" wakeups)
	stop_all
	echo "$r $(calc "printf \"%.2f %.1f\", ($c1 - $c0) / $CLK_TCK / ($t1 - $t0) * 100, ($w1 - $w0) / ($t1 - $t0) / $2")"
}
if part idle; then
	echo
	if linux_ok; then
		echo "== idle Linux guests at their shells: CPU over ${HV_IDLE_SECS} s (% of one host core; cairn hv --threads 2) == (host load $(load))"
		printf '   %-6s %9s %7s %6s %15s %8s %12s\n' guests cairn_% target check "wakeups/s/VM" qemu_% boot_s
		for n in 1 16; do
			c=$(idle_pct cairn $n)
			if have "$QEMU"; then q=$(idle_pct qemu $n); else q="- - -"; fi
			tgt=1; [ $n = 16 ] && tgt=5
			set -- $c; cb=$1; cp=$2; cw=$3; set -- $q
			chk=$(calc "x = \"$cp\"; print (x != \"-\" && x + 0 <= $tgt) ? \"pass\" : \"FAIL\"")
			printf '   %-6s %9s %6s%% %6s %15s %8s %12s\n' $n "$cp" $tgt "$chk" "$cw" "$2" "$cb/$1"
		done
	else
		echo "== idle: no Linux guest in $G =="
	fi
fi

# ---- smp4: a 4-hart Linux guest, pool vs thread per hart ----
old_cairn() {
	[ -n "$HV_OLD" ] && { echo "$HV_OLD"; return; }
	rev=$(git log --format=%H --grep='^sched: one worker pool' 2>/dev/null | tail -n 1)
	[ -n "$rev" ] || return 1
	old=$(git rev-parse --short "$rev^") || return 1
	d=${XDG_CACHE_HOME:-$HOME/.cache}/cairn/bench/cairn-$old
	if [ ! -x "$d/build/cairn" ]; then
		echo "   (building the thread-per-hart cairn at $old in $d)" >&2
		rm -rf "$d"; mkdir -p "$d"
		if ! { git archive "$old" | tar -x -C "$d" && make -C "$d" -j"$(nproc)" build/cairn >"$d.log" 2>&1; }; then
			echo "   (build of $old failed: $d.log)" >&2; return 1
		fi
	fi
	echo "$d/build/cairn"
}
# to_prompt CMD...: "wall_s cpu_s" until the console (stdout) shows the prompt
to_prompt() {
	rm -f "$T/p.out"
	t0=$(now)
	spawn "$T/p.out" "$@" -nographic
	if wait_text "$PROMPT" 300 "$T/p.out"; then
		t1=$(now); c=$(cpu_ticks $LAST)
		calc "printf \"%.2f %.2f\n\", $t1 - $t0, $c / $CLK_TCK"
	else
		echo "fail fail"
	fi
	stop_all
}
if part smp4; then
	echo
	if ! linux_ok; then
		echo "== smp4: no Linux guest in $G =="
	elif OLD=$(old_cairn); then
		echo "== Linux -smp 4 to its shell (median of $HV_RUNS, runs interleaved; host CPU seconds used meanwhile) == (host load $(load))"
		L4="$LINUX -smp 4"
		i=0
		while [ $i -lt "$HV_RUNS" ]; do
			to_prompt "$CAIRN" vm --threads 2 $L4 >>"$T/s.pool2"
			to_prompt "$CAIRN" vm --threads 4 $L4 >>"$T/s.pool4"
			to_prompt "$OLD" vm $L4 >>"$T/s.old"
			have "$QEMU" && to_prompt "$QEMU" $L4 >>"$T/s.qemu"
			to_prompt "$CAIRN" vm --threads 2 $LINUX -smp 1 >>"$T/s.one"
			i=$((i + 1))
		done
		row() { printf '   %-46s %7s %7s   (%s)\n' "$1" "$(grep -v fail "$2" | cut -d' ' -f1 | median)" \
			"$(grep -v fail "$2" | cut -d' ' -f2 | median)" "$(cut -d' ' -f1 "$2" | tr '\n' ' ')"; }
		printf '   %-46s %7s %7s   (%s)\n' "" wall_s cpu_s "each run's wall seconds"
		row "cairn, pool of 2 workers (--threads 2)" "$T/s.pool2"
		row "cairn, pool of 4 workers (--threads 4)" "$T/s.pool4"
		row "cairn $(git rev-parse --short "$(git log --format=%H --grep='^sched: one worker pool' | tail -n 1)^" 2>/dev/null), a thread per hart" "$T/s.old"
		[ -f "$T/s.qemu" ] && row "QEMU -smp 4 (MTTCG, a thread per vCPU)" "$T/s.qemu"
		row "(cairn -smp 1, --threads 2, for scale)" "$T/s.one"
	else
		echo "== smp4: no thread-per-hart build (HV_OLD=path/to/old/cairn) =="
	fi
fi

# ---- interactive: a shell beside a spinning VM on one worker ----
# lat_case NAME SPIN WEIGHTS...: runs a Linux VM (and a spinner) and measures echo latency
lat_case() {
	name=$1; spin=$2; shift 2
	rm -f "$T/l.sock"
	if [ "$spin" = qemu ] || [ "$spin" = qemu-spin ]; then
		spawn "$T/qemu.err" taskset -c 1 "$QEMU" $LINUX -smp 1 -display none -monitor none -serial "unix:$T/l.sock,server=on,wait=off"
		[ "$spin" = qemu-spin ] && spawn "$T/qemu.err" taskset -c 1 "$QEMU" $BARE -display none -monitor none -serial null -kernel "$GUESTS/work.elf"
	elif [ "$spin" = yes ]; then
		spawn "$T/hv.out" "$CAIRN" hv --threads 1 --vm "-name l $LINUX -smp 1 -serial unix:$T/l.sock,server=on,wait=off" \
			--vm "-name spin $BARE -kernel $GUESTS/work.elf -serial null" "$@"
	else
		spawn "$T/hv.out" "$CAIRN" hv --threads 1 --vm "-name l $LINUX -smp 1 -serial unix:$T/l.sock,server=on,wait=off" "$@"
	fi
	r=$(timeout 600 python3 "$HERE/hvlat.py" "$T/l.sock" "$HV_LAT_N" 300)
	stop_all
	echo "$r" | awk -v name="$name" '/^lat n=/ { gsub(/ ms/, ""); split($0, f, " ");
		printf "   %-50s %s %s %s %s | %s %s %s\n", name, f[3], f[4], f[5], f[6], f[10], f[11], f[12]; next }
		{ printf "   %-50s %s\n", name, $0 }' 
}
if part interactive; then
	echo
	if linux_ok; then
		echo "== interactive latency on 1 worker, $HV_LAT_N probes each, ms == (host load $(load))"
		echo "   (command: 'p K' sent, a shell function printing r<7K>, until that line; key: one key until its echo)"
		lat_case "cairn: Linux alone" no
		lat_case "cairn: Linux + spinning VM, equal weights" yes
		lat_case "cairn: Linux + spinning VM, --weight l=1000 spin=100" yes --weight l=1000 --weight spin=100
		lat_case "cairn: Linux + spinning VM, --weight spin=10" yes --weight spin=10
		if have "$QEMU" && have taskset; then
			lat_case "QEMU: Linux alone on host core 1 (taskset)" qemu
			lat_case "QEMU: Linux + spinning QEMU, both on host core 1" qemu-spin
		fi
	else
		echo "== interactive: no Linux guest in $G =="
	fi
fi

# ---- rt: the real-time guest ----
RTOS=$BUILD/guests/rtos.elf
# rt_fields FILE: "n min p50 p99 max overruns" (us) from the rtos guest's done line
rt_fields() {
	sed -n 's/^rtos: done n=\([0-9]*\) lat_ns min=\([0-9]*\) p50=\([0-9]*\) p99=\([0-9]*\) max=\([0-9]*\) overruns=\([0-9]*\).*/\1 \2 \3 \4 \5 \6/p' "$1" |
		awk '{ printf "%d %.1f %.1f %.1f %.1f %d\n", $1, $2 / 1e3, $3 / 1e3, $4 / 1e3, $5 / 1e3, $6 } END { if (!NR) print "- - - - - -" }'
}
RTVM="-name rt -M virt -m 64M -bios none -kernel $RTOS -append rtos.seconds=$HV_RT_SECS"
if part rt; then
	echo
	if ! grep -q '^RTOS *:=' Makefile 2>/dev/null && [ ! -f "$RTOS" ]; then
		echo "== rt: guests/rtos is not in this tree yet (it lands on main separately) =="
	elif ! make -s BUILD="$BUILD" "$RTOS" >/dev/null 2>&1 && [ ! -f "$RTOS" ]; then
		echo "== rt: cannot build $RTOS =="
	elif ! linux_ok; then
		echo "== rt: no Linux guest in $G =="
	else
		echo "== real-time guest (guests/rtos, ${HV_RT_SECS} s, 1 ms tick): wake-up latency, us == (host load $(load))"
		printf '   %-44s %6s %6s %6s %7s %8s %5s\n' "" n min p50 p99 max over
		timeout $((HV_RT_SECS + 60)) "$CAIRN" vm $RTVM -nographic </dev/null >"$T/rt.log" 2>&1
		printf '   %-44s %6s %6s %6s %7s %8s %5s\n' "cairn, alone" $(rt_fields "$T/rt.log")
		if have "$QEMU"; then
			timeout $((HV_RT_SECS + 60)) "$QEMU" -M virt -m 64M -bios none -kernel "$RTOS" -append "rtos.seconds=$HV_RT_SECS" -nographic </dev/null >"$T/rt.log" 2>&1
			printf '   %-44s %6s %6s %6s %7s %8s %5s\n' "QEMU, alone" $(rt_fields "$T/rt.log")
		fi
		for res in none "300us/1ms"; do
			rm -f "$T"/rt.log "$T"/r*.sock "$T/ctl"
			# The RT VM waits (-S) until every shell spins, then runs HV_RT_SECS (cairn ctl cont).
			set -- --control "$T/ctl" --vm "$RTVM -serial file:$T/rt.log -S"
			k=1; while [ $k -le 4 ]; do set -- "$@" --vm "-name l$k $LINUX -smp 2 -serial unix:$T/r$k.sock,server=on,wait=off"; k=$((k + 1)); done
			[ "$res" != none ] && set -- "$@" --reserve "rt=$res"
			spawn "$T/hv.out" "$CAIRN" hv --threads 2 "$@"
			ok=1
			k=1; while [ $k -le 4 ]; do
				timeout 400 python3 "$HERE/../tests/system/hvcon.py" connect "$T/r$k.sock" expect "$PROMPT" 300 \
					send 'while :; do :; done & while :; do :; done & while :; do :; done &' expect "$PROMPT" 30 detach >/dev/null || ok=0
				k=$((k + 1))
			done
			sleep 1
			"$CAIRN" ctl --socket "$T/ctl" cont rt >/dev/null 2>&1 || ok=0
			wait_text "rtos: done" $((HV_RT_SECS + 60)) "$T/rt.log" || ok=0
			stop_all
			label="cairn + 4 busy Linux -smp 2"
			if [ "$res" != none ]; then label="$label, --reserve rt=$res"; else label="$label, no reservation"; fi
			[ $ok = 1 ] || label="$label (incomplete)"
			printf '   %-44s %6s %6s %6s %7s %8s %5s\n' "$label" $(rt_fields "$T/rt.log")
		done
		echo "   (targets with the reservation: p99 <= 50 us, max <= 250 us; over = ticks a whole period late;"
		echo "    beside Linux: the RT VM starts (cairn ctl cont) once every shell runs three busy loops)"
	fi
fi
exit 0
