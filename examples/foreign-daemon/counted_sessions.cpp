// A daemon written in C++ counts its own objects with leakgate::accounting: every Session
// holds an Accounted token, and leakgate reads the live count as daemon.sessions. This
// program only shows the link: it makes two sessions, drops one, and prints the live count.
#include <cstdio>

#include "leakgate/accounted.h"

namespace {

struct Session {
  leakgate::Accounted token{leakgate::kind("sessions")};
};

}  // namespace

int main() {
  Session kept;
  { Session dropped; }
  std::printf("sessions live: %lld\n", static_cast<long long>(leakgate::kind("sessions").live()));
  return 0;
}
