// What the fuzz targets share: a small CCG table that the shipped baseline
// scenario runs against, and a short run of the engine.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>

#include "engine/run.hpp"
#include "input/ccg_table.hpp"
#include "input/scenario.hpp"

namespace ccgrisk::fuzz {

// The shipped scenario folder: scenario paths given to the parser point
// into it, so a relative [data] ccgs such as the baseline's
// "data/ccg_2013_14.csv" names an existing file.
inline constexpr std::string_view kScenarioFolder = CCGRISK_SOURCE_DIR "/scenarios";

// 15 CCGs of scenarios/data/ccg_2013_14.csv: every CCG the baseline names
// (the Staffordshire pool, the planned deficits) and every region it
// shifts, so the baseline and its mutations get past build_model.
inline constexpr std::string_view kSmallTable =
    R"(ods_code,name,area_team_code,area_team,region,population,allocation_2013_14_k,target_distance_pct
01C,NHS Eastern Cheshire CCG,Q44,"Cheshire, Warrington and Wirral",North,202256,219307,-7.58
04Y,NHS Cannock Chase CCG,Q60,Shropshire and Staffordshire,Midlands and East,132504,149336,
05D,NHS East Staffordshire CCG,Q60,Shropshire and Staffordshire,Midlands and East,135457,152664,
05G,NHS North Staffordshire CCG,Q60,Shropshire and Staffordshire,Midlands and East,213465,240582,
05Q,NHS South East Staffs and Seisdon and Peninsular CCG,Q60,Shropshire and Staffordshire,Midlands and East,212199,239155,
05V,NHS Stafford and Surrounds CCG,Q60,Shropshire and Staffordshire,Midlands and East,144965,163380,
05W,NHS Stoke on Trent CCG,Q60,Shropshire and Staffordshire,Midlands and East,280422,316044,
07L,NHS Barking & Dagenham CCG,Q61,North Central and East London,London,205142,231201,
07X,NHS Enfield CCG,Q61,North Central and East London,London,311013,350521,
08F,NHS Havering CCG,Q61,North Central and East London,London,257334,290023,
08N,NHS Redbridge CCG,Q61,North Central and East London,London,289979,326815,
07V,NHS Croydon CCG,Q63,South London,London,386710,435834,
11N,NHS Kernow CCG,Q66,"Devon, Cornwall and Isles of Scilly",South,558282,629201,
99P,"NHS North, East, West Devon CCG",Q66,"Devon, Cornwall and Isles of Scilly",South,902287,1016906,
10L,NHS Isle of Wight CCG,Q70,Wessex,South,141251,159194,
)";

// kSmallTable, parsed once.
inline const CcgTable& small_table() {
  static const CcgTable table = parse_ccg_table(kSmallTable, "fuzz-small.csv");
  return table;
}

// Runs `scenario` on one thread with at most `max_trials` trials (and
// rounds): the point is to push every parsed number through the model and
// the statistics, not precision; the caps keep one input to milliseconds.
inline void run_briefly(Scenario scenario, const CcgTable& table, std::int64_t max_trials) {
  scenario.run.trials = std::min(scenario.run.trials, max_trials);
  scenario.run.max_trials = std::min(scenario.run.max_trials, max_trials);
  if (scenario.horizon.years > 1) {
    run_horizon(scenario, table, RunOptions{1});  // every year, and the outcomes across years
  } else {
    run_scenario(scenario, table, RunOptions{1});
  }
}

}  // namespace ccgrisk::fuzz
