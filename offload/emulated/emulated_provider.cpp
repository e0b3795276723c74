#include "offload/emulated/emulated_provider.h"

namespace snoc::offload::emulated {

BackendProvider emulated_provider() {
    BackendProvider p;
    p.kind = Backend::Emulated;
    p.opening = Opening::ByNic;
    p.bytes = ByteCounting::WholeFrames;
    // The table entry depends on the ifindexes of the NIC's ports, known once
    // it is up: the plan shows the rule, the running backend renders it.
    p.render = [](const HwRule& rule, const RenderContext&) {
        return Rendering{"emulated eSwitch rule for traffic from " + rule.port, ""};
    };
    return p;
}

}  // namespace snoc::offload::emulated
