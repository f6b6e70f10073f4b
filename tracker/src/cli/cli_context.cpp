#include "cli_context.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

namespace tracker::cli {

Endpoint CliContext::endpoint() const {
  if (options_.endpoint.empty()) return default_endpoint();
  auto endpoint = Endpoint::parse(options_.endpoint);
  if (!endpoint) {
    throw ClientError(0, "bad endpoint", "",
                      "bad endpoint '" + options_.endpoint +
                          "': expected unix:/path/to.sock or http://127.0.0.1:PORT");
  }
  return *endpoint;
}

std::filesystem::path CliContext::state_dir() const {
  const Endpoint where = endpoint();
  if (where.kind == Endpoint::Kind::kUnix) {
    return std::filesystem::path(where.path).parent_path();
  }
  return std::filesystem::path(default_endpoint().path).parent_path();
}

std::filesystem::path CliContext::token_file() const {
  if (!options_.token_file.empty()) return options_.token_file;
  return state_dir() / "token";
}

std::filesystem::path CliContext::trackerd_path() const {
  if (!options_.trackerd.empty()) return options_.trackerd;
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    auto beside = self.parent_path() / "trackerd";
    if (::access(beside.c_str(), X_OK) == 0) return beside;
  }
  return "trackerd";  // left to PATH
}

Client CliContext::make_client() const {
  ClientOptions options;
  const Endpoint where = endpoint();
  options.endpoint = where.str();
  if (where.kind == Endpoint::Kind::kTcp) options.token = read_token_file(token_file());
  const char* inject = std::getenv("TRACKER_INJECT");
  options.session_per_call = inject != nullptr && std::string_view(inject) == "session-per-call";
  return Client(std::move(options));
}

int CliContext::guarded(const std::function<int()>& command) {
  try {
    return command();
  } catch (const ClientError& error) {
    std::cerr << "tracker: " << error.what() << "\n";
    switch (error.status()) {
      case 404:
        return kExitNotFound;
      case 400:
      case 413:
        return kExitRejected;
      case 401:
        return kExitUnauthorized;
      default:
        return kExitFailure;
    }
  } catch (const std::exception& error) {
    std::cerr << "tracker: " << error.what() << "\n";
    return kExitFailure;
  }
}

CLI::App& add_command_group(CLI::App& parent, std::string name, std::string description) {
  CLI::App* group = parent.add_subcommand(std::move(name), std::move(description));
  group->require_subcommand(1);
  return *group;
}

CLI::App& CliContext::add_command(CLI::App& parent, std::string name, std::string description,
                                  std::function<int()> body) {
  CLI::App* command = parent.add_subcommand(std::move(name), std::move(description));
  command->callback([this, body = std::move(body)] { exit_code_ = guarded(body); });
  return *command;
}

}  // namespace tracker::cli
