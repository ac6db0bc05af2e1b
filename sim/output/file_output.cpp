#include "output/file_output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdint>
#include <cstring>

#include "input/error.hpp"

namespace ccgrisk {

namespace {

namespace fs = std::filesystem;

// ---- The signal cleanup registry ---------------------------------------------
//
// Fixed slots, so that the handler touches no allocator and no lock: a slot
// is claimed (kClaimed) while its path is copied in, then marked as a file or
// a folder to remove. Registration and release happen on the thread that
// writes the output; the handler may run on any thread.

enum SlotState : int { kFree = 0, kClaimed, kFile, kFolder };

struct Slot {
  std::atomic<int> state{kFree};
  char path[PATH_MAX] = {};
};

constexpr int kSlots = 64;
Slot g_slots[kSlots];

// A slot holding `path` as `kind`, or -1 when every slot is taken or the path
// is too long (the output is then still removed on failure, not on a signal).
int register_path(const fs::path& path, SlotState kind) {
  const std::string& text = path.native();
  if (text.size() >= PATH_MAX) return -1;
  for (int i = 0; i < kSlots; ++i) {
    int expected = kFree;
    if (!g_slots[i].state.compare_exchange_strong(expected, kClaimed)) continue;
    std::memcpy(g_slots[i].path, text.c_str(), text.size() + 1);
    g_slots[i].state.store(kind, std::memory_order_release);
    return i;
  }
  return -1;
}

void release(int slot) {
  if (slot >= 0) g_slots[slot].state.store(kFree, std::memory_order_release);
}

std::atomic<bool> g_deferred{false};
std::atomic<int> g_pending_signal{0};
std::atomic<std::int64_t> g_pending_since_ns{0};  // CLOCK_MONOTONIC
std::atomic<bool> g_output_writer{true};
std::atomic<int> g_committing{0};     // open CommitSections
std::atomic<int> g_commit_signal{0};  // the first signal during one
std::atomic<bool> g_written{false};   // an output has been renamed into place
std::atomic<bool> g_exiting{false};   // a handler is removing the outputs
std::atomic<int> g_child{0};          // a child process to pass the signal to

// The same signal again within this long of the first is the same request:
// coreutils' `timeout` sends it to the process and then at once to its
// process group, and so may a scheduler's wrapper. A person pressing
// Ctrl-C twice is slower.
constexpr std::int64_t kRepeatNs = 200'000'000;

std::int64_t monotonic_ns() {  // clock_gettime is async-signal-safe
  timespec t{};
  ::clock_gettime(CLOCK_MONOTONIC, &t);
  return std::int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

// Async-signal-safe: kill, unlink, rmdir, write, pause, clock_gettime and
// _exit only (and lock-free atomics).
extern "C" void remove_outputs_and_exit(int signal) {
  if (g_committing.load() > 0) {  // the outputs are being renamed: after the last
    int none = 0;
    g_commit_signal.compare_exchange_strong(none, signal);
    return;
  }
  if (g_deferred.load()) {
    const int pending = g_pending_signal.load();
    if (pending == 0) {
      g_pending_since_ns.store(monotonic_ns());
      g_pending_signal.store(signal);
      return;
    }
    if (pending == signal && monotonic_ns() - g_pending_since_ns.load() < kRepeatNs) return;
  }
  // One cleanup and one message, though the signal may reach two threads
  // at once (timeout signals the process and then its group).
  if (g_exiting.exchange(true))
    for (;;)
      ::pause();
  if (const int child = g_child.load(); child > 0) ::kill(child, signal);
  for (Slot& s : g_slots)
    if (s.state.load(std::memory_order_acquire) == kFile) ::unlink(s.path);
  for (Slot& s : g_slots)
    if (s.state.load(std::memory_order_acquire) == kFolder) ::rmdir(s.path);
  static const char kNothing[] = "\nccgrisk: interrupted; no output written\n";
  static const char kWritten[] = "\nccgrisk: interrupted after its output was written (complete)\n";
  if (g_output_writer.load()) {  // under MPI, rank 0 alone speaks
    const bool written = g_written.load();
    const ssize_t ignored = ::write(STDERR_FILENO, written ? kWritten : kNothing,
                                    (written ? sizeof kWritten : sizeof kNothing) - 1);
    (void)ignored;
  }
  ::_exit(128 + signal);
}

// ---- Checks -------------------------------------------------------------------

fs::path folder_of(const fs::path& p) {
  return p.has_parent_path() ? p.parent_path() : fs::path(".");
}

// "out/" and "out" are the same folder.
fs::path without_trailing_slash(fs::path p) {
  while (!p.has_filename() && p.has_parent_path() && p != p.root_path())
    p = p.parent_path();
  return p;
}

// Refuses a folder that is missing or is not one.
void check_folder_exists(const fs::path& folder, const std::string& who) {
  std::error_code ec;
  const fs::file_status st = fs::status(folder, ec);
  if (!fs::exists(st))
    throw InputError(who + ": folder " + quoted(folder) + " does not exist (create it first)");
  if (!fs::is_directory(st)) throw InputError(who + ": " + quoted(folder) + " is not a folder");
}

// Creates and removes a probe file, so that a folder that will not take new
// files (permissions, a read-only file system) fails before any work.
void probe_folder(const fs::path& folder, const std::string& who) {
  const fs::path probe =
      folder / (".ccgrisk-probe-" + std::to_string(::getpid()) + "-" + std::to_string(::gettid()));
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int err = errno;
    if (err == EEXIST) return;  // a stale probe: the folder does take files
    throw InputError(who + ": cannot create files in folder " + quoted(folder) + " (" +
                     std::strerror(err) + ")");
  }
  ::close(fd);
  ::unlink(probe.c_str());
}

// Refuses an existing path that is not a regular file, or that is an input.
void check_target(const fs::path& out, std::span<const fs::path> inputs, const std::string& who) {
  std::error_code ec;
  const fs::file_status st = fs::status(out, ec);  // follows symbolic links
  if (!fs::exists(st)) return;
  if (fs::is_directory(st)) throw InputError(who + ": is a folder, not a file");
  if (!fs::is_regular_file(st))
    throw InputError(who +
                     ": exists and is not a regular file (a device, FIFO or socket); "
                     "refusing to replace it");
  for (const fs::path& input : inputs) {
    if (input.empty() || !fs::exists(input, ec)) continue;
    if (fs::equivalent(out, input, ec))
      throw InputError(who + ": is the same file as the input " + quoted(input) +
                       "; choose another name (an output never replaces an input)");
  }
}

// The name's length; messages show only its start.
void check_name(const fs::path& name, std::string_view what) {
  const std::string& text = name.native();
  if (text.size() <= kMaxOutputName) return;
  throw InputError(std::string(what) + " '" + text.substr(0, 40) + "...': the file name is " +
                   std::to_string(text.size()) + " bytes long; at most " +
                   std::to_string(kMaxOutputName) + " are accepted");
}

// ---- Writing --------------------------------------------------------------------

[[noreturn]] void fail(const fs::path& target, const std::string& what, int err) {
  throw OutputError("cannot write " + target.string() + ": " + what + " (" + std::strerror(err) +
                    ")");
}

void write_all(int fd, std::string_view bytes, const fs::path& target) {
  while (!bytes.empty()) {
    const std::size_t chunk = std::min<std::size_t>(bytes.size(), std::size_t{1} << 30);
    const ssize_t wrote = ::write(fd, bytes.data(), chunk);
    if (wrote < 0) {
      if (errno == EINTR) continue;
      fail(target, "write failed", errno);
    }
    bytes.remove_prefix(static_cast<std::size_t>(wrote));
  }
}

// Flushes `path` (a file or a folder) to the disk.
void sync_path(const fs::path& path, const fs::path& target, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) fail(target, "cannot reopen it to flush it", errno);
  const int synced = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  // Some file systems cannot sync a folder (EINVAL); the rename stands.
  if (synced != 0 && !(flags & O_DIRECTORY && (err == EINVAL || err == EBADF)))
    fail(target, "fsync failed", err);
}

}  // namespace

// ---- Checks ---------------------------------------------------------------------

void check_output_file(const fs::path& out, std::span<const fs::path> inputs,
                       std::string_view what) {
  const std::string who = std::string(what) + " " + quoted(out);
  if (out.empty()) throw InputError(std::string(what) + ": the output name is empty");
  if (!out.has_filename() || out.filename() == "." || out.filename() == "..")
    throw InputError(who + ": names a folder, not a file");
  check_name(out.filename(), what);
  check_folder_exists(folder_of(out), who);
  check_target(out, inputs, who);
  probe_folder(folder_of(out), who);
}

void check_output_folder(const fs::path& dir, std::span<const std::string> files,
                         std::span<const fs::path> inputs, std::string_view what) {
  if (dir.empty()) throw InputError(std::string(what) + ": the output folder name is empty");
  const fs::path folder = without_trailing_slash(dir);
  const std::string who = std::string(what) + " " + quoted(folder);
  std::error_code ec;
  const fs::file_status st = fs::status(folder, ec);
  if (fs::exists(st) && !fs::is_directory(st)) throw InputError(who + ": is a file, not a folder");
  if (!fs::exists(st)) {
    check_name(folder.filename(), what);
    check_folder_exists(folder_of(folder), who);
    probe_folder(folder_of(folder), who);
    return;
  }
  for (const std::string& name : files)
    check_target(folder / name, inputs, std::string(what) + " " + quoted(folder / name));
  probe_folder(folder, who);
}

// ---- TempFile -------------------------------------------------------------------

TempFile::TempFile(const fs::path& target) : target_(target) {
  const fs::path folder = folder_of(target);
  const std::string stem = target.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-";
  for (int k = 0;; ++k) {
    temp_ = folder / (stem + std::to_string(k));
    // Registered before it exists, so no signal can leave it behind; a stale
    // file of that name (from an earlier process with our pid) is ours to remove.
    slot_ = register_path(temp_, kFile);
    const int fd = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      ::close(fd);
      return;
    }
    const int err = errno;
    release(slot_);
    slot_ = -1;
    if (err != EEXIST || k >= 1000) fail(target, "cannot create a temporary file beside it", err);
  }
}

TempFile::~TempFile() {
  if (!committed_) ::unlink(temp_.c_str());
  release(slot_);
}

void TempFile::write(std::string_view bytes) {
  const int fd = ::open(temp_.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) fail(target_, "cannot open its temporary file", errno);
  try {
    write_all(fd, bytes, target_);
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0) fail(target_, "write failed", errno);
}

void TempFile::commit(bool output) {
  if (!g_output_writer) {
    ::unlink(temp_.c_str());
    committed_ = true;
    release(slot_);
    slot_ = -1;
    return;
  }
  sync_path(temp_, target_, O_RDONLY);
  const CommitSection section;  // the rename and its record, not parted by a signal
  if (::rename(temp_.c_str(), target_.c_str()) != 0) fail(target_, "rename failed", errno);
  if (output) g_written.store(true);
  committed_ = true;
  release(slot_);
  slot_ = -1;
  sync_path(folder_of(target_), target_, O_RDONLY | O_DIRECTORY);
}

int remove_stale_temp_files(const fs::path& target) {
  if (!g_output_writer) return 0;
  const std::string prefix = target.filename().string() + ".tmp-";
  std::error_code ec;
  int removed = 0;
  for (const fs::directory_entry& e : fs::directory_iterator(folder_of(target), ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    // ".tmp-PID-K": PID and K all digits.
    const std::string rest = name.substr(prefix.size());
    const std::size_t dash = rest.find('-');
    if (dash == 0 || dash == std::string::npos || dash + 1 == rest.size() ||
        rest.find_first_not_of("0123456789-") != std::string::npos ||
        rest.find('-', dash + 1) != std::string::npos || dash > 9)
      continue;
    const long pid = std::stol(rest.substr(0, dash));
    if (pid == ::getpid() || pid <= 0) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH)
      continue;  // alive, or not ours to judge
    if (::unlink(e.path().c_str()) == 0) ++removed;
  }
  return removed;
}

void write_file_atomically(const fs::path& target, std::string_view bytes, bool output) {
  if (!g_output_writer) return;
  TempFile temp(target);
  temp.write(bytes);
  temp.commit(output);
}

// ---- OutputFolder ---------------------------------------------------------------

OutputFolder::OutputFolder(const fs::path& dir) : dir_(without_trailing_slash(dir)) {
  std::error_code ec;
  if (fs::is_directory(dir_, ec)) return;
  slot_ = register_path(dir_, kFolder);
  if (::mkdir(dir_.c_str(), 0777) == 0) return;
  const int err = errno;
  release(slot_);
  slot_ = -1;
  if (err != EEXIST || !fs::is_directory(dir_, ec))
    throw OutputError("cannot create folder " + dir_.string() + " (" + std::strerror(err) + ")");
}

OutputFolder::~OutputFolder() {
  if (slot_ < 0) return;
  ::rmdir(dir_.c_str());  // only if still empty
  release(slot_);
}

void OutputFolder::keep() {
  release(slot_);
  slot_ = -1;
}

void StagedOutputs::commit() {
  const CommitSection section;
  for (const auto& file : files_)
    file->commit();
  for (const auto& folder : folders_)
    folder->keep();
}

// ---- Signals --------------------------------------------------------------------

CommitSection::CommitSection() {
  g_committing.fetch_add(1);
}

CommitSection::~CommitSection() {
  if (g_committing.fetch_sub(1) != 1) return;
  if (const int signal = g_commit_signal.exchange(0); signal != 0) remove_outputs_and_exit(signal);
}

void install_signal_cleanup() {
  static const bool installed = [] {
    struct sigaction action {};
    action.sa_handler = remove_outputs_and_exit;
    sigemptyset(&action.sa_mask);
    for (int signal : {SIGINT, SIGTERM, SIGHUP})  // one cleanup, not two interleaved
      sigaddset(&action.sa_mask, signal);
    for (int signal : {SIGINT, SIGTERM, SIGHUP})
      sigaction(signal, &action, nullptr);
    std::signal(SIGXFSZ, SIG_IGN);
    return true;
  }();
  (void)installed;
}

void defer_signals() {
  g_deferred.store(true);
}

const std::atomic<int>& pending_signal() {
  return g_pending_signal;
}

void set_child_process(int pid) {
  g_child.store(pid);
}

void set_output_writer(bool writes) {
  g_output_writer = writes;
}

bool output_writer() {
  return g_output_writer;
}

std::string quoted(const fs::path& p) {
  std::string q(1, '\'');
  q.append(p.string());
  q.push_back('\'');
  return q;
}

}  // namespace ccgrisk
