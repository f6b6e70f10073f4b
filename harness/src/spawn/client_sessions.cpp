#include "spawn/client_sessions.h"

#include <algorithm>
#include <stdexcept>

namespace leakgate {

ClientSessionPool::ClientSessionPool(std::vector<std::string> injections)
    : injections_(std::move(injections)) {}

ClientSessionPool::~ClientSessionPool() = default;

void ClientSessionPool::close_all() {
  for (auto& [set, open] : sessions_) open.session->close_idle();
  sessions_.clear();
}

std::string ClientSessionPool::run(const std::string& endpoint, const std::string& op,
                                   const ClientArgs& args) {
  const auto set = client_operations_for(op);
  if (!set)
    throw std::invalid_argument("unknown client op '" + op + "'; " + known_client_operations());
  Open& open = sessions_[set.get()];
  if (!open.session || open.endpoint != endpoint) {
    if (open.session) open.session->close_idle();
    std::vector<std::string> claimed;
    for (const auto& name : injections_) {
      const auto& mine = set->client_injections;
      if (std::find(mine.begin(), mine.end(), name) != mine.end()) claimed.push_back(name);
    }
    open.session = set->open_session(endpoint, claimed);
    open.endpoint = endpoint;
  }
  for (const auto& operation : set->operations)
    if (operation.name == op) return operation.run(*open.session, args);
  throw std::logic_error("client op '" + op + "' vanished from its set");
}

}  // namespace leakgate
