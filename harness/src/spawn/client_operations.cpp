// The registry of client operations (leakgate/client_operations.h) and the check of a
// scenario's client steps against it.
#include "leakgate/client_operations.h"

#include <algorithm>
#include <mutex>
#include <stdexcept>

#include "leakgate/scenario_parser.h"
#include "scenario/suggest.h"

namespace leakgate {
namespace {

struct Registry {
  std::mutex mutex;  // registration runs at static initialisation; lookups after main starts
  std::vector<std::shared_ptr<const ClientOperations>> sets;
};

Registry& registry() {
  static Registry instance;  // constructed on first use: registrars run before main()
  return instance;
}

const ClientOperation* find_operation(const ClientOperations& set, std::string_view name) {
  for (const auto& operation : set.operations)
    if (operation.name == name) return &operation;
  return nullptr;
}

std::vector<std::string_view> operation_names() {
  std::vector<std::string_view> names;
  for (const auto& set : registered_client_operations())
    for (const auto& operation : set->operations) names.push_back(operation.name);
  return names;
}

void validate_steps(const StepList& steps) {
  for (const Step& step : steps) {
    if (const auto* parallel = std::get_if<ParallelStep>(&step.action)) {
      validate_steps(*parallel->steps);
      continue;
    }
    const auto* client = std::get_if<ClientStep>(&step.action);
    if (!client) continue;
    const auto set = client_operations_for(client->op);
    if (!set) {
      throw ScenarioError(client->op_at,
                          client->path + ".op: unknown client op '" + client->op + "'" +
                              detail::did_you_mean(client->op, operation_names()),
                          known_client_operations());
    }
    const ClientOperation& operation = *find_operation(*set, client->op);
    for (const auto& [key, value] : client->args) {
      const auto& accepted = operation.arguments;
      if (std::find(accepted.begin(), accepted.end(), key) != accepted.end()) continue;
      const std::vector<std::string_view> choices(accepted.begin(), accepted.end());
      const auto at = client->arg_at.find(key);
      throw ScenarioError(at == client->arg_at.end() ? client->op_at : at->second,
                          client->path + ": " + client->op + " takes no argument '" + key + "'" +
                              detail::did_you_mean(key, choices),
                          choices.empty() ? "it takes no arguments (besides save)"
                                          : "arguments: " + detail::join(choices) + ", save");
    }
  }
}

}  // namespace

void register_client_operations(ClientOperations operations) {
  if (!operations.open_session)
    throw std::invalid_argument("client operations of '" + operations.provider +
                                "' have no open_session");
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  for (const auto& set : r.sets) {
    for (const auto& operation : operations.operations) {
      if (find_operation(*set, operation.name))
        throw std::invalid_argument("client op '" + operation.name + "' of '" +
                                    operations.provider + "' is already registered by '" +
                                    set->provider + "'");
    }
    for (const auto& name : operations.client_injections) {
      const auto& claimed = set->client_injections;
      if (std::find(claimed.begin(), claimed.end(), name) != claimed.end())
        throw std::invalid_argument("injection '" + name + "' of '" + operations.provider +
                                    "' is already claimed by '" + set->provider + "'");
    }
  }
  r.sets.push_back(std::make_shared<const ClientOperations>(std::move(operations)));
}

const std::vector<std::shared_ptr<const ClientOperations>>& registered_client_operations() {
  return registry().sets;
}

std::shared_ptr<const ClientOperations> client_operations_for(std::string_view op) {
  for (const auto& set : registered_client_operations())
    if (find_operation(*set, op)) return set;
  return nullptr;
}

bool is_client_injection(std::string_view injection) {
  for (const auto& set : registered_client_operations()) {
    const auto& claimed = set->client_injections;
    if (std::find(claimed.begin(), claimed.end(), injection) != claimed.end()) return true;
  }
  return false;
}

std::string known_client_operations() {
  const std::vector<std::string_view> names = operation_names();
  return names.empty() ? std::string("no client operations are linked into this program")
                       : "registered: " + detail::join(names);
}

void validate_client_steps(const Scenario& scenario) { validate_steps(scenario.steps); }

}  // namespace leakgate
