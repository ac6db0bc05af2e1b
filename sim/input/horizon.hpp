// The scenarios of a run's years (docs/model.md "Several years").
#pragma once

#include <string>
#include <vector>

#include "input/scenario.hpp"

namespace ccgrisk {

// The labels of the run's years, "2013-14", "2014-15", ...
std::vector<std::string> horizon_labels(const Horizon& horizon);

// Each year's scenario: the first is `base`; year y >= 1 is `base` (with its
// command-line overrides) with the scenario's [year.LABEL] table laid over
// it, key by key: a table merges into a table, a value replaces a value, and
// a table under `pool` names the pool it changes (`[year.2015-16.pool.X]`).
// Each is validated as a scenario file is. Throws InputError naming the
// file and the key for: a [year.LABEL] whose label is not a year of the
// run after the first, a section that cannot vary by year (run, data,
// horizon, uncertainty, volatility, hub), a pool it adds, drops or whose
// members it changes, and any value the scenario reader refuses (the
// message then ends "(in [year.LABEL])").
std::vector<Scenario> year_scenarios(const Scenario& base);

// The later years whose [year.LABEL] table sets `key` (a dotted scenario
// key, e.g. "plan.cip_pct"), in order: in those years the table's value
// applies, not the scenario's own or a command-line override of it.
std::vector<std::string> years_setting(const Scenario& base, const std::string& key);

}  // namespace ccgrisk
