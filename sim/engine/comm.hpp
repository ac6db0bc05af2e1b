// The processes of a job: one process, or the ranks of an MPI job
// (mpirun, srun). docs/scale-out.md.
//
// The engine splits a run's trial blocks into one contiguous range per rank,
// each rank tallies its range with its own threads, and the ranks' exact
// integer tallies are summed with combine_tallies (accumulator.hpp), so a
// run under any number of ranks gives the bits of a one-process run. Every
// rank then holds the job's tallies, computes the same statistics and takes
// the same decisions (precision rounds, bisections, calibration steps);
// only rank 0 writes files and prints.
//
// Failures: every collective step starts with agree(), a small all-reduce in
// which each rank says whether it failed. If one did, every rank throws
// JobFailure with the first failing rank's message and exit code, and only
// rank 0 prints it, so a job ends with one message and one exit code, never
// a hang. A rank that is killed ends the job through mpirun.
#pragma once

#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ccgrisk {

// A failure the ranks of a job agreed on: `message` (the whole line, e.g.
// "ccgrisk: error: ...", empty on ranks other than 0) and the exit code
// every rank returns.
class JobFailure : public std::runtime_error {
 public:
  JobFailure(int exit_code, std::string message)
      : std::runtime_error(message), exit_code_(exit_code), message_(std::move(message)) {}
  int exit_code() const { return exit_code_; }
  const std::string& message() const { return message_; }

 private:
  int exit_code_;
  std::string message_;
};

// A run stopped by SIGINT or SIGTERM after writing its last checkpoint, on
// every rank alike; the process exits with 128 + signal.
class Interrupted : public std::runtime_error {
 public:
  Interrupted(int signal, std::int64_t trials_done)
      : std::runtime_error("interrupted"), signal_(signal), trials_done_(trials_done) {}
  int signal() const { return signal_; }
  std::int64_t trials_done() const { return trials_done_; }

 private:
  int signal_;
  std::int64_t trials_done_;
};

// The exit code and the line to print for an exception a command threw
// (input errors exit 2, output errors and the rest 1).
struct FailureReport {
  int exit_code = 1;
  std::string line;
};
FailureReport failure_report(const std::exception_ptr& error);

class Comm {
 public:
  // Under an MPI launcher (with MPI built in), the job's ranks; otherwise
  // this process alone. init() must have run for the former.
  static const Comm& world();
  // Starts MPI when this process was launched by mpirun or srun (and MPI is
  // built in); does nothing otherwise. Call once, first thing in main.
  static void init(int& argc, char**& argv);
  // Ends MPI (collective; after the last agree). Nothing without MPI.
  static void finalize();
  // Ends every rank at once (MPI_Abort), for a failure the ranks cannot
  // agree on; without MPI, std::exit(code).
  [[noreturn]] static void abort(int exit_code);
  // Whether MPI is built into this ccgrisk.
  static bool built_with_mpi();

  int rank() const { return rank_; }
  int size() const { return size_; }

  // What each rank brings to agree(): whether it failed (with the
  // exception), a signal it received (0 for none), a request (rank 0's
  // "checkpoint now"), an exit code (a command's, at the end), and a hash
  // of what it is computing, which must be the same on every rank.
  struct State {
    std::exception_ptr error;
    int signal = 0;
    bool request = false;
    int exit_code = 0;
    std::uint64_t identity = 0;
  };
  // What the job agreed: the largest signal and exit code, whether any
  // rank requested.
  struct Agreed {
    int signal = 0;
    bool request = false;
    int exit_code = 0;
  };
  // Collective. Throws JobFailure on every rank when any rank failed or the
  // identities differ; else returns what the ranks agreed. With one
  // process: rethrows its own error, else returns its own state.
  Agreed agree(const State& mine) const;

  // Collective: runs `step` on this rank, then agree()s on its outcome.
  template <class Step>
  void guarded(Step&& step, std::uint64_t identity = 0) const {
    State s;
    s.identity = identity;
    try {
      step();
    } catch (...) {
      s.error = std::current_exception();
    }
    agree(s);
  }

  // Collective: every rank's serialized tallies (one layout) combined with
  // combine_tallies, in place on every rank. Call after agree(); nothing
  // with one process.
  void allreduce_tallies(std::vector<std::uint64_t>& words) const;

  // Collective: rank 0's words, on every rank (nothing with one process).
  void broadcast(std::vector<std::uint64_t>& words) const;

  // This rank's blocks of [0, blocks): the r-th of `size` contiguous ranges
  // whose lengths differ by at most one, the longer ones first.
  std::pair<std::int64_t, std::int64_t> share(std::int64_t blocks) const;

 private:
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace ccgrisk
