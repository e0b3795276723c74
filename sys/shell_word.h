// One argument as a POSIX shell reads it back unchanged: left as it is when
// every character is one no shell treats specially, else in single quotes
// (a quote inside written '\''). snoc never runs a shell, but it prints
// the commands an operator would type ("by hand" steps, plans, logs), and
// a name from a spec or the system ("eth0;reboot", "$(id)") must paste as
// a name, never as code.
#pragma once

#include <string>
#include <string_view>

namespace snoc::sys {

std::string shell_word(std::string_view arg);

}  // namespace snoc::sys
