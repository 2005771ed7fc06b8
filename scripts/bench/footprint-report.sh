#!/usr/bin/env bash
# Prints the footprint benchmark's Markdown table from its CSV (app,metric,run,value,unit),
# with lattica-tray's verdict against each target of the issue.
# Usage: scripts/bench/footprint-report.sh artifacts/bench/<run>/footprint.csv
set -euo pipefail
[ -f "${1:-}" ] || { echo "usage: $0 footprint.csv" >&2; exit 2; }

awk -F, '
NR == 1 { next }
$1 == "-" { setting[$2] = $4; next }
{ n = ++count[$1, $2]; value[$1, $2, n] = $4 }

function sorted(app, metric,    n, i, j, t) {
  n = count[app, metric]
  for (i = 1; i <= n; i++) s[i] = value[app, metric, i] + 0
  for (i = 2; i <= n; i++) for (j = i; j > 1 && s[j - 1] > s[j]; j--) { t = s[j]; s[j] = s[j - 1]; s[j - 1] = t }
  return n
}
function median(app, metric,    n) {
  n = sorted(app, metric)
  if (n == 0) return ""
  return (n % 2) ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2
}
function maximum(app, metric,    n) { n = sorted(app, metric); return n ? s[n] : "" }
function one(app, metric) { return count[app, metric] ? value[app, metric, 1] + 0 : "" }
function timing(app, metric) {
  if (!count[app, metric]) return "–"
  return sprintf("%.0f (%.0f)", median(app, metric), maximum(app, metric))
}
function mib(kb) { return kb == "" ? "–" : sprintf("%.1f", kb / 1024) }
# Least-squares slope of a memory series ("pss_sample", "private_sample"), in MiB per hour.
function slope(app, series,    n, i, x, y, sx, sy, sxx, sxy) {
  n = count[app, series]
  if (n < 2) return ""
  for (i = 1; i <= n; i++) {
    x = (i - 1) * setting["sample_secs"] / 3600; y = value[app, series, i] / 1024
    sx += x; sy += y; sxx += x * x; sxy += x * y
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx)
}
function growth(app, series,    n) {
  n = count[app, series]
  if (n < 2) return "–"
  return sprintf("%s → %s (%+.2f/h)", mib(value[app, series, 1]), mib(value[app, series, n]), slope(app, series))
}
# Samples taken while WebKit processes outside the benchmark ran (they lower PSS).
function disturbed(    i, n) {
  for (i = 1; i <= count["machine", "foreign_webkit"]; i++) n += (value["machine", "foreign_webkit", i] > 0)
  return n + 0
}
function code(app, phase) {
  if (one(app, "code_resident_" phase) == "") return "–"
  return sprintf("%s (%s)", mib(one(app, "code_resident_" phase)), mib(one(app, "code_size_" phase)))
}
function verdict(ok) { return ok ? "**met**" : "**not met**" }
function row(label, a, b, c, target, ok) {
  printf "| %s | %s | %s | %s | %s | %s |\n", label, a, b, c, target, ok
}

END {
  H = "bare-hidden"; L = "bare-lazy"; T = "lattica-tray"
  minutes = setting["growth_secs"] / 60
  printf "| figure | %s | %s | %s | target for %s | verdict |\n", H, L, T, T
  print "|---|---|---|---|---|---|"
  row("launch → tray item registered, ms, median (max)", timing(H, "launch_to_tray"),
      timing(L, "launch_to_tray"), timing(T, "launch_to_tray"), "≤ 1.2 × bare-lazy",
      count[T, "launch_to_tray"] ? verdict(median(T, "launch_to_tray") <= 1.2 * median(L, "launch_to_tray")) : "–")
  row("“Open” → painted with data, cold, ms, median (max)", timing(H, "click_to_painted_cold"),
      timing(L, "click_to_painted_cold"), timing(T, "click_to_painted_cold"), "≤ 350 ms",
      count[T, "click_to_painted_cold"] ? verdict(median(T, "click_to_painted_cold") <= 350) : "–")
  row("“Open” → painted with data, warm, ms, median (max)", timing(H, "click_to_painted_warm"),
      timing(L, "click_to_painted_warm"), timing(T, "click_to_painted_warm"), "≤ 100 ms",
      count[T, "click_to_painted_warm"] ? verdict(median(T, "click_to_painted_warm") <= 100) : "–")
  row(sprintf("processes %d s after launch, popover never opened", setting["idle_secs"]),
      one(H, "processes_unopened"), one(L, "processes_unopened"), one(T, "processes_unopened"), "", "")
  row(sprintf("summed PSS %d s after launch, popover never opened, MiB", setting["idle_secs"]),
      mib(one(H, "pss_unopened")), mib(one(L, "pss_unopened")), mib(one(T, "pss_unopened")),
      "≤ 1.05 × bare-lazy", one(T, "pss_unopened") == "" ? "–" : verdict(one(T, "pss_unopened") <= 1.05 * one(L, "pss_unopened")))
  row(sprintf("the program file’s code resident %d s after launch, never opened, MiB (of its code)", setting["idle_secs"]),
      code(H, "unopened"), code(L, "unopened"), code(T, "unopened"), "", "")
  row(sprintf("processes %d s after the popover was opened and hidden", setting["idle_secs"]),
      one(H, "processes_idle"), one(L, "processes_idle"), one(T, "processes_idle"), "", "")
  row(sprintf("summed PSS %d s after the popover was opened and hidden, MiB", setting["idle_secs"]), mib(one(H, "pss_idle")),
      mib(one(L, "pss_idle")), mib(one(T, "pss_idle")), "≤ 1.1 × bare-lazy",
      one(T, "pss_idle") == "" ? "–" : verdict(one(T, "pss_idle") <= 1.1 * one(L, "pss_idle")))
  cpu_h = one(H, "idle_cpu"); cpu_l = one(L, "idle_cpu"); cpu_t = one(T, "idle_cpu")
  row(sprintf("idle CPU over %d s, %% of one core", setting["cpu_secs"]), cpu_h, cpu_l, cpu_t,
      "≤ the bare apps’", cpu_t == "" ? "–" : verdict(cpu_t <= (cpu_h > cpu_l ? cpu_h : cpu_l)))
  row(sprintf("idle CPU over %d s, lattica-tray refreshing every %d s, %% of one core",
      setting["cpu_secs"], setting["refresh_secs"]), "", "", one(T, "idle_cpu_fast_refresh"), "", "")
  # Growth is judged on private memory where it was sampled: PSS also moves with other
  # processes on the machine that share the same libraries.
  series = count[T, "private_sample"] > 1 ? "private_sample" : "pss_sample"
  row(sprintf("PSS over %g min idle, MiB, first → last (least-squares slope per hour)", minutes),
      growth(H, "pss_sample"), growth(L, "pss_sample"), growth(T, "pss_sample"),
      series == "pss_sample" ? "no growth (≤ 1 MiB/h)" : "",
      series == "pss_sample" && slope(T, series) != "" && setting["growth_secs"] >= 1800 ? verdict(slope(T, series) <= 1) : "")
  # A slope from a few minutes (the quick run) says nothing about an hour: no verdict.
  judged = setting["growth_secs"] >= 1800
  if (series == "private_sample")
    row(sprintf("private memory over %g min idle, MiB, first → last (slope per hour)", minutes),
        growth(H, series), growth(L, series), growth(T, series), "no growth (≤ 1 MiB/h)",
        judged ? verdict(slope(T, series) <= 1) : "– (window too short to judge)")
  printf "\n%d launches per app after a warm-up one. lattica-tray at its default settings (a refresh every 60 s), except in the rows about refreshing every %d s and the growth rows.\n",
    setting["repeats"], setting["refresh_secs"]
  printf "Machine load (1-minute average) during the launches: median %s, max %s; while idle: median %s, max %s.\n",
    median("machine", "load_latency"), maximum("machine", "load_latency"),
    median("machine", "load_idle"), maximum("machine", "load_idle")
  if (count["machine", "foreign_webkit"])
    printf "Other WebKit processes were running on the machine during %d of the %d memory samples.\n",
      disturbed(), count["machine", "foreign_webkit"]
}' "$1"
