#include "profile/run_profilers.h"

#include "profile/wrapper_outputs.h"

namespace leakgate {

void RunProfilers::enable(const std::filesystem::path& workdir, bool daemon_heap,
                          bool client_heap) {
  if (daemon_heap) daemon_heap_ = std::make_unique<HeapProfiler>(workdir);
  if (client_heap) client_heap_ = std::make_unique<ClientHeapProfiler>(workdir);
}

void RunProfilers::add_environment(std::map<std::string, std::string>& env) const {
  if (daemon_heap_) daemon_heap_->add_environment(env);
}

std::optional<std::string> RunProfilers::dump_daemon_baseline(pid_t pid) {
  if (!daemon_heap_ || daemon_heap_->dump_baseline(pid)) return std::nullopt;
  return "heap profile at the baseline: " + daemon_heap_->error();
}

std::optional<std::string> RunProfilers::dump_daemon_final(pid_t pid) {
  if (!daemon_heap_ || daemon_heap_->dump_final(pid)) return std::nullopt;
  return "heap profile at the final snapshot: " + daemon_heap_->error();
}

std::optional<std::string> RunProfilers::client_heap(ClientHeapStep step,
                                                     const std::string& when) {
  if (!client_heap_ || !client_heap_->error().empty()) return std::nullopt;
  bool done = false;
  switch (step) {
    case ClientHeapStep::kStart: done = client_heap_->start(); break;
    case ClientHeapStep::kBaseline: done = client_heap_->dump_baseline(); break;
    case ClientHeapStep::kFinal: done = client_heap_->dump_final(); break;
  }
  if (done) return std::nullopt;
  return "client heap profile " + when + ": " + client_heap_->error();
}

void RunProfilers::stop_client_heap() {
  if (client_heap_) client_heap_->stop();
}

ProfileResults RunProfilers::collect(const std::filesystem::path& workdir, bool daemon_started,
                                     const std::function<void(const std::string&)>& phase) {
  ProfileResults results;
  auto keep_files = [&results](const HeapGrowth& growth) {
    for (const auto& file : {growth.text_file, growth.svg_file}) {
      if (!file.empty()) results.files.push_back(file);
    }
  };
  if (daemon_heap_ && daemon_started) {
    phase("diffing heap profiles (google-pprof)");
    results.heap_growth = daemon_heap_->diff();
    keep_files(*results.heap_growth);
  }
  if (client_heap_) {
    client_heap_->stop();  // a run that failed before the final snapshot
    phase("diffing client heap profiles (google-pprof)");
    results.client_heap_growth = client_heap_->diff();
    keep_files(*results.client_heap_growth);
  }
  for (const auto& file : wrapper_outputs(workdir)) results.files.push_back(file);
  return results;
}

}  // namespace leakgate
