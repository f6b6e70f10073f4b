// The full-resolution timeline of one run, streamed to a file while the run samples
// (docs/timeline-file.md has the format): the sampler's every row, compactly. Writing never
// allocates once open (a fixed buffer, flushed with write(2)); reading is for `leakgate
// timeline` and tests.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "leakgate/unique_fd.h"

namespace leakgate {

inline constexpr std::string_view kTimelineFileMagic = "LGTIMELINE1\n";
inline constexpr size_t kTimelineFileMaxColumns = 64;

class TimelineFileWriter {
 public:
  // Creates (truncates) `path`; nullopt with `error` set when it cannot.
  static std::optional<TimelineFileWriter> create(const std::string& path, std::string& error);
  TimelineFileWriter(TimelineFileWriter&&) noexcept = default;
  TimelineFileWriter& operator=(TimelineFileWriter&&) noexcept = default;
  ~TimelineFileWriter();

  // A column, numbered in the order added (0, 1, ...); before the first row that sets it.
  void add_column(size_t index, std::string_view name);
  // One row: `values` holds `columns` cells, NaN where absent.
  void add_row(double t_s, const double* values, size_t columns);
  // Writes what is buffered; false (and error() set) once a write failed.
  bool flush();
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }

 private:
  TimelineFileWriter() = default;
  void put_byte(uint8_t byte) { buffer_[used_++] = byte; }
  void put_varint(uint64_t value);
  void make_room(size_t bytes);

  static constexpr size_t kBufferSize = 64 * 1024;
  UniqueFd fd_;
  std::string path_;
  std::string error_;
  std::vector<uint8_t> buffer_;  // kBufferSize, allocated at create()
  size_t used_ = 0;
  int64_t last_t_us_ = 0;
  std::vector<double> previous_;  // kTimelineFileMaxColumns, the last value of each column
};

// Reads a timeline file row by row.
class TimelineFileReader {
 public:
  struct Row {
    double t_s = 0;
    std::vector<double> values;  // one per column known so far, NaN where absent
  };
  // Opens `path`; throws std::runtime_error naming the file when it is no timeline file.
  explicit TimelineFileReader(const std::string& path);
  // The next row; false at the end. Throws std::runtime_error on a truncated or bad record.
  bool next(Row& row);
  const std::vector<std::string>& columns() const { return columns_; }

 private:
  int get_byte();  // -1 at the end
  uint64_t get_varint();
  [[noreturn]] void bad(const std::string& what) const;

  std::string path_;
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, Closer> owner_;
  std::vector<std::string> columns_;
  std::vector<double> previous_;
  int64_t last_t_us_ = 0;
  uint64_t offset_ = 0;
};

}  // namespace leakgate
