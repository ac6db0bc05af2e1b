#include "app/cli_checks.hpp"

#include <charconv>
#include <string>

#include "engine/scenario_runs.hpp"
#include "input/limits.hpp"
#include "input/text.hpp"

namespace ccgrisk {

CLI::Validator whole_number(std::int64_t lo, std::int64_t hi) {
  const std::string range = std::to_string(lo) + " to " + std::to_string(hi);
  return CLI::Validator(
      [lo, hi, range](std::string& text) -> std::string {
        std::int64_t x = 0;
        const char* end = text.data() + text.size();
        const auto [ptr, ec] = std::from_chars(text.data(), end, x);
        if (ec != std::errc() || ptr != end || x < lo || x > hi)
          return "'" + printable(text) + "' is not a whole number from " + range;
        return {};
      },
      "INT in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

CLI::Validator not_empty() {
  return CLI::Validator(
      [](std::string& text) -> std::string { return text.empty() ? "the value is empty" : ""; },
      "");
}

CLI::Validator number_in(double lo, double hi) {
  return CLI::Validator(
      [lo, hi](std::string& text) -> std::string {
        double x = 0;
        const char* end = text.data() + text.size();
        const auto [ptr, ec] = std::from_chars(text.data(), end, x);
        if (ec != std::errc() || ptr != end || !(x >= lo && x <= hi))
          return "'" + printable(text) + "' is not a number from " + number_text(lo) + " to " +
                 number_text(hi);
        return {};
      },
      "NUMBER in [" + number_text(lo) + ", " + number_text(hi) + "]");
}

CLI::Option* add_threads_option(CLI::App* cmd, int& threads) {
  return cmd
      ->add_option(
          "--threads", threads,
          "Worker threads, 0 = all cores (at most " + std::to_string(limits::kMaxThreads) + ")")
      ->check(whole_number(0, limits::kMaxThreads));
}

std::string usage_message(const CLI::ParseError& e) {
  const std::string text = e.what();
  const std::string marker = ": At Most 1 required but received ";
  if (const auto at = text.find(marker); at != std::string::npos)
    return text.substr(0, at) + " given " + text.substr(at + marker.size()) +
           " times (give it once)";
  return printable(text, 300);
}

}  // namespace ccgrisk
