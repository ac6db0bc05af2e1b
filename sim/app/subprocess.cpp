#include "app/subprocess.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

#include "output/file_output.hpp"

extern char** environ;

namespace ccgrisk {
namespace {

// This process's environment with `changes` (NAME=VALUE) applied.
std::vector<std::string> merged_environment(const std::vector<std::string>& changes) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e)
    env.emplace_back(*e);
  for (const std::string& change : changes) {
    const std::string prefix = change.substr(0, change.find('=') + 1);
    std::erase_if(env, [&](const std::string& e) { return e.starts_with(prefix); });
    env.push_back(change);
  }
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

std::string drain(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t got = ::read(fd, buf, sizeof buf);
    if (got > 0)
      out.append(buf, static_cast<std::size_t>(got));
    else if (got == 0 || errno != EINTR)
      break;
  }
  return out;
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                          bool capture) {
  std::vector<std::string> args = argv, vars = merged_environment(env);
  std::vector<char*> arg_ptrs = pointers(args), env_ptrs = pointers(vars);
  int pipe_fds[2] = {-1, -1};
  if (capture && ::pipe(pipe_fds) != 0) throw std::runtime_error("cannot create a pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (capture) {
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  }
  pid_t pid = -1;
  const int spawned =
      posix_spawnp(&pid, arg_ptrs[0], &actions, nullptr, arg_ptrs.data(), env_ptrs.data());
  posix_spawn_file_actions_destroy(&actions);
  ProcessResult result;
  if (capture) ::close(pipe_fds[1]);
  if (spawned == 0) set_child_process(pid);  // a signal ending ccgrisk ends it too
  if (spawned == 0 && capture) result.output = drain(pipe_fds[0]);
  if (capture) ::close(pipe_fds[0]);
  if (spawned == 0) result.exit_code = wait_for(pid);
  set_child_process(0);
  return result;
}

}  // namespace ccgrisk
