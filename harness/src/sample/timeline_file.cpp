#include "sample/timeline_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace leakgate {
namespace {

constexpr uint8_t kColumnTag = 'C';
constexpr uint8_t kRowTag = 'R';
// The largest row record: tag, time, presence mask, and per column a raw double with its escape.
constexpr size_t kMaxRowBytes = 1 + 10 + 10 + kTimelineFileMaxColumns * (1 + 8);
constexpr double kExactIntegers = 9007199254740992.0;  // 2^53

uint64_t zigzag(int64_t value) {
  return (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
}
int64_t unzigzag(uint64_t value) {
  return static_cast<int64_t>(value >> 1) ^ -static_cast<int64_t>(value & 1);
}
bool exact_integer(double value) {
  return std::isfinite(value) && std::fabs(value) < kExactIntegers && std::trunc(value) == value;
}

}  // namespace

std::optional<TimelineFileWriter> TimelineFileWriter::create(const std::string& path,
                                                             std::string& error) {
  TimelineFileWriter writer;
  writer.fd_.reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!writer.fd_) {
    error = "cannot create " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  writer.path_ = path;
  writer.buffer_.resize(kBufferSize);
  writer.previous_.assign(kTimelineFileMaxColumns, 0.0);
  for (char c : kTimelineFileMagic) writer.put_byte(static_cast<uint8_t>(c));
  return writer;
}

TimelineFileWriter::~TimelineFileWriter() {
  if (fd_) flush();
}

void TimelineFileWriter::put_varint(uint64_t value) {
  while (value >= 0x80) {
    put_byte(static_cast<uint8_t>(value | 0x80));
    value >>= 7;
  }
  put_byte(static_cast<uint8_t>(value));
}

void TimelineFileWriter::make_room(size_t bytes) {
  if (kBufferSize - used_ < bytes) flush();
}

bool TimelineFileWriter::flush() {
  if (!error_.empty()) {
    used_ = 0;  // a failed file takes nothing more
    return false;
  }
  size_t done = 0;
  while (done < used_) {
    const ssize_t n = ::write(fd_.get(), buffer_.data() + done, used_ - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error_ = "writing " + path_ + " failed: " + std::strerror(n < 0 ? errno : EIO);
      used_ = 0;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  used_ = 0;
  return true;
}

void TimelineFileWriter::add_column(size_t index, std::string_view name) {
  make_room(1 + 10 + 10 + name.size());
  if (kBufferSize - used_ < 1 + 10 + 10 + name.size()) return;  // a name longer than the buffer
  put_byte(kColumnTag);
  put_varint(index);
  put_varint(name.size());
  for (char c : name) put_byte(static_cast<uint8_t>(c));
}

void TimelineFileWriter::add_row(double t_s, const double* values, size_t columns) {
  if (columns > kTimelineFileMaxColumns) columns = kTimelineFileMaxColumns;
  make_room(kMaxRowBytes);
  const int64_t t_us = std::llround(t_s * 1e6);
  uint64_t present = 0;
  for (size_t c = 0; c < columns; ++c)
    if (!std::isnan(values[c])) present |= uint64_t{1} << c;
  put_byte(kRowTag);
  put_varint(zigzag(t_us - last_t_us_));
  last_t_us_ = t_us;
  put_varint(present);
  for (size_t c = 0; c < columns; ++c) {
    if ((present & (uint64_t{1} << c)) == 0) continue;
    const double value = values[c];
    if (exact_integer(value) && exact_integer(previous_[c])) {
      const int64_t delta = static_cast<int64_t>(value) - static_cast<int64_t>(previous_[c]);
      put_varint(zigzag(delta) << 1);  // even: an integer delta
    } else {
      put_varint(1);  // odd: the raw bits follow
      const auto bits = std::bit_cast<uint64_t>(value);
      for (int b = 0; b < 8; ++b) put_byte(static_cast<uint8_t>(bits >> (8 * b)));
    }
    previous_[c] = value;
  }
}

TimelineFileReader::TimelineFileReader(const std::string& path) : path_(path) {
  owner_.reset(std::fopen(path.c_str(), "rb"));
  if (!owner_) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  for (char expected : kTimelineFileMagic) {
    if (get_byte() != static_cast<uint8_t>(expected))
      throw std::runtime_error(path + " is no leakgate timeline file (bad magic)");
  }
  previous_.assign(kTimelineFileMaxColumns, 0.0);
}

int TimelineFileReader::get_byte() {
  const int c = std::getc(owner_.get());
  if (c != EOF) ++offset_;
  return c == EOF ? -1 : c;
}

void TimelineFileReader::bad(const std::string& what) const {
  throw std::runtime_error(path_ + ": " + what + " at byte " + std::to_string(offset_));
}

uint64_t TimelineFileReader::get_varint() {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    const int c = get_byte();
    if (c < 0) bad("truncated record");
    value |= static_cast<uint64_t>(c & 0x7f) << shift;
    if ((c & 0x80) == 0) return value;
  }
  bad("varint too long");
}

bool TimelineFileReader::next(Row& row) {
  for (;;) {
    const int tag = get_byte();
    if (tag < 0) return false;
    if (tag == kColumnTag) {
      const uint64_t index = get_varint();
      const uint64_t length = get_varint();
      if (index != columns_.size() || index >= kTimelineFileMaxColumns || length > 4096)
        bad("bad column record");
      std::string name;
      for (uint64_t i = 0; i < length; ++i) {
        const int c = get_byte();
        if (c < 0) bad("truncated column name");
        name += static_cast<char>(c);
      }
      columns_.push_back(std::move(name));
      continue;
    }
    if (tag != kRowTag) bad("unknown record tag " + std::to_string(tag));
    last_t_us_ += unzigzag(get_varint());
    row.t_s = static_cast<double>(last_t_us_) / 1e6;
    const uint64_t present = get_varint();
    row.values.assign(columns_.size(), std::nan(""));
    for (size_t c = 0; c < kTimelineFileMaxColumns; ++c) {
      if ((present & (uint64_t{1} << c)) == 0) continue;
      if (c >= columns_.size()) bad("a row sets column " + std::to_string(c) + " before naming it");
      const uint64_t code = get_varint();
      double value = 0;
      if ((code & 1) == 0) {
        value = static_cast<double>(static_cast<int64_t>(previous_[c]) + unzigzag(code >> 1));
      } else {
        uint64_t bits = 0;
        for (int b = 0; b < 8; ++b) {
          const int byte = get_byte();
          if (byte < 0) bad("truncated value");
          bits |= static_cast<uint64_t>(byte) << (8 * b);
        }
        value = std::bit_cast<double>(bits);
      }
      previous_[c] = value;
      row.values[c] = value;
    }
    return true;
  }
}

}  // namespace leakgate
