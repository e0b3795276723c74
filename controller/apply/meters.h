// OpenFlow meters for the policy's meter:N actions, through ovs-ofctl
// (OpenFlow 1.3 meter mods): add the missing, modify the different, leave
// the rest. Flows that use a meter need it to exist first, so apply runs
// this before the policy flows.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "offload/status.h"

namespace snoc::apply {

struct Change;

// The tokens of a meter spec or of a dump-meters entry, order-free:
// "meter=1,kbps,burst,bands=type=drop,rate=100,burst_size=10" and
// "meter=1 kbps burst bands=\ntype=drop rate=100 burst_size=10" agree.
std::map<uint32_t, std::vector<std::string>> parse_meters(const std::string& text);

// `desired` in ovs-ofctl syntax (plan::OvsState::meters); `target` as for ovs-ofctl.
// `have_none`: the bridge has no meters to read (a dry run for a bridge apply
// would create): every meter is added and ovs-ofctl is not run.
offload::Status sync_meters(const std::string& target, const std::vector<std::string>& desired, bool dry_run,
                            std::vector<Change>& changes, bool have_none = false);

}  // namespace snoc::apply
