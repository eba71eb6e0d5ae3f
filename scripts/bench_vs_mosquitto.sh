#!/usr/bin/env bash
# attune-relay against mosquitto 2.0, side by side in one run (issue 12): the
# two alternate (A B A B ...) for ROUNDS rounds of each scenario, and the
# summary gives each side's median and min-max, and the median and min-max of
# the per-round ratio. Attune acknowledges a send only after fsync; mosquitto
# QoS 1 never fsyncs (../shared/bench/mosquitto/README.md).
#
#   scripts/bench_vs_mosquitto.sh [BUILD_DIR]
#
# Environment: MQTT_BENCH (path of the built mqtt_bench; default
# /tmp/mqtt/mqtt_bench), MQTT_DIR (the harness, default ../shared/bench/mosquitto
# next to the checkout), SCENARIOS (default "w1 w16 offline idle"), ROUNDS (5),
# SECONDS_PER_RUN (5), PORT (18830, mosquitto's).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build/default}
relay=$build/relay/attune-relay
bench=$build/relay/bench/attune-relay-bench
mqtt_dir=${MQTT_DIR:-$here/../../shared/bench/mosquitto}
mqtt_bench=${MQTT_BENCH:-/tmp/mqtt/mqtt_bench}
scenarios=${SCENARIOS:-w1 w16 offline idle}
rounds=${ROUNDS:-5}
secs=${SECONDS_PER_RUN:-5}
port=${PORT:-18830}
for f in "$relay" "$bench" "$mqtt_bench" "$mqtt_dir/run.sh"; do
  [ -e "$f" ] || { echo "bench_vs_mosquitto: missing $f" >&2; exit 1; }
done
ulimit -n 20000 2>/dev/null || true
samples=$(mktemp)
trap 'rm -f "$samples"' EXIT

# Prints "metric value" lines for one Attune run of a scenario.
attune_run() {
  local out
  case $1 in
    w1 | w16)
      out=$("$bench" --relay-binary "$relay" --mode throughput --pairs 50 \
        --window "${1#w}" --seconds "$secs")
      awk '/^delivered /{print "msg_per_s", $(NF-1)}
           /^send-to-delivery latency/{print "p50_ms", $4; print "p99_ms", $7}
           /^relay CPU /{print "cpu_us_per_msg", $3}' <<<"$out"
      ;;
    offline)
      out=$("$bench" --relay-binary "$relay" --mode offline --offline-messages 10000)
      awk '/^drain: all delivered after/{print "drain_ms", $5}' <<<"$out"
      ;;
    idle)
      out=$("$bench" --relay-binary "$relay" --mode idle --idle-connections 5000)
      awk '/^per idle connection/{print "bytes_per_idle_conn", $4}' <<<"$out"
      ;;
  esac
}

# The same metrics from one mosquitto run.
mqtt_run() {
  local out
  out=$("$mqtt_dir/run.sh" "$mqtt_bench" "$1" "$port")
  awk '/^SAMPLE .*_msgs_per_s /{print "msg_per_s", $4}
       /^SAMPLE .*_lat_p50 /{print "p50_ms", $4 / 1000}
       /^SAMPLE .*_lat_p99 /{print "p99_ms", $4 / 1000}
       /^SAMPLE .*_broker_cpu_per_msg /{print "cpu_us_per_msg", $4}
       /^SAMPLE .*_drain_time /{print "drain_ms", $4}
       /^SAMPLE .*_rss_per_client /{print "bytes_per_idle_conn", $4 * 1024}' <<<"$out"
}

for scenario in $scenarios; do
  for round in $(seq "$rounds"); do
    echo "== $scenario round $round ($(uptime | sed 's/.*load/load/'))" >&2
    attune_run "$scenario" | sed "s/^/$scenario $round attune /" | tee -a "$samples" >&2
    mqtt_run "$scenario" | sed "s/^/$scenario $round mosquitto /" | tee -a "$samples" >&2
  done
done

# Summary: per scenario and metric, each side's median (min-max) and the
# median (min-max) of the per-round ratio attune / mosquitto.
python3 - "$samples" <<'EOF'
import collections, statistics, sys
runs = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    scenario, rnd, side, metric, value = line.split()
    runs[(scenario, metric)].setdefault(rnd, {})[side] = float(value)
print(f"{'scenario':8} {'metric':20} {'attune median (min-max)':>30} "
      f"{'mosquitto median (min-max)':>30} {'ratio median (min-max)':>24}")
def fmt(values):
    return f"{statistics.median(values):.4g} ({min(values):.4g}-{max(values):.4g})"
for (scenario, metric), by_round in runs.items():
    a = [r["attune"] for r in by_round.values() if "attune" in r]
    m = [r["mosquitto"] for r in by_round.values() if "mosquitto" in r]
    ratios = [r["attune"] / r["mosquitto"] for r in by_round.values()
              if "attune" in r and r.get("mosquitto")]
    print(f"{scenario:8} {metric:20} {fmt(a) if a else '-':>30} {fmt(m) if m else '-':>30} "
          f"{fmt(ratios) if ratios else '-':>24}")
EOF
