#include "util/child.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <iostream>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {

// key \x1f value \x1e, repeated: neither separator occurs in dssim's figures and messages.
std::string encode(const ChildAnswer& a) {
  std::string s;
  for (const auto& [k, v] : a) s += k + '\x1f' + v + '\x1e';
  return s;
}

ChildAnswer decode(const std::string& s) {
  ChildAnswer a;
  std::size_t p = 0;
  while (p < s.size()) {
    const std::size_t us = s.find('\x1f', p), rs = s.find('\x1e', p);
    if (us == std::string::npos || rs == std::string::npos || us > rs) break;
    a[s.substr(p, us - p)] = s.substr(us + 1, rs - us - 1);
    p = rs + 1;
  }
  return a;
}

bool write_all(int fd, const std::string& s) {
  std::size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = write(fd, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

ChildAnswer run_in_child(const std::function<ChildAnswer()>& work) {
  int fds[2];
  if (pipe(fds) != 0) throw Error("cannot create a pipe for a child run", ExitCode::internal);
  std::cout.flush();
  std::cerr.flush();
  const pid_t pid = fork();
  if (pid < 0) throw Error("cannot fork a child run", ExitCode::internal);
  if (pid == 0) {
    close(fds[0]);
    ChildAnswer a;
    try {
      a = work();
    } catch (const Error& e) {
      a = {{"error", e.what()}, {"exit_code", std::to_string(static_cast<int>(e.code()))}};
    } catch (const std::exception& e) {
      a = {{"error", std::string("internal error: ") + e.what()}, {"exit_code", "3"}};
    }
    const bool ok = write_all(fds[1], encode(a));
    close(fds[1]);
    std::cout.flush();
    std::cerr.flush();
    _exit(ok ? 0 : 3);  // no atexit handlers, no destructors of the parent's objects
  }
  close(fds[1]);
  std::string text;
  char buf[4096];
  while (true) {
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status))
    return {{"error", fmt("internal error: the child run died of signal %d", WTERMSIG(status))}, {"exit_code", "3"}};
  ChildAnswer a = decode(text);
  if (a.empty() && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
    return {{"error", "internal error: the child run returned nothing"}, {"exit_code", "3"}};
  return a;
}

}  // namespace dssim
