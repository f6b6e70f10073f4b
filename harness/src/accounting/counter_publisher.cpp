// CounterPublisher: the registry's counters mirrored into a shared file mapping.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "counter_file_layout.h"
#include "leakgate/counter_file.h"
#include "leakgate/heap_stats.h"
#include "leakgate/live_dump.h"
#include "leakgate/unique_fd.h"
#include "registry_state.h"
#include "shared_futex.h"

namespace leakgate {

namespace cf = counter_file;

namespace {

volatile sig_atomic_t g_dump_signal = 0;

void on_dump_signal(int) { g_dump_signal = 1; }

const char* g_section_key = nullptr;
std::string (*g_section_render)() = nullptr;

std::string live_dump_text() {
  std::string text = Registry::global().live_objects_json();
  if (g_section_render == nullptr) return text;
  auto dump = nlohmann::json::parse(text, nullptr, false);
  auto section = nlohmann::json::parse(g_section_render(), nullptr, false);
  if (!dump.is_object() || section.is_discarded()) return text;
  dump[g_section_key] = std::move(section);
  return dump.dump();
}

std::runtime_error file_error(const std::string& what, const std::string& path) {
  return std::runtime_error("counter file " + path + ": " + what + ": " + std::strerror(errno));
}

// Writes `text` to `path` through a temporary file and a rename: readers never see half.
bool write_file_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd) return false;
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  fd.reset();
  return ::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace

struct CounterPublisher::Impl {
  std::string path;
  std::chrono::milliseconds interval{2};
  void* base = MAP_FAILED;
  cf::Header* header = nullptr;
  cf::Entry* entries = nullptr;

  std::mutex mu;  // finish() once
  bool finished = false;
  std::atomic<bool> stopping{false};
  std::atomic<bool> dump_requested{false};
  std::thread thread;

  pid_t owner = getpid();  // a forked child must not finish() the parent's file

  static void install_fork_handlers();
  void attach(ResourceKind& kind);
  void refresh_heap();
  void write_dump();
  void wait_for_work(uint32_t done);
  void wake();
  void run();
  void finish(bool detach);
};

void CounterPublisher::Impl::attach(ResourceKind& kind) {
  // Runs under the registry's kinds_mu, so entry_count has one writer.
  const int64_t index = header->entry_count.load(std::memory_order_relaxed);
  if (index >= static_cast<int64_t>(cf::kCapacity)) {
    header->dropped_kinds.fetch_add(1);
    return;
  }
  cf::Entry& entry = entries[index];
  std::strncpy(entry.name, kind.name().c_str(), cf::kNameSize - 1);
  entry.name[cf::kNameSize - 1] = '\0';
  // Slot first, then copy the counters (see ResourceKind::on_create for the pairing).
  kind.shared_slot_.store(reinterpret_cast<int64_t*>(&entry.created));
  cf::store_max(entry.created, kind.created_.load());
  cf::store_max(entry.released, kind.released_.load());
  cf::store_max(entry.peak, kind.peak_.load());
  header->entry_count.store(index + 1, std::memory_order_release);
}

// A forked child inherits the MAP_SHARED mapping: its counted objects must not land in
// the parent's file. Holding kinds_mu across fork() keeps the child's copy of the mutex
// unlocked and the slot list consistent (posix_spawn runs no atfork handlers).
void CounterPublisher::Impl::install_fork_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    pthread_atfork([] { Registry::global().state_->kinds_mu.lock(); },
                   [] { Registry::global().state_->kinds_mu.unlock(); },
                   [] {
                     Registry::State& state = *Registry::global().state_;
                     state.on_new_kind = nullptr;
                     for (ResourceKind* kind : state.order) kind->shared_slot_.store(nullptr);
                     state.kinds_mu.unlock();
                   });
  });
}

void CounterPublisher::Impl::refresh_heap() {
  if (const auto heap = current_heap_bytes()) {
    header->heap_bytes.store(*heap, std::memory_order_relaxed);
    header->heap_present.store(1, std::memory_order_release);
  } else {
    header->heap_present.store(0, std::memory_order_release);
  }
  if (const auto blocks = current_heap_blocks()) {
    header->heap_blocks.store(*blocks, std::memory_order_relaxed);
    header->heap_blocks_present.store(1, std::memory_order_release);
  }
}

void CounterPublisher::Impl::write_dump() {
  try {
    write_file_atomically(live_dump_path(path), live_dump_text());
  } catch (const std::exception&) {
    // Out of memory while rendering: still bump, so a waiting reader stops waiting.
  }
  header->dump_generation.fetch_add(1, std::memory_order_release);
}

// One interval, or less when a reader asks for a fresh heap figure (or a dump, or stop).
void CounterPublisher::Impl::wait_for_work(uint32_t done) {
  if (header->heap_refresh_asked.load(std::memory_order_acquire) != done) return;
  if (dump_requested.load() || stopping.load()) return;
  cf::futex_wait(header->heap_refresh_asked, done, interval);
}

// Bumping the word (as a reader's request does) before the wake: a thread about to wait
// for the old value does not sleep through it.
void CounterPublisher::Impl::wake() {
  header->heap_refresh_asked.fetch_add(1, std::memory_order_acq_rel);
  cf::futex_wake_all(header->heap_refresh_asked);
}

void CounterPublisher::Impl::run() {
  uint32_t done = header->heap_refresh_done.load(std::memory_order_relaxed);
  while (!stopping.load(std::memory_order_acquire)) {
    wait_for_work(done);
    if (stopping.load(std::memory_order_acquire)) break;
    const uint32_t asked = header->heap_refresh_asked.load(std::memory_order_acquire);
    refresh_heap();
    if (asked != done) {  // the figure just stored was taken after the request
      header->heap_refresh_done.store(asked, std::memory_order_release);
      cf::futex_wake_all(header->heap_refresh_done);
      done = asked;
    }
    const bool by_signal = g_dump_signal != 0;
    if (by_signal) g_dump_signal = 0;
    if (dump_requested.exchange(false) || by_signal) write_dump();
  }
}

void CounterPublisher::Impl::finish(bool detach) {
  if (getpid() != owner) {
    // Forked child: the file and the thread are the parent's. The handle names a thread
    // that does not exist here; forget it instead of joining (or terminating on) it.
    new (&thread) std::thread();
    return;
  }
  {
    std::lock_guard lock(mu);
    if (finished) return;
    finished = true;
  }
  stopping.store(true, std::memory_order_release);
  wake();
  if (thread.joinable()) thread.join();
  if (detach) {
    Registry::State& state = *Registry::global().state_;
    std::lock_guard lock(state.kinds_mu);
    state.on_new_kind = nullptr;
    for (ResourceKind* kind : state.order) kind->shared_slot_.store(nullptr);
  }
  refresh_heap();
  header->exited.store(1, std::memory_order_release);
}

CounterPublisher::CounterPublisher(const std::string& path, int heap_interval_ms)
    : impl_(new Impl) {
  std::unique_ptr<Impl> impl(impl_);
  impl->path = path;
  impl->interval = std::chrono::milliseconds(heap_interval_ms > 0 ? heap_interval_ms : 2);

  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  UniqueFd fd(::open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd) throw file_error("cannot create", tmp);
  if (::ftruncate(fd.get(), static_cast<off_t>(cf::kFileSize)) != 0) {
    ::unlink(tmp.c_str());
    throw file_error("cannot size", tmp);
  }
  impl->base = ::mmap(nullptr, cf::kFileSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (impl->base == MAP_FAILED) {
    ::unlink(tmp.c_str());
    throw file_error("cannot map", tmp);
  }
  auto* bytes = static_cast<char*>(impl->base);
  impl->header = new (bytes) cf::Header{};
  impl->entries = reinterpret_cast<cf::Entry*>(bytes + sizeof(cf::Header));
  for (uint32_t i = 0; i < cf::kCapacity; ++i) new (&impl->entries[i]) cf::Entry{};
  impl->header->version = cf::kVersion;
  impl->header->capacity = cf::kCapacity;
  impl->header->header_size = sizeof(cf::Header);
  impl->header->entry_size = sizeof(cf::Entry);
  impl->header->pid.store(getpid());
  impl->refresh_heap();
  std::memcpy(impl->header->magic, cf::kMagic, sizeof cf::kMagic);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const auto error = file_error("cannot rename into place", path);
    ::unlink(tmp.c_str());
    ::munmap(impl->base, cf::kFileSize);
    throw error;
  }

  Impl::install_fork_handlers();
  Registry::State& state = *Registry::global().state_;
  {
    std::lock_guard lock(state.kinds_mu);
    if (state.on_new_kind) {
      ::munmap(impl->base, cf::kFileSize);
      throw std::logic_error("counter file " + path + ": another CounterPublisher is active");
    }
    Impl* raw = impl.get();
    state.on_new_kind = [raw](ResourceKind& kind) { raw->attach(kind); };
    for (ResourceKind* kind : state.order) raw->attach(*kind);
  }

  // The thread must not take the daemon's signals (SIGTERM handlers, sigwait loops).
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  try {
    impl->thread = std::thread([raw = impl.get()] { raw->run(); });
  } catch (...) {
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    impl->finish(/*detach=*/true);
    ::munmap(impl->base, cf::kFileSize);
    throw;
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  impl.release();
}

CounterPublisher::~CounterPublisher() {
  impl_->finish(/*detach=*/true);
  ::munmap(impl_->base, cf::kFileSize);
  // In a forked child the parent's publisher thread may have held impl_->mu at fork time:
  // destroying that mutex is undefined. The child leaks the small Impl instead.
  if (impl_->owner != getpid()) return;
  delete impl_;
}

void CounterPublisher::request_dump() {
  impl_->dump_requested.store(true);
  impl_->wake();
}

const std::string& CounterPublisher::path() const { return impl_->path; }

void set_live_dump_section(const char* key, std::string (*render)()) {
  g_section_key = key;
  g_section_render = render;
}

void CounterPublisher::start_from_environment(bool dump_on_signal) {
  static std::mutex g_env_mu;
  static CounterPublisher* g_env_publisher = nullptr;  // lives until exit (see atexit below)
  static Impl* g_env_impl = nullptr;
  std::lock_guard lock(g_env_mu);
  if (g_env_publisher != nullptr) return;
  const char* path = std::getenv(kCountersEnv);
  if (path == nullptr || *path == '\0') return;
  g_env_publisher = new CounterPublisher(path);
  g_env_impl = g_env_publisher->impl_;
  if (!dump_on_signal) {
    std::atexit([] { g_env_impl->finish(/*detach=*/false); });
    return;
  }
  struct sigaction sa {};
  sa.sa_handler = on_dump_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGUSR2, &sa, nullptr);
  g_env_impl->header->dump_signal.store(1, std::memory_order_release);
  // Keep the mapping attached: releases during static destruction still reach the file.
  std::atexit([] { g_env_impl->finish(/*detach=*/false); });
}

}  // namespace leakgate
