#include "output/checkpoint_file.hpp"

#include <array>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "engine/git_sha.hpp"
#include "input/error.hpp"
#include "input/input_file.hpp"
#include "input/sha256.hpp"
#include "input/text.hpp"
#include "model/random.hpp"
#include "output/file_output.hpp"
#include "output/hdf5.hpp"
#include "output/seal.hpp"

namespace ccgrisk {

namespace {

namespace fs = std::filesystem;

constexpr const char* kFileType = "ccgrisk-checkpoint";
// The tallies of the largest table accepted fit easily (about 6 MB for 211 CCGs).
constexpr std::size_t kMaxCheckpointBytes = std::size_t{1} << 31;

std::vector<std::int64_t> as_signed(const std::vector<std::uint64_t>& words) {
  std::vector<std::int64_t> out(words.size());
  std::memcpy(out.data(), words.data(), words.size() * sizeof(std::uint64_t));
  return out;
}

std::vector<std::uint64_t> as_unsigned(const std::vector<std::int64_t>& words) {
  std::vector<std::uint64_t> out(words.size());
  std::memcpy(out.data(), words.data(), words.size() * sizeof(std::uint64_t));
  return out;
}

template <class T>
T scalar_attribute(const h5::Handle& file, const char* name) {
  const std::vector<T> v = h5::read_attribute<T>(file, name);
  if (v.size() != 1)
    throw std::runtime_error(std::string("attribute ") + name + " is not a scalar");
  return v.front();
}

// The passes of /tallies, as /tally_words, /pass_points and /pass_identity
// divide them (the last is the pass in progress).
void read_passes(const h5::File& file, const std::string& who, RunState& state) {
  const std::vector<std::uint64_t> flat =
      as_unsigned(h5::read_dataset<std::int64_t>(file, "tallies").values);
  const std::vector<std::int64_t> words =
      h5::read_dataset<std::int64_t>(file, "tally_words").values;
  const std::vector<std::int64_t> points =
      h5::read_dataset<std::int64_t>(file, "pass_points").values;
  const std::vector<std::int64_t> ids =
      h5::read_dataset<std::int64_t>(file, "pass_identity").values;
  const auto bad = [&](const char* why) {
    return InputError(who + ": not a readable checkpoint (" + why + ")");
  };
  if (points.empty() || ids.size() != points.size()) throw bad("no passes");
  std::size_t w = 0, at = 0;
  for (std::size_t k = 0; k < points.size(); ++k) {
    PassState pass;
    pass.identity = static_cast<std::uint64_t>(ids[k]);
    if (points[k] < 0 || static_cast<std::size_t>(points[k]) > words.size() - w)
      throw bad("more points than tallies");
    for (std::int64_t p = 0; p < points[k]; ++p, ++w) {
      if (words[w] < 0 || static_cast<std::size_t>(words[w]) > flat.size() - at)
        throw bad("tallies longer than the file holds");
      pass.tallies.emplace_back(flat.begin() + static_cast<std::ptrdiff_t>(at),
                                flat.begin() + static_cast<std::ptrdiff_t>(at + words[w]));
      at += static_cast<std::size_t>(words[w]);
    }
    (k + 1 == points.size() ? state.current : state.finished.emplace_back()) = std::move(pass);
  }
  if (w != words.size() || at != flat.size()) throw bad("tallies left over");
}

}  // namespace

CheckpointIdentity checkpoint_identity(const Scenario& scenario, const CcgTable& table) {
  CheckpointIdentity id;
  id.tool_version = CCGRISK_VERSION;
  id.git_sha = kGitSha;
  id.scenario_sha256 = sha256_hex(scenario.effective_toml);
  id.ccg_table_sha256 = table.sha256;
  id.seed = scenario.run.seed;
  id.rng = rng_name(scenario.run.rng);
  id.trials = scenario.run.trials;
  id.max_trials = scenario.run.max_trials;
  id.target_se = scenario.run.target_se;
  return id;
}

void write_checkpoint(const Checkpoint& c, const fs::path& path) {
  h5::File file = h5::File::create_in_memory(path.string(), kSealBytes);
  const std::array<std::int32_t, 2> schema{kCheckpointSchemaMajor, kCheckpointSchemaMinor};
  const CheckpointIdentity& id = c.identity;
  h5::write_attribute(file, "file_type", kFileType);
  h5::write_attribute(file, "schema_version", schema);
  h5::write_attribute(file, "tool_version", id.tool_version);
  h5::write_attribute(file, "git_sha", id.git_sha);
  h5::write_attribute(file, "scenario_sha256", id.scenario_sha256);
  h5::write_attribute(file, "ccg_table_sha256", id.ccg_table_sha256);
  h5::write_attribute(file, "seed", id.seed);
  h5::write_attribute(file, "rng", id.rng);
  h5::write_attribute(file, "trials", id.trials);
  h5::write_attribute(file, "max_trials", id.max_trials);
  h5::write_attribute(file, "target_se", id.target_se);
  h5::write_attribute(file, "trials_done", c.state.done);
  h5::write_attribute(file, "round_end", c.state.round_end);
  h5::write_attribute(file, "passes_finished", static_cast<std::int64_t>(c.state.finished.size()));
  h5::write_attribute(file, "created_utc", c.created_utc.empty() ? utc_now() : c.created_utc);
  // Every pass's tallies, point by point, the pass in progress last.
  std::vector<std::uint64_t> flat;
  std::vector<std::int64_t> words, points, identities;
  auto add_pass = [&](const PassState& pass) {
    points.push_back(static_cast<std::int64_t>(pass.tallies.size()));
    identities.push_back(static_cast<std::int64_t>(pass.identity));
    for (const std::vector<std::uint64_t>& t : pass.tallies) {
      words.push_back(static_cast<std::int64_t>(t.size()));
      flat.insert(flat.end(), t.begin(), t.end());
    }
  };
  for (const PassState& pass : c.state.finished)
    add_pass(pass);
  add_pass(c.state.current);
  const std::vector<std::int64_t> tallies = as_signed(flat);
  h5::write_dataset(file, "tallies", tallies, {tallies.size()}, "1",
                    "the exact tallies of every point of every pass (serialized, "
                    "engine/accumulator.hpp; format in word 1 of each), one after the other: "
                    "the finished passes', then those of trials [0, trials_done) of the pass in "
                    "progress; uint64 words stored as int64");
  h5::write_dataset(file, "tally_words", words, {words.size()}, "count",
                    "the length of each point's tallies in /tallies, in order");
  h5::write_dataset(file, "pass_points", points, {points.size()}, "count",
                    "the points of each pass: the finished ones, then the pass in progress");
  h5::write_dataset(file, "pass_identity", identities, {identities.size()}, "1",
                    "a hash of what each pass computes (its points' scenarios, tallies, seed "
                    "and trials), uint64 stored as int64");
  std::vector<unsigned char> image = file.image();
  file.close();
  seal_image(image);
  write_file_atomically(path,
                        std::string_view(reinterpret_cast<const char*>(image.data()), image.size()),
                        false);  // not the run's output: a signal after it still means no results
}

Checkpoint read_checkpoint(const fs::path& path) {
  const std::string bytes = read_input_file(path, "checkpoint", kMaxCheckpointBytes);
  const auto image = std::span(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  const std::string who = "checkpoint " + quoted(path);
  // HDF5 parses only bytes ccgrisk wrote (output/seal.hpp).
  switch (check_seal(image)) {
    case SealState::kValid:
      break;
    case SealState::kNone:
      throw InputError(who + ": not a ccgrisk checkpoint (no seal)");
    case SealState::kBroken:
      throw InputError(who +
                       ": changed or cut short since ccgrisk wrote it (its SHA-256 does not "
                       "match); resume from another checkpoint or start again");
  }
  Checkpoint c;
  try {
    const h5::File file = h5::File::open_image(image, path.string());
    if (!h5::has_attribute(file, "file_type") ||
        h5::read_string_attribute(file, "file_type") != kFileType)
      throw InputError(who + ": not a ccgrisk checkpoint (file_type is not '" + kFileType + "')");
    const std::vector<std::int32_t> schema =
        h5::read_attribute<std::int32_t>(file, "schema_version");
    if (schema.size() != 2 || schema[0] != kCheckpointSchemaMajor)
      throw InputError(who + ": checkpoint schema " +
                       (schema.empty() ? std::string("?") : std::to_string(schema[0])) +
                       ".x; this ccgrisk reads " + std::to_string(kCheckpointSchemaMajor) + ".x");
    CheckpointIdentity& id = c.identity;
    id.tool_version = h5::read_string_attribute(file, "tool_version");
    id.git_sha = h5::read_string_attribute(file, "git_sha");
    id.scenario_sha256 = h5::read_string_attribute(file, "scenario_sha256");
    id.ccg_table_sha256 = h5::read_string_attribute(file, "ccg_table_sha256");
    id.seed = scalar_attribute<std::uint64_t>(file, "seed");
    id.rng = h5::read_string_attribute(file, "rng");
    id.trials = scalar_attribute<std::int64_t>(file, "trials");
    id.max_trials = scalar_attribute<std::int64_t>(file, "max_trials");
    id.target_se = scalar_attribute<double>(file, "target_se");
    c.state.done = scalar_attribute<std::int64_t>(file, "trials_done");
    c.state.round_end = scalar_attribute<std::int64_t>(file, "round_end");
    c.created_utc = h5::read_string_attribute(file, "created_utc");
    read_passes(file, who, c.state);
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    throw InputError(who + ": cannot read it as a checkpoint (" + e.what() + ")");
  }
  return c;
}

std::string identity_difference(const CheckpointIdentity& saved, const CheckpointIdentity& now) {
  auto differs = [](const std::string& what, const std::string& a, const std::string& b) {
    return what + " differs (checkpoint: " + a + ", this run: " + b + ")";
  };
  if (saved.tool_version != now.tool_version || saved.git_sha != now.git_sha)
    return differs("the ccgrisk version", saved.tool_version + " " + saved.git_sha,
                   now.tool_version + " " + now.git_sha);
  if (saved.seed != now.seed)
    return differs("the seed", std::to_string(saved.seed), std::to_string(now.seed));
  if (saved.rng != now.rng)
    return differs("the random stream family (run.rng)", saved.rng, now.rng);
  if (saved.trials != now.trials)
    return differs("the number of trials", std::to_string(saved.trials),
                   std::to_string(now.trials));
  if (saved.target_se != now.target_se || saved.max_trials != now.max_trials)
    return differs("the precision target (run.target_se, run.max_trials)",
                   number_text(saved.target_se) + ", " + std::to_string(saved.max_trials),
                   number_text(now.target_se) + ", " + std::to_string(now.max_trials));
  if (saved.ccg_table_sha256 != now.ccg_table_sha256)
    return differs("the CCG table", "SHA-256 " + saved.ccg_table_sha256.substr(0, 12),
                   "SHA-256 " + now.ccg_table_sha256.substr(0, 12));
  if (saved.scenario_sha256 != now.scenario_sha256)
    return differs("the scenario", "SHA-256 " + saved.scenario_sha256.substr(0, 12),
                   "SHA-256 " + now.scenario_sha256.substr(0, 12)) +
           "; the SHA-256 is of its text with every --set and option applied";
  return "";
}

}  // namespace ccgrisk
