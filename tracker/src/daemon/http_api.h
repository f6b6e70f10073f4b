// The JSON API: routes, authentication, error bodies and per-request fault injection,
// installed on an httplib::Server.
#pragma once

#include <optional>
#include <string>

#include <httplib.h>

#include "fault_injection.h"

namespace tracker {

class Engine;
class SyncLoop;
class ShutdownLatch;

inline constexpr size_t kMaxRequestBodyBytes = 1 << 20;

struct ApiContext {
  Engine& engine;
  SyncLoop& sync_loop;
  ShutdownLatch& shutdown;
  FaultSet faults;
  std::optional<std::string> bearer_token;  // set over TCP: required on all but /health
};

// `context` must outlive the server.
void install_api(httplib::Server& server, const ApiContext& context);

}  // namespace tracker
