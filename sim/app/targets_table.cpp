#include "app/targets_table.hpp"

#include <cmath>
#include <cstdio>

#include "input/text.hpp"

namespace ccgrisk {

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

void print_target_table(const std::vector<TargetCheck>& rows,
                        const std::vector<std::string>& fitted, const std::string& prefix,
                        std::ostream& out) {
  const int width = target_name_width(rows);
  const bool parameters = !fitted.empty();
  out << prefix
      << strprintf("%-*s %10s %10s %9s %9s  %s\n", width, "target", "published", "model", "+- se",
                   "tolerance", parameters ? "met  fitted parameter" : "met");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const TargetCheck& t = rows[i];
    const bool met = std::abs(t.model - t.value) <= t.tolerance;
    const char* verdict = met ? "yes" : t.reproduced ? "NO" : "open";
    out << prefix
        << strprintf("%-*.*s %10.6g %10.6g %9.2g %9.3g  ", width, width, t.name.c_str(), t.value,
                     t.model, t.model_se, t.tolerance)
        << (parameters && !fitted[i].empty() ? strprintf("%-4s %s", verdict, fitted[i].c_str())
                                             : std::string(verdict))
        << "\n";
  }
}

std::vector<std::string> fitted_parameters(const Targets& targets,
                                           const std::vector<double>& parameters) {
  std::vector<std::string> out(targets.targets.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const Target& t = targets.targets[i];
    if (t.parameter && i < parameters.size() && !std::isnan(parameters[i]))
      out[i] = *t.parameter + " = " + strprintf("%.6g", parameters[i]);
  }
  return out;
}

}  // namespace ccgrisk
