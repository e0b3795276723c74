// The tc-flower offload backend: OffloadBackend over TcEngine. A HwRule
// becomes one flower filter on its port's ingress (chain = table, preference
// from the priority, handle from the owner cookie), skip_sw / skip_hw from
// its residency. Read-back takes hardware residency from each filter's
// in_hw flag — not from OVS's "offloaded" count, which counts filters the
// NIC refused too.
#pragma once

#include <memory>

#include "offload/backend.h"
#include "offload/tc/tc_engine.h"

namespace snoc::offload::tc {

class TcBackend final : public OffloadBackend {
public:
    // Opens the rtnetlink socket; `meters` give police rates for meter actions.
    static Status open(std::unique_ptr<TcBackend>& out, std::map<uint32_t, MeterRate> meters = {});

    Backend kind() const override { return Backend::TcFlower; }
    HwSyncReport sync(const std::vector<HwRule>& desired, const std::vector<std::string>& ports) override;
    Status read(const std::vector<std::string>& ports, std::vector<HwRuleState>& out) override;
    std::string render(const HwRule& rule) const override;

    TcEngine& engine() { return *engine_; }

private:
    std::unique_ptr<TcEngine> engine_;
};

// The translation both ways (exposed for tests).
TcRule to_tc_rule(const HwRule& rule);
HwRuleState from_tc_state(const TcRuleState& state);
// handle_for() folds a 64-bit cookie into 32 bits, so two cookies can share a
// handle; on one device, chain and preference that would make the second
// rule clash with the first. Within each such group the lowest cookie keeps
// its handle and the others take the next free ones: deterministic for a
// given rule set, so a re-sync of the same set changes nothing.
void assign_unique_handles(std::vector<TcRule>& rules);

}  // namespace snoc::offload::tc
