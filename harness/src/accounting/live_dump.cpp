// request_live_dump: SIGUSR2 to the publisher, then wait for dump_generation to bump.
#include "leakgate/live_dump.h"

#include <signal.h>
#include <time.h>

#include <fstream>
#include <sstream>

#include "leakgate/counter_file.h"

namespace leakgate {

std::string live_dump_path(const std::string& counters_path) {
  return counters_path + ".live.json";
}

std::optional<std::string> request_live_dump(pid_t pid, const std::string& counters_path,
                                             std::chrono::milliseconds timeout) {
  auto reader = CounterFileReader::open(counters_path);
  if (!reader) return std::nullopt;
  const CounterSnapshot snap = reader->read();
  // SIGUSR2's default action terminates: only signal a process that said it handles it.
  if (snap.pid != pid || snap.exited || !snap.dump_signal) return std::nullopt;
  const uint64_t before = snap.dump_generation;
  if (::kill(pid, SIGUSR2) != 0) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (reader->read().dump_generation == before) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    const timespec pause{0, 1'000'000};
    nanosleep(&pause, nullptr);
  }
  std::ifstream in(live_dump_path(counters_path), std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace leakgate
