// ccgrisk summary RESULTS.h5: the run's summary again, from any results file.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>

#include "app/commands.hpp"
#include "app/summary.hpp"
#include "output/results_reader.hpp"

namespace ccgrisk {

Command add_summary_command(CLI::App& app) {
  auto path = std::make_shared<std::filesystem::path>();
  CLI::App* cmd =
      app.add_subcommand("summary", "Print the summary of a run from its results file (HDF5)");
  cmd->add_option("results", *path, "Results file written by ccgrisk run")->required();
  return {cmd, [path] {
            print_summary(read_results_file(*path), std::cout);
            return kExitOk;
          }};
}

}  // namespace ccgrisk
