#include "offload/emulated/emulated_provider.h"

namespace snoc::offload::emulated {

namespace {

// The table entry depends on the ifindexes of the NIC's ports, known once it
// is up: the plan shows the rule, the running backend renders the entry.
Rendering render(const HwRule& rule, const RenderContext&) {
    return {"emulated eSwitch rule for traffic from " + rule.port, ""};
}

}  // namespace

BackendProvider emulated_provider() {
    return {.kind = Backend::Emulated,
            .opening = Opening::ByNic,
            .bytes = ByteCounting::WholeFrames,
            .dump_marks = {},
            .open = {},
            .check = {},
            .render = render};
}

}  // namespace snoc::offload::emulated
