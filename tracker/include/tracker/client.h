// tracker::Client: the typed client library for trackerd.
//
// One session (a keep-alive HTTP connection over the Unix socket or TCP) is opened on first
// use and reused by every call until close() or destruction; each session is counted as
// leakgate kind "sessions". Errors are exceptions (ClientError). A Client is meant for one
// thread at a time: give each thread its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "tracker/issue.h"

namespace tracker {

class ClientError : public std::runtime_error {
 public:
  ClientError(int status, std::string server_message, std::string field, const std::string& what);
  int status() const noexcept { return status_; }  // HTTP status; 0: daemon not reachable
  const std::string& server_message() const noexcept { return server_message_; }
  const std::string& field() const noexcept { return field_; }  // the invalid field, if any

 private:
  int status_;
  std::string server_message_;
  std::string field_;
};

struct ClientOptions {
  std::string endpoint;  // "unix:/path" or "http://127.0.0.1:PORT"; empty: default_endpoint()
  std::string token;     // bearer token, needed over TCP
  // Re-creates the historical bug on purpose: a new session for every call, never closed
  // (its count and its socket stay). For testing leak detectors only.
  bool session_per_call = false;
  std::chrono::milliseconds timeout{5000};  // connect, read and write, each
};

class Client {
 public:
  explicit Client(ClientOptions options);
  explicit Client(std::string endpoint, std::string token = {});
  ~Client();  // closes the session
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  Issue create(const NewIssue& issue);
  Issue get(int64_t id);
  std::vector<Issue> list(const ListQuery& query = {});
  Issue update(int64_t id, const IssuePatch& patch);
  void remove(int64_t id);
  Stats stats();
  Health health();
  void shutdown();  // asks the daemon to stop; returns once it has acknowledged

  void close() noexcept;  // ends the session; the next call opens a new one
  bool has_session() const noexcept;
  const std::string& endpoint() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The token trackerd wrote with --token-file, without surrounding whitespace.
// Throws ClientError (status 0) when the file cannot be read.
std::string read_token_file(const std::filesystem::path& path);

}  // namespace tracker
