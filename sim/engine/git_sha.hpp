// The commit this build was made from, stamped into results files and
// checkpoints ("unknown" outside a git checkout).
#pragma once

namespace ccgrisk {

extern const char* const kGitSha;

}  // namespace ccgrisk
