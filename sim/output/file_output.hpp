// Writing output files safely: every command's outputs go through here.
//
// An output is checked before any work is done (check_output_file,
// check_output_folder): it must not be, or resolve to, an input of the run,
// nor an existing folder, device, FIFO or socket, and its folder must exist
// and take a new file. It is then written under a temporary name in its own
// folder, flushed to disk (fsync), renamed over the target, and the folder
// flushed, so that a reader sees the old file or the new one, never part of
// one, even after a power cut. A temporary file is removed on any failure,
// and on SIGINT, SIGTERM or SIGHUP (install_signal_cleanup).
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ccgrisk {

// A failure writing an output (disk full, permissions lost mid-run, ...),
// after the output was checked. The message names the file and the reason.
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A path in single quotes, for messages ('results/run.h5').
std::string quoted(const std::filesystem::path& p);

// Longest output file name (its last component) accepted, in bytes: the
// file system's NAME_MAX less room for the temporary name's suffix.
inline constexpr std::size_t kMaxOutputName = 230;

// Refuses (InputError, naming `out`) an output file that must not or cannot
// be written: an empty name or one longer than kMaxOutputName, a name that
// ends in '/', a folder that does not exist or does not take a new file
// (permissions, a read-only file system: a probe file is created and
// removed), an existing folder, device, FIFO or socket, or a path that
// resolves to any of `inputs` (the same file by another name, a hard link
// or a symbolic link included). `what` says what the file is in messages
// ("results file", "workbook").
void check_output_file(const std::filesystem::path& out,
                       std::span<const std::filesystem::path> inputs, std::string_view what);

// The same for an output folder (`ccgrisk report`, `export --csv`): its
// parent must exist and take a new folder, or the folder exist and take new
// files; an existing non-folder is refused; and none of `files`, the names
// that will be written in it, may be an input or an existing non-regular file.
void check_output_folder(const std::filesystem::path& dir, std::span<const std::string> files,
                         std::span<const std::filesystem::path> inputs, std::string_view what);

// A temporary file beside `target`, created empty (never replacing an
// existing file) and registered for removal on SIGINT/SIGTERM. commit()
// fsyncs it, renames it over `target` and fsyncs the folder; the destructor
// removes the file unless committed. Throws OutputError.
class TempFile {
 public:
  explicit TempFile(const std::filesystem::path& target);
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::filesystem::path& path() const { return temp_; }
  const std::filesystem::path& target() const { return target_; }
  // Writes `bytes` to the temporary file (replacing what it holds).
  void write(std::string_view bytes);
  // Renames it over the target. A command's output (not a checkpoint)
  // counts as written for the message a later signal prints.
  void commit(bool output = true);

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_;
  int slot_ = -1;  // in the signal cleanup registry
  bool committed_ = false;
};

// Removes the temporary files beside `target` (its name + ".tmp-PID-K")
// left by a process that was killed with SIGKILL, which no handler can
// catch: those whose PID is not a live process on this machine (a run
// resumed from a checkpoint is the only writer of its outputs). Returns how
// many it removed.
int remove_stale_temp_files(const std::filesystem::path& target);

// `bytes` written to `target` through a TempFile (`output`: as commit()).
void write_file_atomically(const std::filesystem::path& target, std::string_view bytes,
                           bool output = true);

// An output folder: created when missing (its parent must exist), and then
// removed again, if still empty, unless keep() is called; registered for
// removal on SIGINT/SIGTERM while not kept. Throws OutputError.
class OutputFolder {
 public:
  explicit OutputFolder(const std::filesystem::path& dir);
  ~OutputFolder();
  OutputFolder(const OutputFolder&) = delete;
  OutputFolder& operator=(const OutputFolder&) = delete;

  const std::filesystem::path& path() const { return dir_; }
  void keep();

 private:
  std::filesystem::path dir_;
  int slot_ = -1;  // in the signal cleanup registry; -1 if the folder existed
};

// A command's several outputs, written to temporary files (and folders
// created) first, then renamed into place together by commit(), in one
// CommitSection: all or none. Until then the destructor removes them.
class StagedOutputs {
 public:
  // The files `folder` holds are added after it.
  void add(std::unique_ptr<OutputFolder> folder) { folders_.push_back(std::move(folder)); }
  void add(std::unique_ptr<TempFile> file) { files_.push_back(std::move(file)); }
  void commit();

 private:
  std::vector<std::unique_ptr<OutputFolder>> folders_;  // destroyed after their files
  std::vector<std::unique_ptr<TempFile>> files_;
};

// Outputs renamed into place together (a command's every output): a
// signal while they are renamed waits for the last rename, so that a
// command leaves all its outputs or none, and then stops the process as
// install_signal_cleanup says. Sections nest; the outermost ends it.
class CommitSection {
 public:
  CommitSection();
  ~CommitSection();
  CommitSection(const CommitSection&) = delete;
  CommitSection& operator=(const CommitSection&) = delete;
};

// Installs the handlers once: SIGINT, SIGTERM and SIGHUP (a closed terminal)
// remove every registered temporary file and created folder, print one line
// on stderr ("no output written", or, once an output was renamed into place,
// that it is complete) and exit with 128 + the signal (130, 143, 129);
// SIGXFSZ is ignored, so that a file size limit gives a write error
// (reported) instead of killing the process.
void install_signal_cleanup();

// From now on the first SIGINT, SIGTERM or SIGHUP only records its number in
// pending_signal(), for a run that saves a checkpoint before it stops
// (engine/run.hpp RunOptions::stop); a second one removes the outputs and
// exits as above.
void defer_signals();
const std::atomic<int>& pending_signal();

// A child process (the report's Python) that a signal ending this process
// passes on to, so that it does not run on alone; 0 for none.
void set_child_process(int pid);

// Whether this process writes the outputs (default true). Under MPI only
// rank 0 does: elsewhere write_file_atomically writes nothing and a
// TempFile's commit() removes it instead of renaming it over its target.
void set_output_writer(bool writes);
bool output_writer();

}  // namespace ccgrisk
