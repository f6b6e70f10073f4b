// The sessions of one thread of client steps: one per registered set of client operations,
// opened on first use and again when the endpoint changes (a restart).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "leakgate/client_operations.h"

namespace leakgate {

class ClientSessionPool {
 public:
  // `injections`: the daemon.inject names a registered set claimed (is_client_injection).
  explicit ClientSessionPool(std::vector<std::string> injections);
  ~ClientSessionPool();
  ClientSessionPool(const ClientSessionPool&) = delete;
  ClientSessionPool& operator=(const ClientSessionPool&) = delete;

  // Runs one registered operation; returns the value a `save:` keeps. Throws on an
  // unregistered op (validate_client_steps() reports it with its location first).
  std::string run(const std::string& endpoint, const std::string& op, const ClientArgs& args);
  // close_idle() on every open session.
  void close_all();

 private:
  struct Open {
    std::string endpoint;
    std::unique_ptr<ClientSession> session;
  };
  std::vector<std::string> injections_;
  std::map<const ClientOperations*, Open> sessions_;
};

}  // namespace leakgate
