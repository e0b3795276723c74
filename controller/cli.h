// The `snoc` command line. run_cli() is the whole program minus process
// set-up, so tests drive it with argument lists and capture its output.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace snoc {

// Exit codes, documented in `snoc --help` and docs/cli.md.
enum ExitCode : int {
    kExitOk = 0,
    kExitInvalidInput = 1,  // the spec or a profile has errors; nothing was done
    kExitUsage = 2,         // bad command line
    kExitApplyFailed = 3,   // a step failed; the report says what is done and what is not
    kExitInternal = 4,      // a bug: please report it
    kExitNoDaemon = 5,      // status / flows: no snoc daemon answers at the address (nothing listens, or not snoc)
    kExitBusy = 6,          // apply / down / run: another snoc holds the run lock (it is named); nothing was done
};

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace snoc
