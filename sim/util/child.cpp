#include "util/child.hpp"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <iostream>
#include <vector>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

std::string answer_number(double v) { return fmt("%.17g", v); }

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

struct Started {
  pid_t pid;
  int fd;  // the read end of the child's answer pipe
};

// Forks a child that runs `work` and writes its answer to a pipe.
Started start_child(const std::function<ChildAnswer()>& work) {
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
  return {pid, fds[0]};
}

// Reaps a child whose pipe reached end of file, and turns what it wrote into its answer.
ChildAnswer finish_child(pid_t pid, const std::string& text) {
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

}  // namespace

ChildAnswer run_in_child(const std::function<ChildAnswer()>& work) {
  const Started c = start_child(work);
  std::string text;
  char buf[4096];
  while (true) {
    const ssize_t n = read(c.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  close(c.fd);
  return finish_child(c.pid, text);
}

void run_in_children(std::size_t n, int jobs, const std::function<ChildAnswer(std::size_t)>& task,
                     const std::function<void(std::size_t, const ChildAnswer&)>& done) {
  struct Running {
    std::size_t index;
    Started child;
    std::string text;
  };
  std::vector<Running> running;
  std::size_t next = 0;
  jobs = std::max(1, jobs);
  while (next < n || !running.empty()) {
    while (next < n && running.size() < static_cast<std::size_t>(jobs)) {
      const std::size_t i = next++;
      running.push_back({i, start_child([&task, i] { return task(i); }), ""});
    }
    std::vector<pollfd> fds;
    for (const Running& r : running) fds.push_back({r.child.fd, POLLIN, 0});
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      throw Error("poll() failed while waiting for child runs", ExitCode::internal);
    }
    for (std::size_t k = running.size(); k-- > 0;) {
      if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[4096];
      const ssize_t got = read(running[k].child.fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got > 0) {
        running[k].text.append(buf, static_cast<std::size_t>(got));
        continue;
      }
      close(running[k].child.fd);
      const Running r = std::move(running[k]);
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(k));
      done(r.index, finish_child(r.child.pid, r.text));
    }
  }
}

}  // namespace dssim
