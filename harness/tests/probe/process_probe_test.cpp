// Integration: real processes, real /proc.
#include "leakgate/process_probe.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <thread>
#include <vector>

#include "leakgate/unique_fd.h"

namespace leakgate {
namespace {

// A forked child holding `files` regular files and `sockets` sockets until killed.
class HoldingChild {
 public:
  HoldingChild(int files, int sockets) {
    int ready[2];
    if (pipe2(ready, O_CLOEXEC) != 0) return;
    UniqueFd read_end(ready[0]), write_end(ready[1]);
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      read_end.reset();
      for (int i = 0; i < files; ++i) {
        if (open("/proc/self/exe", O_RDONLY) < 0) _exit(1);
      }
      for (int i = 0; i < sockets; ++i) {
        if (socket(AF_UNIX, SOCK_STREAM, 0) < 0) _exit(1);
      }
      char c = 'r';
      if (write(write_end.get(), &c, 1) != 1) _exit(1);
      for (;;) pause();
    }
    write_end.reset();
    char c = 0;
    ok_ = pid_ > 0 && read(read_end.get(), &c, 1) == 1;
  }
  ~HoldingChild() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  HoldingChild(const HoldingChild&) = delete;
  HoldingChild& operator=(const HoldingChild&) = delete;
  pid_t pid() const { return pid_; }
  bool ok() const { return ok_; }
  void reap() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  bool ok_ = false;
};

int64_t statm_rss_bytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/statm");
  int64_t size = 0, resident = 0;
  in >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

TEST(ProcessProbe, ChildWithFilesAndSockets) {
  HoldingChild child(50, 10);
  ASSERT_TRUE(child.ok());
  ProcessProbe probe(child.pid());
  const auto s = probe.sample({.classify_fds = true, .pss = true});
  ASSERT_TRUE(s.has_value());
  ASSERT_TRUE(s->fds_by_type.has_value());
  EXPECT_GE(s->fds_by_type->file, 50);
  EXPECT_GE(s->fds_by_type->socket, 10);
  EXPECT_GE(s->fds, 60);
  EXPECT_EQ(s->fds, s->fds_by_type->total);
  EXPECT_EQ(*probe.fd_count(), s->fds);
  const int64_t expected = statm_rss_bytes(child.pid());
  EXPECT_NEAR(static_cast<double>(s->rss_bytes), static_cast<double>(expected), 0.05 * expected);
  EXPECT_EQ(s->threads, 1);
  EXPECT_EQ(s->children, 0);
  ASSERT_TRUE(s->pss_bytes.has_value());
  EXPECT_GT(*s->pss_bytes, 0);

  const auto fds = probe.list_fds();
  ASSERT_TRUE(fds.has_value());
  int sockets = 0;
  for (const FdInfo& f : *fds) {
    if (f.type == FdType::kSocket) {
      ++sockets;
      EXPECT_EQ(f.target.rfind("socket:[", 0), 0u) << f.target;
    }
  }
  EXPECT_GE(sockets, 10);
}

TEST(ProcessProbe, CountsChildrenAndThreadsOfSelf) {
  ProcessProbe self(getpid());
  const int64_t before = *self.children();
  {
    HoldingChild a(0, 0), b(0, 0);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(*self.children(), before + 2);
  }
  EXPECT_EQ(*self.children(), before);
}

TEST(ProcessProbe, ThreadsFollowThreadCreation) {
  ProcessProbe self(getpid());
  const int64_t before = *self.threads();
  EXPECT_GE(before, 1);
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&stop] {
      while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
  }
  EXPECT_EQ(*self.threads(), before + 3);
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(*self.threads(), before);
}

TEST(ProcessProbe, SelfProbeDoesNotCountItsOwnFds) {
  ProcessProbe self(getpid());
  const int64_t before = *self.fd_count();
  {
    std::vector<UniqueFd> extra;
    for (int i = 0; i < 5; ++i) extra.emplace_back(open("/dev/null", O_RDONLY | O_CLOEXEC));
    EXPECT_EQ(*self.fd_count(), before + 5);
  }
  EXPECT_EQ(*self.fd_count(), before);
  // A second probe's kept-open fds are ordinary fds to the first, and vice versa.
  ProcessProbe other(getpid());
  EXPECT_EQ(*other.fd_count(), before + ProcessProbe::kKeptFds);
  EXPECT_EQ(*self.fd_count(), before + ProcessProbe::kKeptFds);
}

// fd_count() reads the kernel's count (the size of /proc/PID/fd, Linux >= 6.2) where it can;
// it must agree with a listing of the directory, for another process and for self.
TEST(ProcessProbe, FdCountAgreesWithTheListing) {
  HoldingChild child(7, 3);
  ASSERT_TRUE(child.ok());
  ProcessProbe other(child.pid());
  ProcessProbe self(getpid());
  std::vector<UniqueFd> extra;
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(*other.fd_count(), other.fd_counts_by_type()->total);
    EXPECT_EQ(*self.fd_count(), self.fd_counts_by_type()->total) << "round " << round;
    for (int i = 0; i < 4; ++i) extra.emplace_back(open("/dev/null", O_RDONLY | O_CLOEXEC));
  }
}

TEST(ProcessProbe, GoneProcessIsNulloptNotThrow) {
  HoldingChild child(3, 0);
  ASSERT_TRUE(child.ok());
  ProcessProbe probe(child.pid());
  ASSERT_TRUE(probe.sample().has_value());
  child.reap();
  EXPECT_FALSE(probe.fd_count().has_value());
  EXPECT_FALSE(probe.rss_bytes().has_value());
  EXPECT_FALSE(probe.threads().has_value());
  EXPECT_FALSE(probe.sample().has_value());
}

TEST(ProcessProbe, MissingPidThrowsNamingIt) {
  // pid_max is at most 4194304: this pid cannot exist.
  try {
    ProcessProbe probe(4194305);
    FAIL() << "expected ProbeError";
  } catch (const ProbeError& e) {
    EXPECT_STREQ(e.what(), "no such process: 4194305");
  }
  EXPECT_THROW(ProcessProbe(-1), ProbeError);
}

TEST(ProcessProbe, PermissionDeniedNamesPid) {
  // As root every /proc entry is readable: drop to nobody in a child and probe pid 1.
  const pid_t child = fork();
  if (child == 0) {
    if (getuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(3);
    try {
      ProcessProbe probe(1);
      _exit(getuid() == 0 ? 4 : 2);  // readable: nothing to check
    } catch (const ProbeError& e) {
      const std::string what = e.what();
      _exit(what.find("permission denied") != std::string::npos &&
                    what.find("pid 1)") != std::string::npos
                ? 0
                : 1);
    }
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 2) GTEST_SKIP() << "pid 1 is readable by this user";
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(ProcessProbe, MovedProbeKeepsWorking) {
  ProcessProbe a(getpid());
  ProcessProbe b(std::move(a));
  EXPECT_TRUE(b.fd_count().has_value());
  EXPECT_EQ(b.pid(), getpid());
}

// The CPU time a process spent grows with its work, and is nullopt once it is gone.
TEST(ProcessProbe, CpuSecondsGrowWithWorkAndEndWithTheProcess) {
  const auto before = process_cpu_seconds(getpid());
  ASSERT_TRUE(before);
  // Spin until the kernel's own clock says 100 ms of CPU went by (not wall time: on a busy
  // machine 300 ms of wall time gave 40 ms of CPU).
  const auto cpu_now = [] {
    timespec now{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
  };
  const double spin_until = cpu_now() + 0.1;
  volatile uint64_t spin = 0;
  while (cpu_now() < spin_until) spin = spin + 1;
  const auto after = process_cpu_seconds(getpid());
  ASSERT_TRUE(after);
  EXPECT_GE(*after - *before, 0.05);  // 100 ms of CPU, read in 10-ms clock ticks
  const pid_t child = fork();
  if (child == 0) _exit(0);
  ASSERT_GT(child, 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_FALSE(process_cpu_seconds(child));
}

}  // namespace
}  // namespace leakgate
