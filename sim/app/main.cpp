// ccgrisk: Monte Carlo risk of NHS commissioners ending the year in the red.
// A thin front end: everything happens in the ccgrisk_sim library.
#include "app/commands.hpp"

int main(int argc, char** argv) {
  return ccgrisk::run_command_line(argc, argv);
}
