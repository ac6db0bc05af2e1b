// The CCG table template (`ccgrisk template`): every per-CCG column the
// model reads, with its basis column, filled with the values a scenario
// uses for each CCG; a comment block first states each column's unit and
// meaning (docs/data.md).
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "input/ccg_table.hpp"
#include "input/input_basis.hpp"
#include "input/scenario.hpp"

namespace ccgrisk {

// The template as CSV text (LF line ends, RFC 4180 quoting, '#' comment
// lines first). `ccgs` are the scenario's resolved rows (model/model.hpp
// resolve_ccgs); blank plan cells are written as the scenario's [plan]
// defaults, so every row states the value used, and each basis column
// copies the basis of the value beside it. Read back as the scenario's
// table (the [ccg.CODE] keys still applying on top), it gives the same
// model bit for bit: numbers are written in their shortest exact form.
// `made_by` names the tool in the first comment line.
//
// A run of several years whose [year.LABEL] tables change a [plan] default
// (the outlook's cip_pct in 2015-16) cannot state one value for it: in
// those columns (`by_year`, e.g. from plan_defaults_by_year) the cells that
// take the default are left blank, so that read back each year takes its
// own default again, and a comment line says so.
using PlanColumns = std::array<bool, kNumCcgInputs>;
std::string ccg_template_csv(const Scenario& scenario, const std::vector<CcgRecord>& ccgs,
                             std::string_view made_by, const PlanColumns& by_year = {});
// The plan columns whose [plan] default differs between `years` (each
// year's scenario, input/horizon.hpp year_scenarios).
PlanColumns plan_defaults_by_year(const std::vector<Scenario>& years);

}  // namespace ccgrisk
