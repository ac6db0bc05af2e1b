#include "app/targets_table.hpp"

#include <cmath>
#include <cstdio>

namespace ccgrisk {

namespace {

std::string line(const char* fmt, auto... args) {
  char buf[400];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

}  // namespace

std::vector<Measured> measure_all(const Targets& targets, const Results& results) {
  std::vector<Measured> out;
  for (std::size_t i = 0; i < targets.targets.size(); ++i)
    out.push_back(measure(targets.targets[i], results, targets.path, i));
  return out;
}

std::vector<TargetCheck> target_checks(const Targets& targets,
                                       const std::vector<Measured>& achieved) {
  std::vector<TargetCheck> out;
  for (std::size_t i = 0; i < targets.targets.size(); ++i) {
    const Target& t = targets.targets[i];
    out.push_back({t.name, statistic_name(t.statistic), t.group, t.source, t.value, t.tolerance,
                   achieved[i].value, achieved[i].se, t.reproduced});
  }
  return out;
}

void print_target_table(const Targets& targets, const std::vector<Measured>& achieved,
                        const std::vector<double>& parameters, const std::string& prefix,
                        std::ostream& out) {
  const int width = target_name_width(targets.targets);
  out << prefix
      << line("%-*s %10s %10s %9s %9s  %-4s %s\n", width, "target", "2013-14", "model", "+- se",
              "tolerance", "met", "fitted parameter");
  for (std::size_t i = 0; i < targets.targets.size(); ++i) {
    const Target& t = targets.targets[i];
    const Measured& m = achieved[i];
    const bool met = std::abs(m.value - t.value) <= t.tolerance;
    std::string fitted;
    if (t.parameter && i < parameters.size() && !std::isnan(parameters[i]))
      fitted = *t.parameter + " = " + line("%.6g", parameters[i]);
    out << prefix
        << line("%-*.*s %10.6g %10.6g %9.2g %9.3g  %-4s %s\n", width, width, t.name.c_str(),
                t.value, m.value, m.se, t.tolerance,
                met            ? "yes"
                : t.reproduced ? "NO"
                               : "open",
                fitted.c_str());
  }
}

}  // namespace ccgrisk
