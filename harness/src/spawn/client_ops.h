// Client steps run inside the harness through tracker::Client, so their sessions are
// counted on the client side. One pool per thread of steps.
#pragma once

#include <map>
#include <memory>
#include <string>

namespace tracker {
class Client;
}

namespace leakgate {

class ClientSessionPool {
 public:
  explicit ClientSessionPool(bool session_per_call);
  ~ClientSessionPool();
  // Runs one operation (create_issue, get_issue, ...); returns the value a `save:` keeps
  // (the new issue's id for create_issue, else the issue count or status text).
  std::string run(const std::string& endpoint, const std::string& op,
                  const std::map<std::string, std::string>& args);
  void close_all();

 private:
  bool session_per_call_;
  std::string endpoint_;
  std::unique_ptr<tracker::Client> client_;
};

}  // namespace leakgate
