// Whole-file reads and atomic writes: a reader of a report never sees half a file.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace leakgate::reports {

// Writes to a unique temporary file beside `path`, then renames it over `path`.
// Throws std::runtime_error naming the file and errno; the temporary is removed on error.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

// Throws std::runtime_error naming the file when it cannot be read.
std::string read_text_file(const std::filesystem::path& path);

}  // namespace leakgate::reports
