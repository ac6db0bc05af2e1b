#include "engine/comm.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "engine/accumulator.hpp"
#include "input/error.hpp"
#include "input/text.hpp"
#include "output/file_output.hpp"

#if CCGRISK_HAVE_MPI
#include <mpi.h>
#endif

namespace ccgrisk {

FailureReport failure_report(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const JobFailure& e) {
    return {e.exit_code(), e.message()};
  } catch (const InputError& e) {
    return {2, "ccgrisk: error: " + message_text(e.what())};
  } catch (const OutputError& e) {
    return {1, "ccgrisk: error: " + message_text(e.what())};
  } catch (const std::exception& e) {
    return {1, "ccgrisk: internal error: " + message_text(e.what())};
  } catch (...) {
    return {1, "ccgrisk: internal error: unknown exception"};
  }
}

std::pair<std::int64_t, std::int64_t> Comm::share(std::int64_t blocks) const {
  const std::int64_t base = blocks / size_, extra = blocks % size_;
  const std::int64_t r = rank_;
  const std::int64_t begin = r * base + std::min(r, extra);
  return {begin, begin + base + (r < extra ? 1 : 0)};
}

#if !CCGRISK_HAVE_MPI

// ---- One process ----------------------------------------------------------------

const Comm& Comm::world() {
  static const Comm one;
  return one;
}
void Comm::init(int&, char**&) {}
void Comm::finalize() {}
void Comm::abort(int exit_code) {
  std::exit(exit_code);
}
bool Comm::built_with_mpi() {
  return false;
}
Comm::Agreed Comm::agree(const State& mine) const {
  if (mine.error) std::rethrow_exception(mine.error);
  return {mine.signal, mine.request, mine.exit_code};
}
void Comm::allreduce_tallies(std::vector<std::uint64_t>&) const {}
void Comm::broadcast(std::vector<std::uint64_t>&) const {}

#else

// ---- MPI ----------------------------------------------------------------------------

namespace {

Comm g_world;
bool g_started = false;

// Launched by an MPI launcher: Open MPI's mpirun, PMIx (srun --mpi=pmix,
// prterun) or PMI/PMI-2 (MPICH's hydra, srun --mpi=pmi2).
bool launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
    if (std::getenv(name)) return true;
  return false;
}

void check(int status, const char* what) {
  if (status == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(status, text, &length);
  throw std::runtime_error(std::string("MPI ") + what + " failed: " + std::string(text, length));
}

// The reduction of serialized tallies: `len` elements of one contiguous
// type of N words each (allreduce_tallies sends one element).
extern "C" void combine_op(void* in, void* inout, int* len, MPI_Datatype* type) {
  int bytes = 0;
  MPI_Type_size(*type, &bytes);
  const std::size_t words = static_cast<std::size_t>(bytes) / sizeof(std::uint64_t);
  auto* a = static_cast<const std::uint64_t*>(in);
  auto* b = static_cast<std::uint64_t*>(inout);
  for (int e = 0; e < *len; ++e) {
    if (!combine_tallies({a + e * words, words}, {b + e * words, words})) {
      // An invariant (every rank serialized the same layout, checked by
      // agree's identity): nothing sensible to continue with.
      static const char kMessage[] =
          "ccgrisk: internal error: ranks sent tallies of different "
          "layouts\n";
      std::fwrite(kMessage, 1, sizeof kMessage - 1, stderr);
      MPI_Abort(MPI_COMM_WORLD, 1);
    }
  }
}

// Sends the failing rank's report to every rank.
FailureReport broadcast_report(int root, const FailureReport& mine) {
  std::int64_t head[2] = {mine.exit_code, static_cast<std::int64_t>(mine.line.size())};
  check(MPI_Bcast(head, 2, MPI_INT64_T, root, MPI_COMM_WORLD), "broadcast");
  std::string line = mine.line;
  line.resize(static_cast<std::size_t>(head[1]));
  check(MPI_Bcast(line.data(), static_cast<int>(head[1]), MPI_CHAR, root, MPI_COMM_WORLD),
        "broadcast");
  return {static_cast<int>(head[0]), line};
}

}  // namespace

const Comm& Comm::world() {
  return g_world;
}

void Comm::init(int& argc, char**& argv) {
  if (g_started || !launched_by_mpi()) return;
  int provided = 0;
  // Only the main thread calls MPI; oneTBB's threads never do.
  if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    std::fputs("ccgrisk: error: MPI_Init failed\n", stderr);
    std::exit(1);
  }
  g_started = true;
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &g_world.rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &g_world.size_);
}

void Comm::finalize() {
  if (!g_started) return;
  g_started = false;
  MPI_Finalize();
}

void Comm::abort(int exit_code) {
  if (g_started) MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::exit(exit_code);
}

bool Comm::built_with_mpi() {
  return true;
}

Comm::Agreed Comm::agree(const State& mine) const {
  if (size_ == 1) {
    if (mine.error) std::rethrow_exception(mine.error);
    return {mine.signal, mine.request, mine.exit_code};
  }
  // One all-reduce (max) of: [0] size - the rank if it failed (so the max
  // names the first failing rank), [1] the signal, [2] the request, [3] the
  // exit code, [4] and [5] the identity and its complement (the max of both
  // says whether every rank's is the same).
  std::uint64_t w[6] = {mine.error ? static_cast<std::uint64_t>(size_ - rank_) : 0,
                        static_cast<std::uint64_t>(mine.signal),
                        mine.request ? 1u : 0u,
                        static_cast<std::uint64_t>(mine.exit_code),
                        mine.identity,
                        ~mine.identity};
  check(MPI_Allreduce(MPI_IN_PLACE, w, 6, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD), "all-reduce");
  if (w[0] != 0) {
    const int root = size_ - static_cast<int>(w[0]);
    FailureReport report =
        broadcast_report(root, mine.error ? failure_report(mine.error) : FailureReport{});
    if (root != 0 && report.line.rfind("ccgrisk: ", 0) == 0) {
      // "ccgrisk: error: rank 2: ..."
      const std::size_t colon = report.line.find(": ", 9);
      if (colon != std::string::npos)
        report.line.insert(colon + 2, "rank " + std::to_string(root) + ": ");
    }
    throw JobFailure(report.exit_code, rank_ == 0 ? report.line : std::string());
  }
  if (w[4] != ~w[5])
    throw JobFailure(1, rank_ == 0 ? "ccgrisk: error: the ranks of this job were given different "
                                     "inputs (every rank must run the same command line)"
                                   : "");
  return {static_cast<int>(w[1]), w[2] != 0, static_cast<int>(w[3])};
}

void Comm::allreduce_tallies(std::vector<std::uint64_t>& words) const {
  if (size_ == 1) return;
  static MPI_Op op = [] {
    MPI_Op o;
    MPI_Op_create(combine_op, /*commute=*/1, &o);
    return o;
  }();
  // One element of the whole length, so the reduction never splits it.
  MPI_Datatype type;
  check(MPI_Type_contiguous(static_cast<int>(words.size()), MPI_UINT64_T, &type), "type");
  MPI_Type_commit(&type);
  const int status = MPI_Allreduce(MPI_IN_PLACE, words.data(), 1, type, op, MPI_COMM_WORLD);
  MPI_Type_free(&type);
  check(status, "all-reduce of the tallies");
}

void Comm::broadcast(std::vector<std::uint64_t>& words) const {
  if (size_ == 1) return;
  std::uint64_t count = words.size();
  check(MPI_Bcast(&count, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD), "broadcast");
  words.resize(count);
  check(MPI_Bcast(words.data(), static_cast<int>(count), MPI_UINT64_T, 0, MPI_COMM_WORLD),
        "broadcast");
}

#endif

}  // namespace ccgrisk
