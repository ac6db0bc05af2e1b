// The shipped 2013-14 baseline, compiled once per variant, for benchmarks
// that need a realistic model (211 CCGs, 7 regions... as in the scenario).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/common.hpp"
#include "engine/accumulator.hpp"
#include "model/model.hpp"
#include "model/trial.hpp"

namespace ccgrisk::bench {

struct Baseline {
  Inputs inputs;
  Model model;
  StatsLayout layout;
};

// scenarios/baseline-2013-14.toml with `overrides` ("KEY=VALUE", as --set),
// built on first use and kept for the whole benchmark run.
const Baseline& baseline(const std::vector<std::string>& overrides = {});

// The baseline's run seed.
inline constexpr std::uint64_t kSeed = 20130401;

// Outcomes of trials [0, count) of `b`, one TrialState each.
std::vector<TrialState> simulated_trials(const Baseline& b, int count);

}  // namespace ccgrisk::bench
