// A tiny "daemon" for the counter-file integration test: creates 7 widgets through
// make_widget(), destroys 3, keeps 4 until exit, publishes into $LEAKGATE_COUNTERS.
// Prints "ready" when done; exits when stdin closes.
#include <array>
#include <cstdio>
#include <memory>
#include <vector>

#include "leakgate/accounted.h"
#include "leakgate/counter_file.h"

namespace {

struct Widget {
  leakgate::Accounted token{leakgate::kind("widgets")};
  std::array<char, 256> payload{};
};

// Kept until exit on purpose: the at-exit counters must still show 4 live widgets.
std::vector<std::unique_ptr<Widget>>* g_kept = nullptr;

}  // namespace

static __attribute__((noinline)) std::unique_ptr<Widget> make_widget() {
  auto widget = std::make_unique<Widget>();
  asm volatile("" ::: "memory");  // keep this frame from being folded or tail-called
  return widget;
}

int main() {
  leakgate::CounterPublisher::start_from_environment();
  std::vector<std::unique_ptr<Widget>> widgets;
  for (int i = 0; i < 7; ++i) widgets.push_back(make_widget());
  widgets.resize(4);
  g_kept = new std::vector<std::unique_ptr<Widget>>(std::move(widgets));
  std::puts("ready");
  std::fflush(stdout);
  while (std::getchar() != EOF) {
  }
  return 0;
}
