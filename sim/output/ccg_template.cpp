#include "output/ccg_template.hpp"

#include <array>
#include <charconv>
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

// The shortest text that reads back as exactly `x`.
std::string number_text(double x) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  return ec == std::errc{} ? std::string(buf, end) : std::string();
}

// A CSV field, quoted when it holds a comma, quote or line break, or starts
// with '#' (which would make a first field read as a comment line).
std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos && !s.starts_with('#'))
    return std::string(s);
  std::string q = "\"";
  for (char c : s)
    q.append(c == '"' ? "\"\"" : std::string(1, c));
  return q + "\"";
}

std::string padded(std::string_view s, std::size_t width) {
  std::string out(s);
  if (out.size() < width) out.append(width - out.size(), ' ');
  return out + " ";
}

// The value CCG `c` uses for input k (blank plan cells: the [plan]
// default); nothing for a population not given.
std::optional<double> value_of(const CcgRecord& c, int k, const PlanDefaults& d) {
  switch (k) {
    case kInputAllocation:
      return c.allocation_k;
    case kInputPopulation:
      return c.basis[k] == kBasisNotGiven ? std::nullopt : std::optional<double>(c.population);
    case kInputPlannedSurplus:
      return c.plan.planned_surplus_pct.value_or(d.surplus_pct);
    case kInputContingency:
      return c.plan.contingency_pct.value_or(d.contingency_pct);
    case kInputNonrecurrent:
      return c.plan.nonrecurrent_pct.value_or(d.nonrecurrent_pct);
    case kInputCip:
      return c.plan.cip_pct.value_or(d.cip_pct);
    case kInputSpecTransfer:
      return c.plan.spec_transfer_pct.value_or(d.spec_transfer_pct);
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

void write_row(const CcgRecord& c, const PlanDefaults& d, std::string& out) {
  for (const std::string* field : {&c.code, &c.name, &c.area_team_code, &c.area_team, &c.region})
    out.append(field == &c.code ? "" : ",").append(csv_field(*field));
  for (int k = 0; k < kNumCcgInputs; ++k) {
    const std::optional<double> v = value_of(c, k, d);
    out.append(",").append(v ? number_text(*v) : std::string());
    out.append(",").append(v ? csv_field(c.basis[k]) : std::string());
  }
  out.append("\n");
}

}  // namespace

std::string ccg_template_csv(const Scenario& scenario, const std::vector<CcgRecord>& ccgs,
                             std::string_view made_by) {
  std::string out;
  write_comments(scenario, made_by, out);
  std::string header;
  for (const IdentityColumn& c : kIdentity)
    header.append(header.empty() ? "" : ",").append(c.name);
  for (const CcgInputInfo& in : kCcgInputs)
    header.append(",").append(in.column).append(",").append(in.basis_column);
  out += header + "\n";
  for (const CcgRecord& c : ccgs)
    write_row(c, scenario.plan, out);
  return out;
}

}  // namespace ccgrisk
