#include "sync_loop.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include "fault_injection.h"
#include "leakgate/unique_fd.h"
#include "storage/engine.h"
#include "tracker/issue_json.h"

namespace tracker {
namespace {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

void write_export(const std::filesystem::path& path, const std::vector<Issue>& issues,
                  const Stats& stats) {
  nlohmann::json issues_json = nlohmann::json::array();
  for (const Issue& issue : issues) issues_json.push_back(to_json(issue));
  const nlohmann::json document{{"stats", to_json(stats)}, {"issues", std::move(issues_json)}};
  const std::string text = document.dump(1) + "\n";
  auto temp = path;
  temp += ".tmp." + std::to_string(::getpid());
  {
    leakgate::UniqueFd out(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!out || ::write(out.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      std::error_code ignored;
      std::filesystem::remove(temp, ignored);
      throw std::runtime_error("cannot write export " + temp.string());
    }
  }
  std::error_code error;
  std::filesystem::rename(temp, path, error);  // atomic: readers see old or new, never half
  if (error) {
    std::filesystem::remove(temp, error);
    throw std::runtime_error("cannot replace export " + path.string());
  }
}

SyncLoop::SyncLoop(Engine& engine, Options options)
    : engine_(engine), options_(std::move(options)) {}

SyncLoop::~SyncLoop() { stop(); }

void SyncLoop::start() {
  tick();
  thread_ = std::thread([this] { run(); });
}

void SyncLoop::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Stats SyncLoop::latest() const {
  std::lock_guard lock(mutex_);
  return latest_;
}

void SyncLoop::run() {
  auto next = std::chrono::steady_clock::now() + options_.interval;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (wake_.wait_until(lock, next, [this] { return stopping_; })) return;
    }
    tick();
    // Fixed rate, but never try to catch up on ticks missed while a tick ran long.
    next = std::max(next + options_.interval, std::chrono::steady_clock::now());
  }
}

void SyncLoop::tick() {
  try {
    // The historical bug: a fresh engine per tick instead of the daemon's shared one.
    Engine& engine = options_.engine_per_sync ? leak_new_engine(engine_.path()) : engine_;
    const std::vector<Issue> issues = engine.all_issues();
    Stats stats;
    for (const Issue& issue : issues) {
      ++(issue.status == Status::kOpen ? stats.open : stats.closed);
      for (const std::string& label : issue.labels) ++stats.labels[label];
    }
    stats.total = static_cast<int64_t>(issues.size());
    stats.last_change_ms = engine.last_change_ms();
    stats.snapshot_at_ms = now_ms();
    {
      std::lock_guard lock(mutex_);
      stats.ticks = latest_.ticks + 1;
      latest_ = stats;
    }
    if (options_.export_path) write_export(*options_.export_path, issues, stats);
  } catch (const std::exception& error) {
    report_error(error.what());
  }
}

void SyncLoop::report_error(const std::string& message) {
  std::lock_guard lock(mutex_);
  if (message == last_error_) return;  // a failing export every 10 ms must not flood stderr
  last_error_ = message;
  std::fprintf(stderr, "trackerd: sync: %s\n", message.c_str());
}

}  // namespace tracker
