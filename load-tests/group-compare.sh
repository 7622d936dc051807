#!/usr/bin/env bash
# The consumer group race against Kafka, in one sitting: 4 consumers in one group on 8 partitions.
#   Kafka:  start.sh of the Kafka anchor, warm-up as bench.sh, an 8-partition topic filled with N x 100 B by
#           ProducerPerformance (bench.sh's settings), then 4 ConsumerPerformance JVMs started at once in one
#           --group (each --num-records N, so each ends by its --timeout: GROUP_TIMEOUT_MS for the first,
#           twice that for the others, so the first one's leave is a rebalance among three), then one alone
#           on the same topic (bench.sh's single-consumer figure, for reference); Kafka is stopped.
#   Sluice: bin/sluice-bench group (a broker JVM as kafka-race starts it; 4 raw-gRPC members in one group).
# Prints both sides and Sluice/Kafka ratios. Kafka's 4-consumer figures: records = sum of the four tools';
# time = first tool's start.time to the last record (a tool that timed out ends its timeout after its last
# record, plus up to one 100 ms poll: timeout + 50 ms is subtracted, +-0.05 s); group stable, first
# assignment and the leave rebalance come from the broker's group coordinator log (classic protocol, ms).
#   load-tests/group-compare.sh           full run: N = 2,000,000 (several minutes)
#   QUICK=1 load-tests/group-compare.sh   counts / 20: a smoke test of the scripts, not a comparison
# Env: KAFKA_BENCH_DIR (default $root/../shared/bench/kafka; may be read-only), KAFKA_ANCHOR_WORK (Kafka's
#      work dir, default /tmp/kafka-anchor-work), GROUP_TIMEOUT_MS (default 10000), TIMEOUT_S (per tool, 600),
#      PAUSE_S (before each Kafka test, 2), KAFKA_GROUP_PROTOCOL (classic, the client default; or consumer:
#      then the broker logs no assignment lines to read, and the log-derived Kafka times show as -).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kdir="$(cd "${KAFKA_BENCH_DIR:-$root/../shared/bench/kafka}" && pwd)"
# shellcheck source=/dev/null
source "$kdir/env.sh"   # JAVA, CP, JVM_PERF_OPTS, TOOL_LOG_OPTS, BOOTSTRAP, PID_FILE, BROKER_LOG, kafka_version

DIV=1; quick_flag=()
if [ "${QUICK:-0}" = 1 ]; then DIV=20; quick_flag=(--quick); fi
N=$((2000000 / DIV)); WARMUP=$((500000 / DIV)); MEMBERS=4; PARTS=8; SIZE=100
GROUP_TIMEOUT_MS="${GROUP_TIMEOUT_MS:-10000}"; TIMEOUT_S="${TIMEOUT_S:-600}"; PAUSE_S="${PAUSE_S:-2}"
PROTOCOL="${KAFKA_GROUP_PROTOCOL:-classic}"
stamp="$(date +%Y%m%d-%H%M%S)"; TAG="g${stamp//-/}"
out="$root/load-tests/target/group-compare/$stamp"; mkdir -p "$out"
table="$out/compare.txt"

kafka_started=0; consumer_pids=()
cleanup() {
  for pid in "${consumer_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ "$kafka_started" = 1 ]; then "$kdir/stop.sh" >&2 || true; kafka_started=0; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tool() { # tool <heap> <class> args...   (bench.sh's JVM settings for Kafka's perf tools)
  local heap="$1" cls="$2"; shift 2
  timeout -k 10 "$TIMEOUT_S" "$JAVA" "$heap" $JVM_PERF_OPTS $TOOL_LOG_OPTS -cp "$CP" "org.apache.kafka.tools.$cls" "$@"
}
broker_ticks() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $12+$13}' || echo 0; }
client_secs() { awk 'NR==2{s=0; for(i=1;i<=2;i++){split($i,a,/[ms]/); s+=a[1]*60+a[2]} print s}' "$1"; }
ts_ms() { date -d "$(sed -E 's/:([0-9]{3})$/.\1/' <<<"$1")" +%s%3N; }   # "yyyy-mm-dd HH:MM:SS:mmm" -> epoch ms

# bin/sluice-bench builds only on first use: make sure its classes have the group scenario (before Kafka runs).
if [ ! -f "$root/load-tests/target/classes/io/sluice/loadtest/harness/GroupRun.class" ]; then
  echo "== building load-tests (./mvnw -pl load-tests -am package -DskipTests)" >&2
  (cd "$root" && ./mvnw -q -DskipTests -pl load-tests -am package) >&2
fi
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg); nproc $(nproc); $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM" >&2
[ -n "$(kafka_version)" ] || "$kdir/fetch.sh" >&2
"$kdir/start.sh" >&2
kafka_started=1
BPID="$(cat "$PID_FILE")"

echo "== 1/3 Kafka: warm-up, fill, 4 consumers in one group, then 1 consumer alone (raw output in $out)" >&2
tool -Xmx256M TopicCommand --bootstrap-server "$BOOTSTRAP" --create --topic "$TAG-warmup" --partitions 1 \
  --replication-factor 1 >>"$out/kafka-topics.log" 2>&1
tool -Xmx512M ProducerPerformance --bootstrap-server "$BOOTSTRAP" --topic "$TAG-warmup" --num-records "$WARMUP" \
  --record-size "$SIZE" --throughput -1 --command-property acks=1 linger.ms=5 batch.size=65536 compression.type=none \
  >"$out/kafka-warmup.txt" 2>&1
# also creates __consumer_offsets, so the measured group does not wait for it
tool -Xmx512M ConsumerPerformance --bootstrap-server "$BOOTSTRAP" --topic "$TAG-warmup" --num-records "$WARMUP" \
  --timeout 30000 --group "$TAG-cg-warmup" >>"$out/kafka-warmup.txt" 2>&1
tool -Xmx256M TopicCommand --bootstrap-server "$BOOTSTRAP" --create --topic "$TAG-p8" --partitions "$PARTS" \
  --replication-factor 1 >>"$out/kafka-topics.log" 2>&1
tool -Xmx512M ProducerPerformance --bootstrap-server "$BOOTSTRAP" --topic "$TAG-p8" --num-records "$N" \
  --record-size "$SIZE" --throughput -1 --command-property acks=1 linger.ms=5 batch.size=65536 compression.type=none \
  >"$out/kafka-fill.txt" 2>&1
grep -E 'records sent' "$out/kafka-fill.txt" | tail -1 | sed 's/^/   fill: /' >&2

sleep "$PAUSE_S"
G="$TAG-cg-4"
mark=$(wc -l <"$BROKER_LOG")
b0=$(broker_ticks "$BPID"); times >"$out/.t0"
for i in $(seq 1 "$MEMBERS"); do
  # Every tool asks for all N records, so none leaves while records are left: each ends by its --timeout,
  # the first one earlier than the others so that its leave is a rebalance among the remaining three.
  t=$(( i == 1 ? GROUP_TIMEOUT_MS : 2 * GROUP_TIMEOUT_MS ))
  # not through tool(): $! must be timeout's own pid, so that cleanup can stop it (it passes the signal on)
  timeout -k 10 "$TIMEOUT_S" "$JAVA" -Xmx512M $JVM_PERF_OPTS $TOOL_LOG_OPTS -cp "$CP" org.apache.kafka.tools.ConsumerPerformance \
    --bootstrap-server "$BOOTSTRAP" --topic "$TAG-p8" --num-records "$N" --timeout "$t" \
    --group "$G" --command-property group.protocol="$PROTOCOL" >"$out/kafka-consumer-$i.txt" 2>&1 &
  consumer_pids+=($!)
done
group_rc=0
for pid in "${consumer_pids[@]}"; do wait "$pid" || group_rc=$?; done
consumer_pids=()
times >"$out/.t1"; b1=$(broker_ticks "$BPID")
tail -n +$((mark + 1)) "$BROKER_LOG" | grep -iF "group $G" >"$out/kafka-broker-group.log" || true
k_brk=$(awk -v a="$b0" -v b="$b1" 'BEGIN{printf "%.1f", (b-a)/100}')
k_cli=$(awk -v a="$(client_secs "$out/.t0")" -v b="$(client_secs "$out/.t1")" 'BEGIN{printf "%.1f", b-a}')

sleep "$PAUSE_S"
tool -Xmx512M ConsumerPerformance --bootstrap-server "$BOOTSTRAP" --topic "$TAG-p8" --num-records "$N" \
  --timeout 30000 --group "$TAG-cg-1" >"$out/kafka-single.txt" 2>&1 || true
"$kdir/stop.sh" >&2; kafka_started=0

# --- Kafka figures ---
# each tool: start_ms end_ms records rebalance_ms fetch_rec/s timed_out timeout_ms
: >"$out/kafka-consumers.tsv"
for i in $(seq 1 "$MEMBERS"); do
  line="$(grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2} ' "$out/kafka-consumer-$i.txt" | tail -1 || true)"
  if [ -z "$line" ]; then echo "Kafka consumer $i printed no result (rc $group_rc); see $out/kafka-consumer-$i.txt" >&2; continue; fi
  IFS=',' read -r s e _ _ n _ reb _ _ frps <<<"$line"
  warned=0; grep -q '^WARNING: Exiting before consuming' "$out/kafka-consumer-$i.txt" && warned=1
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(ts_ms "$(echo $s)")" "$(ts_ms "$(echo $e)")" $n $reb $frps $warned \
    $(( i == 1 ? GROUP_TIMEOUT_MS : 2 * GROUP_TIMEOUT_MS )) >>"$out/kafka-consumers.tsv"
done
# A tool that timed out polled in 100 ms steps for its timeout after its last record: take the middle.
# (mawk: %d stops at 2^31, so epoch ms go through %.0f.)
read -r k_first k_last k_total k_reb_max k_reb_mean k_records <<<"$(awk -F'\t' '
  { if (first == "" || $1 < first) first = $1
    last_rec = $6 == 1 ? $2 - $7 - 50 : $2
    if ($3 > 0 && (last == "" || last_rec > last)) last = last_rec
    total += $3; if ($4 > rmax) rmax = $4; rsum += $4; recs = recs (NR > 1 ? "," : "") $3 }
  END { printf "%.0f %.0f %.0f %.0f %.0f %s\n", first, last, total, rmax, NR ? rsum / NR : 0, NR ? recs : "-" }' "$out/kafka-consumers.tsv")"
day="$(date -d "@$((k_first / 1000))" +%F)"
log_ms() { date -d "$day $1" +%s%3N; }   # broker log lines start with HH:MM:SS.mmm
glog="$out/kafka-broker-group.log"
at_line() { sed -n "${1}p" "$glog" | cut -d' ' -f1; }               # HH:MM:SS.mmm of line N
first_no() { # first_no <after line> <regex>: number of the first matching line after that one, or empty
  awk -v after="$1" -v re="$2" 'NR > after && $0 ~ re {print NR; exit}' "$glog"; }
k_first_assign=-1; k_stable=-1; k_leave=-1; k_leave_note="no LeaveGroup while the group had $MEMBERS members"
assigned_re="Assignment received from leader .* for group $G for generation"
a_no="$(first_no 0 "$assigned_re")"
[ -n "$a_no" ] && k_first_assign=$(( $(log_ms "$(at_line "$a_no")") - k_first ))
stable_no="$(first_no 0 "$assigned_re [0-9]+[.] The group has $MEMBERS members")"
if [ -n "$stable_no" ]; then
  k_stable=$(( $(log_ms "$(at_line "$stable_no")") - k_first ))
  # the first LeaveGroup after that, and the next assignment: the rebalance on one consumer's leave
  leave_no="$(first_no "$stable_no" "has left group through explicit")"
  if [ -n "$leave_no" ]; then
    next_no="$(first_no "$leave_no" "$assigned_re")"
    if [ -n "$next_no" ]; then
      k_leave=$(( $(log_ms "$(at_line "$next_no")") - $(log_ms "$(at_line "$leave_no")") ))
      k_leave_note="$(sed -n "${next_no}p" "$glog" | sed -nE 's/.*The group has ([0-9]+) members.*/the next assignment had \1 members/p')"
    else
      k_leave_note="no assignment after the first LeaveGroup (the others had finished)"
    fi
  fi
fi
k_generations=$(grep -cE "Stabilized group $G generation" "$glog" || true)
k_span_ms=$(( k_last - k_first ))
k_rps=$(awk -v n="$k_total" -v ms="$k_span_ms" 'BEGIN{printf "%.0f", (ms > 0 ? n / (ms / 1000) : 0)}')
k_fetch_rps=-1
[ "$k_first_assign" -ge 0 ] && k_fetch_rps=$(awk -v n="$k_total" -v ms="$((k_last - k_first - k_first_assign))" 'BEGIN{printf "%.0f", (ms > 0 ? n / (ms / 1000) : 0)}')
single="$(awk -F', *' '/^start\.time/{for(i=1;i<=NF;i++)h[i]=$i; getline; for(i=1;i<=NF;i++)v[h[i]]=$i;
  printf "%s %.0f %.2f %s %.0f", v["data.consumed.in.nMsg"], v["nMsg.sec"], v["MB.sec"], v["rebalance.time.ms"], v["fetch.nMsg.sec"]}' "$out/kafka-single.txt")"
read -r s_n s_rps s_mbs s_reb s_frps <<<"${single:-- - - - -}"

# --- Sluice ---
echo "== 2/3 Sluice: bin/sluice-bench group --tsv ${quick_flag[*]:-}" >&2
sluice_rc=0
"$root/bin/sluice-bench" group --tsv "${quick_flag[@]}" --records "$N" --warmup-records "$WARMUP" \
  --members "$MEMBERS" --partitions "$PARTS" --record-size "$SIZE" >"$out/sluice.tsv" || sluice_rc=$?
echo "== 3/3 load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
# columns: test parts members records bytes rec/s MB/s fetch_rec/s fetch_MB/s first_assign_ms stable_ms leave_ms moves dups brkCPU cliCPU
IFS=$'\t' read -r _ _ _ x_n _ x_rps x_mbs x_frps _ x_first x_stable x_leave x_moves x_dups x_brk x_cli \
  <<<"$(sed -n 2p "$out/sluice.tsv")"

mb() { awk -v r="$1" -v s="$SIZE" 'BEGIN{ if (r ~ /^[0-9.]+$/) printf "%.2f", r * s / 1048576; else print "-" }'; }
neg() { [ "$1" = "-1" ] && echo "-" || echo "$1"; }
{
  [ "${QUICK:-0}" = 1 ] && echo "QUICK=1: counts / 20, a smoke test of the scripts; these figures are not a comparison."
  echo "Consumer group: $MEMBERS consumers, $PARTS partitions, $N x $SIZE B; $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs, $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM; Kafka $(kafka_version) ($PROTOCOL group protocol)"
  awk -v kr="$k_rps" -v km="$(mb "$k_rps")" -v kf="$(neg "$k_fetch_rps")" -v kfm="$(mb "$(neg "$k_fetch_rps")")" \
      -v ka="$(neg "$k_first_assign")" -v ks="$(neg "$k_stable")" -v kl="$(neg "$k_leave")" -v kb="$k_brk" -v kc="$k_cli" \
      -v sr="${x_rps:--}" -v sm="${x_mbs:--}" -v sf="${x_frps:--}" -v sfm="$(mb "${x_frps:--}")" \
      -v sa="${x_first:--}" -v ss="${x_stable:--}" -v sl="${x_leave:--}" -v sb="${x_brk:--}" -v sc="${x_cli:--}" '
    function num(v) { return v ~ /^[0-9.]+$/ }
    function ratio(s, k) { return (num(s) && num(k) && k > 0) ? sprintf("%.2f", s / k) : "n/a" }
    function line(m, k, s, note) { printf "%-40s %14s %14s %7s   %s\n", m, k, s, ratio(s, k), note }
    BEGIN {
      printf "%-40s %14s %14s %7s\n", "metric", "Kafka 4 JVMs", "Sluice 4 mbrs", "S/K"
      line("consume records/s (join included)", kr, sr, "higher is better")
      line("consume MB/s (join included)", km, sm, "")
      line("consume records/s, from 1st assignment", kf, sf, "")
      line("first assignment ms", ka, sa, "lower is better")
      line("group stable ms (all 8 owned, 2 each)", ks, ss, "")
      line("rebalance on one leave ms", kl, sl, "")
      line("broker CPU-s (join + consume)", kb, sb, "")
      line("client CPU-s (join + consume)", kc, sc, "Kafka: 4 tool JVMs incl. start-up; Sluice: 1 JVM")
    }'
  echo
  echo "Kafka, 4 ConsumerPerformance JVMs in group $G: records per tool [$k_records] (sum $k_total of $N);"
  echo "  tools' rebalance.time.ms max $k_reb_max, mean $k_reb_mean; $k_generations group generations; leave: $k_leave_note."
  echo "Sluice: $x_n records, $x_moves partition moves, $x_dups duplicates (exit code $sluice_rc)."
  echo "Reference, not a ratio: Kafka's baseline (bench.sh, test d) is ONE consumer in a group. Here, alone on the"
  echo "  same topic: $s_n records, $s_rps records/s, $s_mbs MB/s, rebalance.time.ms $s_reb, fetch-only $s_frps records/s."
  echo "S/K = Sluice / Kafka: > 1 is faster for throughput, < 1 is faster for times and lower for CPU."
} | tee "$table"
echo "files: $out" >&2
