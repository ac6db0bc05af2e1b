// The CCG table: one row per clinical commissioning group (MODEL.md "Inputs").
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "input/input_basis.hpp"

namespace ccgrisk {

// Per-CCG overrides of the scenario's [plan] defaults; empty = use the default.
struct PlanOverrides {
  std::optional<double> planned_surplus_pct;
  std::optional<double> contingency_pct;
  std::optional<double> nonrecurrent_pct;
  std::optional<double> cip_pct;
  std::optional<double> spec_transfer_pct;
};

struct CcgRecord {
  std::string code;  // ODS code, e.g. "05Q"; unique in the table
  std::string name;
  std::string area_team_code;        // e.g. "Q44"
  std::string area_team;             // area team name
  std::string region;                // "North", "Midlands and East", "London", "South"
  double allocation_k = 0.0;         // A_i, 2013-14 allocation, GBP thousands (> 0)
  double population = 0.0;           // registered population; 0 when the column is absent
  double target_distance_pct = 0.0;  // distance from fair-shares target; blank = 0
  double transfer_mismatch_k = 0.0;  // known specialised-transfer mismatch, GBP k; blank = 0
  PlanOverrides plan;
  // Where each input's value came from, by CcgInput: the table's basis cell
  // (e.g. "estimated from population"), "table" for a value without one, and
  // empty for a blank cell until the scenario resolves it
  // (model/model.hpp resolve_ccgs).
  std::array<std::string, kNumCcgInputs> basis;
  int line = 0;  // 1-based line in the CSV file, for messages
};

struct CcgTable {
  std::filesystem::path path;
  std::string sha256;  // hex SHA-256 of the file's bytes (provenance)
  std::vector<CcgRecord> rows;
};

// Reads and validates the CSV (RFC 4180 quoting, header row required; lines
// starting with '#' are comments, csv.hpp). Required columns: ods_code,
// name, area_team_code, area_team, region, allocation_2013_14_k. Optional:
// population, target_distance_pct, transfer_mismatch_k, the plan override
// columns, and for each input its basis column (input_basis.hpp: e.g.
// allocation_basis, cip_pct_basis), text of at most limits::kMaxBasisBytes;
// any other column is ignored. Throws InputError
// naming file:line, column and value for: a missing required column, a row
// with the wrong number of fields, an unparsable or out-of-range number
// (allocation must be > 0, percentages finite and within [-100, 100], the
// mismatch within +-limits::kMaxTransferMismatchK), a basis cell that is not
// printable text,
// an empty code/name/region/area team, a duplicate ods_code, an area team
// code mapped to two different regions or names, or no rows at all.
CcgTable read_ccg_table(const std::filesystem::path& path);

// As read_ccg_table, from the file's bytes already in memory; `path` names
// the file in messages and in the table.
CcgTable parse_ccg_table(std::string_view bytes, const std::filesystem::path& path);

}  // namespace ccgrisk
