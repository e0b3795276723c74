// Netdev features over ethtool netlink (generic netlink family "ethtool",
// ETHTOOL_MSG_FEATURES_GET / _SET): what `ethtool -k` shows and `ethtool -K`
// changes, without running ethtool. snoc uses it for hw-tc-offload on the PF
// and its representors (tc-flower rules reach hardware only with it on).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "netlink/genl_family.h"
#include "offload/status.h"

struct nlmsghdr;

namespace snoc::nic {

// One feature of one netdev, as FEATURES_GET reports it.
struct FeatureState {
    bool changeable = false;  // in ETHTOOL_A_FEATURES_HW: the driver lets it change ("[fixed]" otherwise)
    bool wanted = false;      // what was last asked for
    bool active = false;      // what is in effect
};

// Reads `feature` from a FEATURES_GET reply (either bitset form).
offload::Status parse_features_reply(const nlmsghdr* reply, std::string_view feature, FeatureState& out);
// Checks a FEATURES_SET reply: the kernel lists, in WANTED, the requested bits
// that did not take effect. Fails (naming the feature) when `feature` is among them.
offload::Status check_set_reply(const nlmsghdr* reply, std::string_view feature);

class Ethtool {
public:
    // Fails with a clear reason when the kernel has no ethtool netlink (before 5.6).
    static offload::Status open(std::unique_ptr<Ethtool>& out);

    offload::Status feature(int ifindex, std::string_view name, FeatureState& out);
    // `netdev` is for messages only. Fails when the driver keeps the old value.
    offload::Status set_feature(int ifindex, const std::string& netdev, std::string_view name, bool on);

private:
    Ethtool() = default;
    std::unique_ptr<netlink::GenlFamily> family_;
};

}  // namespace snoc::nic
