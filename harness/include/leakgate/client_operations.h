// Client operations: what a scenario's `client:` step runs, registered by the project whose
// daemon is under test. The harness knows none of its own; a project registers a set:
//
//   leakgate::ClientOperations my_operations() {
//     leakgate::ClientOperations ops;
//     ops.provider = "mydaemon";
//     ops.operations = {{"put", {"key", "value"}, run_put}, {"get", {"key"}, run_get}};
//     ops.open_session = [](const std::string& endpoint, const std::vector<std::string>& on) {
//       return std::make_unique<MySession>(endpoint, on);  // a ClientSession
//     };
//     return ops;
//   }
//   LEAKGATE_REGISTER_CLIENT_OPERATIONS(my_operations);  // namespace scope, in a .cpp
//
// and a scenario says `- client: {op: put, key: "k${ITER}", save: id}`.
//
// The registration is linked into the executable that runs the scenarios (an OBJECT
// library; a static archive would drop the unreferenced registrar), not loaded with dlopen:
// one binary that sanitizers, valgrind and the client-heap profile see whole, no plugin
// search path, no ABI contract between separately built pieces. `leakgate run` links every
// library named in the CMake global property LEAKGATE_CLIENT_OPERATIONS.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "leakgate/scenario.h"

namespace leakgate {

using ClientArgs = std::map<std::string, std::string>;  // argument -> value, ${VAR} expanded

// What a project keeps for one thread of steps against one endpoint: connections or
// sessions alive between steps (a new endpoint after a restart gets a new session).
class ClientSession {
 public:
  virtual ~ClientSession() = default;
  // Closes idle connections and sessions: before the baseline and the final snapshot (so a
  // daemon's idle timeout cannot count them in one and not the other), on a restart and at
  // the end of a run. A session that a leaky client "forgets" may stay open: that is the bug.
  virtual void close_idle() = 0;
};

struct ClientOperation {
  std::string name;                    // the step's `op:`
  std::vector<std::string> arguments;  // the keys it accepts; any other is a scenario error
  // Runs the operation on the session open_session made; returns what `save:` keeps.
  // Throws std::exception on failure (the step fails with its message).
  std::function<std::string(ClientSession&, const ClientArgs&)> run;
};

struct ClientOperations {
  std::string provider;  // who registered them, for messages
  std::vector<ClientOperation> operations;
  // daemon.inject names that are bugs of this client, not of the daemon: the harness turns
  // them on in open_session instead of passing them to the daemon (--inject).
  std::vector<std::string> client_injections;
  // Environment variables that exec steps get holding the endpoint (LEAKGATE_ENDPOINT always).
  std::vector<std::string> endpoint_variables;
  // A session for one thread of steps; `injections` are the claimed ones the scenario set.
  std::function<std::unique_ptr<ClientSession>(const std::string& endpoint,
                                               const std::vector<std::string>& injections)>
      open_session;
};

// Adds a set. Throws std::invalid_argument on a name (operation or injection) already
// registered, or on a set without open_session.
void register_client_operations(ClientOperations operations);

// The registered sets, in registration order.
const std::vector<std::shared_ptr<const ClientOperations>>& registered_client_operations();

// The set that registered `op`, or nullptr.
std::shared_ptr<const ClientOperations> client_operations_for(std::string_view op);
// True when a registered set claims the daemon.inject name `injection`.
bool is_client_injection(std::string_view injection);
// "registered: op1, op2, ..." or, when no set is registered, a sentence that says so.
std::string known_client_operations();

// Checks every client step (also inside parallel) against the registered operations.
// Throws ScenarioError at the op (unknown operation, with the known ones) or at the
// argument (not accepted by that operation, with the accepted ones).
void validate_client_steps(const Scenario& scenario);

namespace detail {
struct ClientOperationsRegistrar {
  explicit ClientOperationsRegistrar(ClientOperations (*make)()) {
    register_client_operations(make());
  }
};
}  // namespace detail

}  // namespace leakgate

// Registers make()'s set when the program starts. `make` is a function returning
// ClientOperations; use once per set, at namespace scope in a source file of an OBJECT library.
#define LEAKGATE_REGISTER_CLIENT_OPERATIONS(make)                                               \
  static const ::leakgate::detail::ClientOperationsRegistrar leakgate_client_registrar_##make { \
    make                                                                                        \
  }
