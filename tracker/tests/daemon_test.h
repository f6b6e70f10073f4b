// Fixture for integration tests: a private directory, a real trackerd in it, clients for it.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "leakgate/registry.h"
#include "test_dir.h"
#include "tracker/client.h"
#include "trackerd_process.h"

namespace tracker::testing {

using leakgate::testing::TestDir;  // harness/tests/support: the one temp-dir helper

struct RawReply {
  int status = 0;  // 0: no reply (connection closed or refused)
  std::string body;
  std::string content_type;
};

// One HTTP request on a fresh connection, bypassing tracker::Client (for malformed input).
RawReply raw_request(const std::string& endpoint, const std::string& method,
                     const std::string& path, const std::string& body = {},
                     const std::vector<std::pair<std::string, std::string>>& headers = {});

// Polls `condition` every 5 ms until it holds or `timeout` passes; returns its last value.
// The timeout is for a slow machine (an ASan build beside other tests on a loaded CI machine),
// never what a test measures: no test waits on a condition meant to stay false.
bool eventually(const std::function<bool()>& condition, milliseconds timeout = milliseconds(10000));

// /proc figures of another process.
int64_t open_fds(pid_t pid);
int64_t thread_count(pid_t pid);

class DaemonTest : public ::testing::Test {
 protected:
  // --socket, --db, --sync-interval 20ms and LEAKGATE_COUNTERS are filled in; `extra` follows.
  TrackerdProcess& start(std::vector<std::string> extra = {});
  void restart(std::vector<std::string> extra = {});
  Client client() const { return Client(daemon_->endpoint()); }
  TrackerdProcess& daemon() { return *daemon_; }
  std::optional<int64_t> live(const std::string& kind) const {
    return counter_live(counters_, kind);
  }

  TestDir dir_{"trk"};
  const std::filesystem::path socket_ = dir_ / "d.sock";
  const std::filesystem::path db_ = dir_ / "t.db";
  const std::filesystem::path counters_ = dir_ / "counters";
  const std::filesystem::path log_ = dir_ / "trackerd.log";
  std::unique_ptr<TrackerdProcess> daemon_;
};

}  // namespace tracker::testing
