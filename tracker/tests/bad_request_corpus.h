// The bad-request corpus: raw HTTP requests trackerd must refuse without harm. Each entry is
// sent as bytes on a fresh connection to a daemon holding the seed issues (ids 1 to 3).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace tracker::testing {

// `status` when one exact answer is required. kAnyRefusal marks a truncated request: it is sent,
// then our side is half-closed, and any 4xx or a close without an answer is right.
inline constexpr int kAnyRefusal = -1;

struct BadRequest {
  std::string name;  // [A-Za-z0-9_]: a GoogleTest parameter name
  std::string bytes;
  int status = kAnyRefusal;
};

const std::vector<BadRequest>& bad_request_corpus();

// GoogleTest prints a parameter by its name, not as bytes.
inline void PrintTo(const BadRequest& request, std::ostream* out) { *out << request.name; }

}  // namespace tracker::testing
