// A run's checkpoint (`ccgrisk run --checkpoint FILE`): the job's exact
// tallies so far and the position reached, as a small sealed HDF5 file of
// its own (file_type "ccgrisk-checkpoint", schema 1.0), written atomically.
// docs/scale-out.md describes it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/run.hpp"
#include "input/ccg_table.hpp"
#include "input/scenario.hpp"

namespace ccgrisk {

inline constexpr int kCheckpointSchemaMajor = 1;
inline constexpr int kCheckpointSchemaMinor = 0;

// What a checkpoint belongs to: a resumed run must match it in every field.
struct CheckpointIdentity {
  std::string tool_version;     // ccgrisk's version
  std::string git_sha;          // and the commit it was built from
  std::string scenario_sha256;  // SHA-256 of the effective scenario (file + overrides)
  std::string ccg_table_sha256;
  std::uint64_t seed = 0;
  std::string rng;  // run.rng's name
  std::int64_t trials = 0;
  std::int64_t max_trials = 0;  // with run.target_se
  double target_se = 0.0;
};

// The identity of a run of `scenario` with `table` by this ccgrisk.
CheckpointIdentity checkpoint_identity(const Scenario& scenario, const CcgTable& table);

struct Checkpoint {
  CheckpointIdentity identity;
  RunState state;
  std::string created_utc;
};

// Writes `checkpoint` to `path` atomically (output/file_output.hpp; on the
// output rank only). Throws OutputError.
void write_checkpoint(const Checkpoint& checkpoint, const std::filesystem::path& path);

// Reads a checkpoint; InputError (naming the file) when it is missing, not
// a ccgrisk checkpoint, of another schema, or not as written (its seal).
Checkpoint read_checkpoint(const std::filesystem::path& path);

// "" when a run with identity `now` may resume `saved`; else what differs,
// e.g. "the seed differs (checkpoint: 1, this run: 2)". The fields are
// compared in the order version, seed, streams, trials, CCG table,
// scenario, and the first that differs is named.
std::string identity_difference(const CheckpointIdentity& saved, const CheckpointIdentity& now);

}  // namespace ccgrisk
