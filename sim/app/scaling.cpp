#include "app/scaling.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "engine/uncertainty.hpp"
#include "input/error.hpp"
#include "input/text.hpp"

namespace ccgrisk {

namespace {

// One entry of a thread list; `whole` is the list as typed, for messages.
int parse_thread_count(const std::string& item, std::string_view option, const std::string& whole) {
  const std::string at = std::string(option).append(" '").append(whole).append("': ");
  if (item.empty())
    throw InputError(at +
                     "expected comma-separated thread counts such as 1,2,4 (an entry is empty)");
  long value = 0;
  const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
  if (ec != std::errc() || end != item.data() + item.size())
    throw InputError(at + "'" + item +
                     "' is not a whole number (expected thread counts such as 1,2,4)");
  if (value < 1) throw InputError(at + "a thread count must be at least 1, got " + item);
  if (value > kMaxBenchThreads)
    throw InputError(at + "a thread count must be at most " + std::to_string(kMaxBenchThreads) +
                     ", got " + item);
  return static_cast<int>(value);
}

std::string range_cell(const ScalingRow& r) {
  return strprintf("%.3f-%.3f", r.min_s, r.max_s);
}

}  // namespace

std::vector<int> parse_thread_list(const std::string& text, std::string_view option) {
  std::vector<int> threads;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    const int t = parse_thread_count(
        std::string(trim_blanks(std::string_view(text).substr(start, comma - start))), option,
        text);
    if (std::find(threads.begin(), threads.end(), t) != threads.end())
      throw InputError(std::string(option).append(" '").append(text).append("': ") +
                       std::to_string(t) + " is listed twice");
    threads.push_back(t);
    if (comma == std::string::npos) return threads;
    start = comma + 1;
  }
}

std::vector<int> default_thread_list(int cpus) {
  std::vector<int> threads;
  for (int t = 1; t <= std::max(cpus, 1); t *= 2)
    threads.push_back(t);
  if (cpus > threads.back()) threads.push_back(cpus);
  return threads;
}

// User + system CPU time of the whole process so far, seconds.
double process_cpu_s() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return t.tv_sec + 1e-6 * t.tv_usec; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Seconds all CPUs have been busy since boot (/proc/stat "cpu" line: user,
// nice, system, irq, softirq and steal), or NaN where that is unreadable.
double machine_busy_s() {
  std::ifstream in("/proc/stat");
  std::string label;
  long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0;
  if (!(in >> label >> user >> nice >> system >> idle >> iowait >> irq >> softirq) ||
      label != "cpu")
    return std::nan("");
  long long steal = 0;
  in >> steal;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  return static_cast<double>(user + nice + system + irq + softirq + steal) / ticks;
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

ThreadTiming time_rounds(int threads, int rounds, const std::function<void(int)>& run_once,
                         const std::function<void()>& after_round) {
  ThreadTiming timing{threads, {}, {}, 0.0, 0.0};
  const double busy_start = machine_busy_s(), own_start = process_cpu_s();
  const auto all_start = std::chrono::steady_clock::now();
  for (int r = 0; r < rounds; ++r) {
    const double cpu_start = process_cpu_s();
    const auto start = std::chrono::steady_clock::now();
    run_once(threads);
    const auto stop = std::chrono::steady_clock::now();
    timing.cpu_s.push_back(process_cpu_s() - cpu_start);
    timing.wall_s.push_back(std::chrono::duration<double>(stop - start).count());
    if (after_round) after_round();
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - all_start).count();
  const double others = machine_busy_s() - busy_start - (process_cpu_s() - own_start);
  timing.other_cpus = std::max(0.0, others / wall);  // NaN stays NaN
  timing.peak_rss_mib = peak_rss_mib();
  return timing;
}

ScalingTable scaling_table(const std::vector<ThreadTiming>& timings, double ccg_trials_per_run,
                           int cpus, int ranks) {
  ScalingTable table;
  table.ranks = ranks;
  if (timings.empty()) return table;
  const auto one = std::find_if(timings.begin(), timings.end(),
                                [](const ThreadTiming& t) { return t.threads == 1; });
  const ThreadTiming& ref = one != timings.end() ? *one : timings.front();
  table.reference_threads = ref.threads;
  const double ref_median = median(ref.wall_s);
  for (const ThreadTiming& t : timings) {
    ScalingRow r{t};
    r.median_s = median(t.wall_s);
    r.median_cpu_s = median(t.cpu_s);
    r.min_s = *std::min_element(t.wall_s.begin(), t.wall_s.end());
    r.max_s = *std::max_element(t.wall_s.begin(), t.wall_s.end());
    r.ccg_trials_per_s = ccg_trials_per_run / r.median_s;
    r.speedup = ref_median / r.median_s;
    r.efficiency = r.speedup * ref.threads / t.threads;
    r.oversubscribed = cpus > 0 && t.threads * ranks > cpus;
    table.rows.push_back(r);
  }
  return table;
}

namespace {

// "2" threads, or under MPI "3 x 2" ranks x threads.
std::string workers_cell(const ScalingTable& table, int threads) {
  return table.ranks == 1 ? std::to_string(threads)
                          : std::to_string(table.ranks) + " x " + std::to_string(threads);
}

void print_rows(const ScalingTable& table, std::ostream& out) {
  out << strprintf("%7s  %8s  %13s  %8s  %6s  %14s  %8s  %10s  %12s\n",
                   table.ranks == 1 ? "threads" : "ranks x threads", "median s", "min-max s",
                   "CPU s", "others", "M CCG-trials/s", "speed-up", "efficiency", "peak RSS MiB");
  for (const ScalingRow& r : table.rows) {
    out << strprintf(
        table.ranks == 1 ? "%7s  %8.3f  %13s  %8.3f  %6.2f  %14.2f  %7.2fx  %9.1f%%  %12.1f\n"
                         : "%15s  %8.3f  %13s  %8.3f  %6.2f  %14.2f  %7.2fx  %9.1f%%  %12.1f\n",
        workers_cell(table, r.timing.threads).c_str(), r.median_s, range_cell(r).c_str(),
        r.median_cpu_s, r.timing.other_cpus, r.ccg_trials_per_s / 1e6, r.speedup,
        100.0 * r.efficiency, r.timing.peak_rss_mib);
  }
}

void print_notes(const ScalingTable& table, std::ostream& out) {
  const int ref = table.reference_threads;
  out << "M CCG-trials/s = trials x CCGs / median wall time, in millions; speed-up and "
         "efficiency against "
      << workers_cell(table, ref) << (ref == 1 && table.ranks == 1 ? " thread" : " threads")
      << ".\n";
  if (table.ranks > 1)
    out << "MPI: " << table.ranks
        << " ranks, each with the threads shown; CPU s, others and peak RSS are rank 0's.\n";
  out << "CPU s: this process's user + system time per run (median); others: CPUs kept busy by\n"
         "  other programs meanwhile, on average (/proc/stat).\n"
         "peak RSS: the process's high-water mark (getrusage ru_maxrss) after the row's first\n"
         "  run, so a row includes every earlier row's peak.\n";
}

void print_warnings(const ScalingTable& table, int cpus, std::ostream& out) {
  for (const ScalingRow& r : table.rows) {
    if (r.oversubscribed)
      out << "warning: " << workers_cell(table, r.timing.threads) << " threads exceed the " << cpus
          << " logical CPUs of this machine: the row measures oversubscription, not scaling.\n";
    if (r.timing.other_cpus > kBusyMachineCpus)
      out << strprintf(
          "note: other programs kept %.2f CPUs busy during the %d-thread runs: those "
          "timings understate this machine.\n",
          r.timing.other_cpus, r.timing.threads);
  }
}

}  // namespace

void print_scaling_table(const ScalingTable& table, int cpus, std::ostream& out) {
  print_rows(table, out);
  print_notes(table, out);
  print_warnings(table, cpus, out);
}

void print_machine(const MachineInfo& m, std::ostream& out) {
  out << "Machine\n"
      << "  CPU           " << m.cpu_model << "\n"
      << "  logical CPUs  " << m.logical_cpus << " (" << m.available_cpus
      << " available to this process)\n"
      << "  SIMD          CPU supports " << m.simd_cpu << "; binary compiled for "
      << m.simd_compiled << "\n"
      << "  engine loops  " << m.simd_engine
      << " build (chosen at start; CCGRISK_SIMD=baseline for the other)\n"
      << "  compiler      " << m.compiler << "\n"
      << "  build type    " << m.build_type << "\n";
}

void write_machine_json(const MachineInfo& m, nlohmann::ordered_json& json) {
  json["machine"] = {{"cpu_model", m.cpu_model},
                     {"logical_cpus", m.logical_cpus},
                     {"available_cpus", m.available_cpus},
                     {"simd_cpu", m.simd_cpu},
                     {"simd_compiled", m.simd_compiled},
                     {"simd_engine", m.simd_engine},
                     {"compiler", m.compiler},
                     {"build_type", m.build_type}};
}

namespace {

nlohmann::ordered_json row_json(const ScalingRow& r) {
  return {{"threads", r.timing.threads},
          {"wall_s", r.timing.wall_s},
          {"cpu_s", r.timing.cpu_s},
          {"median_s", r.median_s},
          {"median_cpu_s", r.median_cpu_s},
          {"min_s", r.min_s},
          {"max_s", r.max_s},
          {"ccg_trials_per_s", r.ccg_trials_per_s},
          {"speedup", r.speedup},
          {"efficiency", r.efficiency},
          {"peak_rss_mib", r.timing.peak_rss_mib},
          {"other_cpus", r.timing.other_cpus},
          {"oversubscribed", r.oversubscribed}};
}

}  // namespace

void write_scaling_json(const ScalingTable& table, nlohmann::ordered_json& json) {
  if (table.ranks > 1) json["ranks"] = table.ranks;  // MPI; absent: one process
  json["reference_threads"] = table.reference_threads;
  nlohmann::ordered_json& rows = json["rows"] = nlohmann::ordered_json::array();
  for (const ScalingRow& r : table.rows)
    rows.push_back(row_json(r));
}

std::string json_text(const nlohmann::ordered_json& json) {
  // ensure_ascii off: UTF-8 text stays readable; replace: a CPU model or
  // path that is not UTF-8 must not abort the report after the timings.
  return json.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace ccgrisk
