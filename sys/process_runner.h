// Runs a program with an argv (never through a shell: flow text and port
// names must not be interpreted), feeding it stdin and capturing stdout and
// stderr, with a timeout. Used for ovs-ofctl, whose bundle commands are the
// only supported way to program flows atomically without linking OVS.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "offload/status.h"

namespace snoc::sys {

struct ProcessResult {
    int exit_code = -1;   // when the process exited normally
    int term_signal = 0;  // when a signal ended it
    std::string out;
    std::string err;
    bool succeeded() const { return term_signal == 0 && exit_code == 0; }
    // "exited with status 1" / "was killed by signal 9", for messages.
    std::string describe() const;
};

// Fails only when the program could not be started or ran past `timeout`
// (it is then killed); a non-zero exit is reported in `result`.
offload::Status run_process(const std::vector<std::string>& argv, std::string_view input, ProcessResult& result,
                            std::chrono::milliseconds timeout);

// The argv as one line, for messages and logs: each argument a shell word
// (shell_word.h), so the line pastes into a shell as exactly this argv.
std::string describe_argv(const std::vector<std::string>& argv);

}  // namespace snoc::sys
