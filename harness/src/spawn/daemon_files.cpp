#include "spawn/daemon_files.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "leakgate/daemon_process.h"  // DaemonError

namespace leakgate {

void write_daemon_files(const std::vector<DaemonFile>& files, const Variables& vars,
                        const std::filesystem::path& workdir) {
  for (const DaemonFile& file : files) {
    const std::string from = file.source.empty() ? "" : " from " + file.source;
    const std::string entry = " (daemon.files at " + file.where.str() + from + ")";
    std::string text;
    try {
      text = expand_variables(file.content, vars);
    } catch (const VariableError& e) {
      throw DaemonError("cannot write " + file.path + ": " + e.what() + entry);
    }
    const std::filesystem::path path = workdir / file.path;
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.close();
    if (!out)
      throw DaemonError("cannot write " + path.string() + ": " + std::strerror(errno) + entry);
  }
}

}  // namespace leakgate
