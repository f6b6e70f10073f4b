// Live progress for one test: a rewritten status line on a terminal, plain lines otherwise.
#pragma once

#include <string>

#include "leakgate/runner.h"
#include "sample/timeline.h"

namespace leakgate {

class Progress {
 public:
  Progress(RunOptions::Progress mode, std::string test);
  void phase(const std::string& what);
  void iteration(const char* phase, int i, int n, const Frame& checkpoint);
  // A soak's measured phase (`duration`): elapsed and remaining time, iterations and the key
  // figures, at most every 2 s on a terminal and every 10 s otherwise.
  void soak(int i, double elapsed_s, double duration_s, const Frame& checkpoint);
  void note(const std::string& text);
  void finish(const std::string& verdict_text);

 private:
  void clear_line();
  bool terminal_ = false;
  bool quiet_ = false;
  bool line_open_ = false;
  double soak_shown_s_ = -1;  // elapsed time of the last soak line
  std::string test_;
};

}  // namespace leakgate
