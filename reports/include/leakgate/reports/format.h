// Human-readable figures: counts as numbers, bytes in KiB/MiB/GiB, signed changes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "leakgate/units.h"

namespace leakgate::reports {

enum class Unit { count, bytes };

// The metric's declared unit ("bytes"/"count"); without one, guessed from the name
// (rss, pss and heap are bytes).
Unit unit_of_metric(std::string_view metric_name, const nlohmann::json& metric);

// "41", "0.8", "0.0125"; integers without decimals.
std::string format_number(double value);
// "512 B", "1.5 KiB", "64.0 MiB": the harness's formatter (leakgate/units.h), so a page
// prints a figure as the verdict line does.
using leakgate::format_bytes;
// A figure in its unit; "—" when absent.
std::string format_quantity(std::optional<double> value, Unit unit);
// A change with its sign: "+40", "-1.2 MiB", "±0"; "—" when absent.
std::string format_signed_quantity(std::optional<double> value, Unit unit);
// "3.21 s", "450 ms".
std::string format_seconds(double seconds);
// "+12.5%", "-3%", "new" when growing from zero; "" when either side is absent.
std::string format_percent_change(std::optional<double> before, std::optional<double> after);

}  // namespace leakgate::reports
