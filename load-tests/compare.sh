#!/usr/bin/env bash
# The race against Kafka, in one sitting: runs ../shared/bench/kafka-baseline.sh (Apache Kafka 4.4 and its
# own perf tools on loopback), then the same workloads against Sluice (bin/sluice-bench kafka-race: a broker
# JVM with Kafka's broker heap, a lean gRPC load generator), and prints per workload both figures and
# their ratio. Absolute figures drift on a shared machine; the ratio from one sitting is the result.
#   load-tests/compare.sh            full run (~10 min; downloads Kafka through Maven the first time)
#   QUICK=1 load-tests/compare.sh    all counts / 20: a smoke test of the scripts, not a comparison
# Env: PARTITIONS="1 8" (both sides), COMPRESSION=none|gzip|lz4|zstd|snappy (both sides, every producer), KAFKA_ANCHOR_WORK (Kafka's work dir, default /tmp/kafka-anchor-work),
#      KAFKA_BASELINE (path of kafka-baseline.sh), SKIP_KAFKA=FILE (reuse a Kafka results file instead of running it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
baseline="${KAFKA_BASELINE:-$root/../shared/bench/kafka-baseline.sh}"
export PARTITIONS="${PARTITIONS:-1 8}"
out="$root/load-tests/target/compare"; mkdir -p "$out"
stamp="$(date +%Y%m%d-%H%M%S)"
kafka_txt="$out/kafka-$stamp.txt"; sluice_tsv="$out/sluice-$stamp.tsv"; table="$out/compare-$stamp.txt"
quick_flag=(); [ "${QUICK:-0}" = 1 ] && quick_flag=(--quick)

echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
if [ -n "${SKIP_KAFKA:-}" ]; then
  cp "$SKIP_KAFKA" "$kafka_txt"
else
  echo "== 1/2 Kafka baseline ($baseline)" >&2
  "$baseline" | tee "$kafka_txt" >&2
fi
echo "== 2/2 Sluice (bin/sluice-bench kafka-race ${quick_flag[*]:-})" >&2
"$root/bin/sluice-bench" kafka-race "${quick_flag[@]}" --partitions-list "$PARTITIONS" \
  --compression "${COMPRESSION:-none}" > "$sluice_tsv"
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# Kafka rows (bench.sh's FMT): a 22-char label, then parts records bytes rec/s MB/s avg p50 p95 p99 p99.9 max brk cli oth notes.
# Sluice rows: results.tsv of the kafka-race suite, same labels and columns (tab-separated, no oth/notes).
awk -v quick="${QUICK:-0}" '
  function num(v) { return v ~ /^[0-9.]+$/ }
  function ratio(s, k) { return (num(s) && num(k) && k > 0) ? sprintf("%.2f", s / k) : "n/a" }
  function line(w, p, metric, k, s, better) {
    printf "%-22s %5s  %-16s %12s %12s %8s   %s\n", w, p, metric, k, s, ratio(s, k), better
  }
  FNR == NR {   # Kafka results file
    if (length($0) < 30 || substr($0, 1, 2) !~ /^[a-e] /) next
    label = substr($0, 1, 22); sub(/ +$/, "", label); split(substr($0, 23), f, " ")
    key = substr(label, 1, 1) "/" f[1]
    K[key, "label"] = label; K[key, "rps"] = f[4]; K[key, "mbs"] = f[5]; K[key, "avg"] = f[6]
    K[key, "p50"] = f[7]; K[key, "p99"] = f[9]; K[key, "p999"] = f[10]; K[key, "brk"] = f[12]; K[key, "cli"] = f[13]
    next
  }
  FNR == 1 { next }   # Sluice TSV header
  {
    split($0, f, "\t"); key = substr(f[1], 1, 1) "/" f[2]; order[++n] = key; lab[key] = f[1]
    S[key, "rps"] = f[5]; S[key, "mbs"] = f[6]; S[key, "avg"] = f[7]; S[key, "p50"] = f[8]; S[key, "p99"] = f[10]
    S[key, "p999"] = f[11]; S[key, "brk"] = f[13]; S[key, "cli"] = f[14]
  }
  END {
    if (quick == 1) print "QUICK=1: counts / 20, a smoke test; these figures are not a comparison."
    printf "%-22s %5s  %-16s %12s %12s %8s   %s\n", "workload", "parts", "metric", "Kafka", "Sluice", "S/K", ""
    for (i = 1; i <= n; i++) {
      k = order[i]; split(k, kp, "/"); w = lab[k]; p = kp[2]
      if (!((k, "label") in K)) { line(w, p, "(no Kafka row)", "-", "-", ""); continue }
      if (kp[1] == "e") {
        line(w, p, "avg ms", K[k, "avg"], S[k, "avg"], "lower is better")
        line(w, p, "p50 ms", K[k, "p50"], S[k, "p50"], "Kafka: whole ms")
        line(w, p, "p99 ms", K[k, "p99"], S[k, "p99"], "")
        line(w, p, "p99.9 ms", K[k, "p999"], S[k, "p999"], "")
      } else {
        line(w, p, "records/s", K[k, "rps"], S[k, "rps"], "higher is better")
        line(w, p, "MB/s", K[k, "mbs"], S[k, "mbs"], "")
        if (kp[1] != "d") line(w, p, "p99 ack ms", K[k, "p99"], S[k, "p99"], "see note")
      }
      line(w, p, "broker CPU-s", K[k, "brk"], S[k, "brk"], "")
      line(w, p, "client CPU-s", K[k, "cli"], S[k, "cli"], "")
    }
    print ""
    print "S/K = Sluice / Kafka. Throughput: > 1 means Sluice is faster. Latency and CPU: < 1 means Sluice is lower."
    print "Note: Kafka producer latencies include time queued in its 32 MiB buffer (--throughput -1); Sluice'"'"'s count"
    print "from the moment a record is put into a batch, which happens only when the 64-batch window has room."
  }' "$kafka_txt" "$sluice_tsv" | tee "$table"
echo "files: $kafka_txt $sluice_tsv $table" >&2
