#include "output/ccg_template.hpp"

#include "input/csv.hpp"
#include "input/text.hpp"

#include <array>
#include <cstdio>
#include <optional>

namespace ccgrisk {
namespace {

struct IdentityColumn {
  std::string_view name;
  std::string_view meaning;
};

constexpr std::array<IdentityColumn, 5> kIdentity = {{
    {"ods_code", "ODS code of the CCG, e.g. 05Q: the key, unique in the table"},
    {"name", "CCG name"},
    {"area_team_code", "NHS England area team code, e.g. Q60 (an area team is in one region)"},
    {"area_team", "area team name"},
    {"region", "NHS England region: North, Midlands and East, London or South"},
}};

std::string padded(std::string_view s, std::size_t width) {
  std::string out(s);
  if (out.size() < width) out.append(width - out.size(), ' ');
  return out + " ";
}

// The [plan] default of plan column k.
double plan_default(const PlanDefaults& d, int k) {
  switch (k) {
    case kInputPlannedSurplus:
      return d.surplus_pct;
    case kInputContingency:
      return d.contingency_pct;
    case kInputNonrecurrent:
      return d.nonrecurrent_pct;
    case kInputCip:
      return d.cip_pct;
    default:
      return d.spec_transfer_pct;
  }
}

// CCG `c`'s own figure for plan column k; nothing where it takes the default.
std::optional<double> own_plan_value(const CcgRecord& c, int k) {
  switch (k) {
    case kInputPlannedSurplus:
      return c.plan.planned_surplus_pct;
    case kInputContingency:
      return c.plan.contingency_pct;
    case kInputNonrecurrent:
      return c.plan.nonrecurrent_pct;
    case kInputCip:
      return c.plan.cip_pct;
    default:
      return c.plan.spec_transfer_pct;
  }
}

// The value CCG `c` uses for input k (blank plan cells: the [plan]
// default, or nothing in a column whose default varies by year); nothing
// for a population not given.
std::optional<double> value_of(const CcgRecord& c, int k, const PlanDefaults& d,
                               const PlanColumns& by_year) {
  if (kCcgInputs[static_cast<std::size_t>(k)].plan_default) {
    const std::optional<double> own = own_plan_value(c, k);
    if (own || by_year[static_cast<std::size_t>(k)]) return own;
    return plan_default(d, k);
  }
  switch (k) {
    case kInputAllocation:
      return c.allocation_k;
    case kInputPopulation:
      return c.basis[k] == kBasisNotGiven ? std::nullopt : std::optional<double>(c.population);
    case kInputTargetDistance:
      return c.target_distance_pct;
    default:
      return c.transfer_mismatch_k;
  }
}

// `text` on one comment line: line breaks become spaces.
std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text;
}

void write_comments(const Scenario& s, std::string_view made_by, std::string& out) {
  out += "# ccgrisk CCG table, written by " + one_line(std::string(made_by)) + "\n";
  out += "# from the scenario " + one_line(s.path.string()) +
         " (its CCG table: " + one_line(s.ccgs.string()) + ").\n";
  out +=
      "# One row per CCG with the values that scenario uses ([plan] defaults resolved). Edit the\n"
      "# figures, set each *_basis cell to where the figure now comes from, and point a "
      "scenario's\n"
      "# [data] ccgs at this file; its [ccg.CODE] keys still override this file. Lines starting\n"
      "# with # are comments. A blank cell means the scenario's [plan] default for a *_pct plan\n"
      "# column, 0 for target_distance_pct and transfer_mismatch_k, no population. Money is in "
      "GBP\n"
      "# thousands (GBP 1m = 1000); *_pct are percentages of the CCG's 2013-14 allocation.\n#\n";
  out += "# " + padded("column", 26) + padded("unit", 23) + "meaning\n";
  for (const IdentityColumn& c : kIdentity)
    out += "# " + padded(c.name, 26) + padded("text", 23) + std::string(c.meaning) + "\n";
  for (const CcgInputInfo& in : kCcgInputs) {
    out += "# " + padded(in.column, 26) + padded(in.units, 23) + std::string(in.meaning) + "\n";
    out += "# " + padded(in.basis_column, 26) + padded("text", 23) + "where " +
           std::string(in.column) + " came from" +
           (&in == &kCcgInputs.front()
                ? ": e.g. 'published (CCG annual report 2013-14)', 'estimated from population'"
                : "") +
           "\n";
  }
}

void write_row(const CcgRecord& c, const PlanDefaults& d, const PlanColumns& by_year,
               std::string& out) {
  for (const std::string* field : {&c.code, &c.name, &c.area_team_code, &c.area_team, &c.region})
    out.append(field == &c.code ? "" : ",").append(csv_field(*field));
  for (int k = 0; k < kNumCcgInputs; ++k) {
    const std::optional<double> v = value_of(c, k, d, by_year);
    out.append(",").append(v ? number_text(*v) : std::string());
    out.append(",").append(v ? csv_field(c.basis[k]) : std::string());
  }
  out.append("\n");
}

}  // namespace

std::string ccg_template_csv(const Scenario& scenario, const std::vector<CcgRecord>& ccgs,
                             std::string_view made_by, const PlanColumns& by_year) {
  std::string out;
  write_comments(scenario, made_by, out);
  for (const CcgInputInfo& in : kCcgInputs)
    if (by_year[static_cast<std::size_t>(&in - kCcgInputs.data())])
      out += "# " + std::string(in.column) +
             ": the scenario's [year.LABEL] tables change its [plan] default by year, so the "
             "cells that take it are blank\n";
  std::string header;
  for (const IdentityColumn& c : kIdentity)
    header.append(header.empty() ? "" : ",").append(c.name);
  for (const CcgInputInfo& in : kCcgInputs)
    header.append(",").append(in.column).append(",").append(in.basis_column);
  out += header + "\n";
  for (const CcgRecord& c : ccgs)
    write_row(c, scenario.plan, by_year, out);
  return out;
}

PlanColumns plan_defaults_by_year(const std::vector<Scenario>& years) {
  PlanColumns by_year{};
  for (const Scenario& year : years)
    for (int k = 0; k < kNumCcgInputs; ++k)
      if (kCcgInputs[static_cast<std::size_t>(k)].plan_default)
        by_year[static_cast<std::size_t>(k)] =
            by_year[static_cast<std::size_t>(k)] ||
            plan_default(year.plan, k) != plan_default(years.front().plan, k);
  return by_year;
}

}  // namespace ccgrisk
