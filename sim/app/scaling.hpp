// Timing a workload at several thread counts, and reporting the scaling as a
// table and as JSON: shared by `ccgrisk bench` and bench/scaling.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "input/limits.hpp"

#include "app/machine_info.hpp"

namespace ccgrisk {

// Parses a thread list such as "1,2,4": positive integers (at most
// kMaxBenchThreads), comma-separated, none repeated. Throws InputError
// naming `option` and the offending text.
inline constexpr int kMaxBenchThreads = limits::kMaxThreads;
std::vector<int> parse_thread_list(const std::string& text, std::string_view option = "--threads");

// 1, 2, 4, ... up to `cpus`, with `cpus` itself last when it is not a power of two.
std::vector<int> default_thread_list(int cpus);

// The wall times of one thread count's rounds.
struct ThreadTiming {
  int threads = 0;
  std::vector<double> wall_s;  // per round, in order
  std::vector<double> cpu_s;   // per round: the process's user + system CPU time
  double peak_rss_mib = 0.0;   // the process's peak resident memory after these rounds
  // CPUs kept busy by other programs during the rounds, on average (from
  // /proc/stat: all busy time minus this process's); NaN where unknown.
  double other_cpus = 0.0;
};

// Runs `run_once(threads)` `rounds` times and times each call (steady
// clock, and getrusage for CPU time); `after_round`, if given, runs after
// each call, outside the timing. Also measures the other programs' load.
ThreadTiming time_rounds(int threads, int rounds, const std::function<void(int)>& run_once,
                         const std::function<void()>& after_round = {});

// The process's peak resident set so far, MiB (getrusage RUSAGE_SELF
// ru_maxrss): a high-water mark, so it never falls between calls.
double peak_rss_mib();

// One row of the scaling table. Speed-up S = T_ref / T (medians) and
// parallel efficiency E = S x threads_ref / threads, against the reference
// thread count (1 when timed, else the first).
struct ScalingRow {
  ThreadTiming timing;
  double median_s = 0.0, min_s = 0.0, max_s = 0.0;
  double median_cpu_s = 0.0;
  double ccg_trials_per_s = 0.0;  // trials x CCGs / median
  double speedup = 0.0;
  double efficiency = 0.0;
  bool oversubscribed = false;  // more threads than the machine's logical CPUs
};
// Under MPI, `ranks` processes each ran `threads` threads (the timings are
// rank 0's, the job's wall time); a row is oversubscribed when ranks x
// threads exceed `cpus` (every rank on this machine, as under a plain mpirun).
struct ScalingTable {
  int reference_threads = 0;
  int ranks = 1;
  std::vector<ScalingRow> rows;
};
ScalingTable scaling_table(const std::vector<ThreadTiming>& timings, double ccg_trials_per_run,
                           int cpus, int ranks = 1);

// The table, its notes, a warning per oversubscribed row and a note per row
// during which other programs kept more than kBusyMachineCpus CPUs busy.
inline constexpr double kBusyMachineCpus = 0.25;
void print_scaling_table(const ScalingTable& table, int cpus, std::ostream& out);
// The "Machine" block.
void print_machine(const MachineInfo& machine, std::ostream& out);

// The same as members added to the JSON object `json`, in this order:
// "machine", and "reference_threads" and "rows".
void write_machine_json(const MachineInfo& machine, nlohmann::ordered_json& json);
void write_scaling_json(const ScalingTable& table, nlohmann::ordered_json& json);

// `json` as text: indented by 2, keys in the order added, NaN and infinities
// as null, bytes that are not UTF-8 replaced by U+FFFD (never an exception),
// and a final newline.
std::string json_text(const nlohmann::ordered_json& json);

}  // namespace ccgrisk
