#include "controller/nic/ethtool_features.h"

#include <linux/ethtool_netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <cerrno>

#include "controller/nic/ethtool_bitset.h"
#include "netlink/attr_policy.h"

namespace snoc::nic {
namespace {

using offload::Status;
using netlink::NlMsgPtr;

const netlink::AttrPolicy kFeaturesPolicy{"ethtool features message",
                                          {
                                              netlink::nested_attr(SNOC_NLA(ETHTOOL_A_FEATURES_HEADER)),
                                              netlink::nested_attr(SNOC_NLA(ETHTOOL_A_FEATURES_HW)),
                                              netlink::nested_attr(SNOC_NLA(ETHTOOL_A_FEATURES_WANTED)),
                                              netlink::nested_attr(SNOC_NLA(ETHTOOL_A_FEATURES_ACTIVE)),
                                              netlink::nested_attr(SNOC_NLA(ETHTOOL_A_FEATURES_NOCHANGE)),
                                          }};

Status parse_top(const nlmsghdr* reply, std::span<nlattr*> tb) {
    Status s = netlink::parse_genl(tb, kFeaturesPolicy, const_cast<nlmsghdr*>(reply));
    if (!s.ok()) s.error = EPROTO;
    return s;
}

}  // namespace

Status parse_features_reply(const nlmsghdr* reply, std::string_view feature, FeatureState& out) {
    nlattr* tb[ETHTOOL_A_FEATURES_MAX + 1] = {};
    if (auto s = parse_top(reply, tb); !s.ok()) return s;
    Bitset hw, wanted, active;
    std::string error;
    if (!parse_bitset(tb[ETHTOOL_A_FEATURES_HW], hw, error) || !parse_bitset(tb[ETHTOOL_A_FEATURES_WANTED], wanted, error) ||
        !parse_bitset(tb[ETHTOOL_A_FEATURES_ACTIVE], active, error)) {
        return Status::failure(EPROTO, "ethtool features reply: " + error);
    }
    out.changeable = hw.bit(feature).value_or(false);
    out.wanted = wanted.bit(feature).value_or(false);
    out.active = active.bit(feature).value_or(false);
    return Status::success();
}

Status check_set_reply(const nlmsghdr* reply, std::string_view feature) {
    nlattr* tb[ETHTOOL_A_FEATURES_MAX + 1] = {};
    if (auto s = parse_top(reply, tb); !s.ok()) return s;
    if (!tb[ETHTOOL_A_FEATURES_WANTED]) return Status::success();
    Bitset diff;
    std::string error;
    if (!parse_bitset(tb[ETHTOOL_A_FEATURES_WANTED], diff, error)) return Status::failure(EPROTO, error);
    // The kernel sends WANTED as a change: the bits that differ from what is now
    // active, with the value that was asked for.
    if (auto asked = diff.bit(feature)) {
        return Status::failure(EOPNOTSUPP, std::string(feature) + " stays " + (*asked ? "off" : "on") +
                                               ": the driver did not apply the change (see dmesg)");
    }
    return Status::success();
}

Status Ethtool::open(std::unique_ptr<Ethtool>& out) {
    std::unique_ptr<Ethtool> e(new Ethtool());
    Status s = netlink::GenlFamily::open(ETHTOOL_GENL_NAME, ETHTOOL_GENL_VERSION, e->family_);
    if (s.error == ENOENT) s.reason += " (Linux 5.6+, CONFIG_ETHTOOL_NETLINK)";
    if (!s.ok()) return s;
    out = std::move(e);
    return Status::success();
}

namespace {

// A request about one netdev: the family's header and ETHTOOL_A_FEATURES_HEADER.
Status request(const netlink::GenlFamily& family, uint8_t cmd, int ifindex, NlMsgPtr& out) {
    if (auto s = family.request(cmd, 0, out); !s.ok()) return s;
    nlattr* header = nullptr;
    if (!(header = nla_nest_start(out.get(), ETHTOOL_A_FEATURES_HEADER)) ||
        nla_put_u32(out.get(), ETHTOOL_A_HEADER_DEV_INDEX, static_cast<uint32_t>(ifindex)) < 0) {
        return Status::failure(EMSGSIZE, "message full");
    }
    // No ETHTOOL_FLAG_COMPACT_BITSETS: verbose bitsets carry the feature names.
    nla_nest_end(out.get(), header);
    return Status::success();
}

}  // namespace

Status Ethtool::feature(int ifindex, std::string_view name, FeatureState& out) {
    NlMsgPtr m;
    if (auto s = request(*family_, ETHTOOL_MSG_FEATURES_GET, ifindex, m); !s.ok()) return s;
    Status parsed = Status::failure(ENODATA, "no ethtool features reply");
    Status s = family_->socket().dump(std::move(m), [&](nlmsghdr* h) { parsed = parse_features_reply(h, name, out); });
    if (s.ok()) s = parsed;
    if (!s.ok()) s.reason = "ethtool -k ifindex " + std::to_string(ifindex) + ": " + s.reason;
    return s;
}

Status Ethtool::set_feature(int ifindex, const std::string& netdev, std::string_view name, bool on) {
    const std::string cmd = "ethtool -K " + netdev + " " + std::string(name) + (on ? " on" : " off");
    FeatureState now;
    if (auto s = feature(ifindex, name, now); !s.ok()) return s;
    // The kernel silently ignores a request for a feature outside the driver's
    // changeable set; say so instead of reporting success.
    if (!now.changeable && now.active != on) {
        return Status::failure(EOPNOTSUPP, cmd + ": " + std::string(name) + " is fixed " + (now.active ? "on" : "off") +
                                               " by the driver of " + netdev + " (ethtool -k shows [fixed])");
    }
    NlMsgPtr m;
    if (auto s = request(*family_, ETHTOOL_MSG_FEATURES_SET, ifindex, m); !s.ok()) return s;
    if (!put_bitset_by_name(m.get(), ETHTOOL_A_FEATURES_WANTED, {{std::string(name), on}})) {
        return Status::failure(EMSGSIZE, "message full");
    }
    Status checked = Status::success();
    Status s = family_->socket().dump(std::move(m), [&](nlmsghdr* h) { checked = check_set_reply(h, name); });
    if (s.ok()) s = checked;
    if (!s.ok()) s.reason = cmd + ": " + s.reason;
    return s;
}

}  // namespace snoc::nic
