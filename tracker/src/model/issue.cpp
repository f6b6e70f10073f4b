#include "tracker/issue.h"

namespace tracker {

const char* to_string(Status status) { return status == Status::kOpen ? "open" : "closed"; }

std::optional<Status> parse_status(std::string_view text) {
  if (text == "open") return Status::kOpen;
  if (text == "closed") return Status::kClosed;
  return std::nullopt;
}

}  // namespace tracker
