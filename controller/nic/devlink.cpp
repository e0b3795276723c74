#include "controller/nic/devlink.h"

#include <linux/devlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <cerrno>
#include <cstring>

#include "netlink/attr_policy.h"

namespace snoc::nic {
namespace {

using offload::Status;
using netlink::NlMsgPtr;

constexpr int kMaxAttr = DEVLINK_ATTR_MAX;

// The devlink attributes snoc reads.
const netlink::AttrPolicy kDevlinkPolicy{
    "devlink message",
    {
        netlink::string_attr(SNOC_NLA(DEVLINK_ATTR_BUS_NAME)),
        netlink::string_attr(SNOC_NLA(DEVLINK_ATTR_DEV_NAME)),
        netlink::u16_attr(SNOC_NLA(DEVLINK_ATTR_ESWITCH_MODE)),
        netlink::u8_attr(SNOC_NLA(DEVLINK_ATTR_ESWITCH_INLINE_MODE)),
        netlink::u8_attr(SNOC_NLA(DEVLINK_ATTR_ESWITCH_ENCAP_MODE)),
        netlink::u32_attr(SNOC_NLA(DEVLINK_ATTR_PORT_INDEX)),
        netlink::u16_attr(SNOC_NLA(DEVLINK_ATTR_PORT_FLAVOUR)),
        netlink::u16_attr(SNOC_NLA(DEVLINK_ATTR_PORT_PCI_PF_NUMBER)),
        netlink::u16_attr(SNOC_NLA(DEVLINK_ATTR_PORT_PCI_VF_NUMBER)),
        netlink::string_attr(SNOC_NLA(DEVLINK_ATTR_PORT_NETDEV_NAME)),
        netlink::u32_attr(SNOC_NLA(DEVLINK_ATTR_PORT_NETDEV_IFINDEX)),
        netlink::nested_attr(SNOC_NLA(DEVLINK_ATTR_PORT_FUNCTION)),
    }};

const netlink::AttrPolicy kPortFunctionPolicy{
    "devlink port function",
    {netlink::bytes_attr(SNOC_NLA(DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR), 0)}};

Status put_handle(nl_msg* m, const DevlinkHandle& h) {
    if (nla_put_string(m, DEVLINK_ATTR_BUS_NAME, h.bus.c_str()) < 0 ||
        nla_put_string(m, DEVLINK_ATTR_DEV_NAME, h.device.c_str()) < 0) {
        return Status::failure(EMSGSIZE, "message full");
    }
    return Status::success();
}

bool handle_matches(nlattr* tb[], const DevlinkHandle& h) {
    return tb[DEVLINK_ATTR_BUS_NAME] && tb[DEVLINK_ATTR_DEV_NAME] &&
           h.bus == nla_get_string(tb[DEVLINK_ATTR_BUS_NAME]) && h.device == nla_get_string(tb[DEVLINK_ATTR_DEV_NAME]);
}

PortFlavour flavour_of(uint16_t f) {
    switch (f) {
        case DEVLINK_PORT_FLAVOUR_PHYSICAL: return PortFlavour::Physical;
        case DEVLINK_PORT_FLAVOUR_PCI_PF: return PortFlavour::PciPf;
        case DEVLINK_PORT_FLAVOUR_PCI_VF: return PortFlavour::PciVf;
        case DEVLINK_PORT_FLAVOUR_PCI_SF: return PortFlavour::PciSf;
        default: return PortFlavour::Other;
    }
}

}  // namespace

Status Devlink::open(std::unique_ptr<Devlink>& out) {
    std::unique_ptr<Devlink> d(new Devlink());
    Status s = netlink::GenlFamily::open(DEVLINK_GENL_NAME, DEVLINK_GENL_VERSION, d->family_);
    if (s.error == ENOENT) s.reason += " (CONFIG_NET_DEVLINK)";
    if (!s.ok()) return s;
    out = std::move(d);
    return Status::success();
}

Status Devlink::eswitch(const DevlinkHandle& h, NicState& out) {
    NlMsgPtr m;
    if (auto s = family_->request(DEVLINK_CMD_ESWITCH_GET, 0, m); !s.ok()) return s;
    if (auto s = put_handle(m.get(), h); !s.ok()) return s;
    out.eswitch_mode.reset();
    out.inline_mode.reset();
    out.encap_mode.reset();
    // A GET answers with one message and an ack; dump() collects the message.
    Status parsed = Status::success();
    Status s = family_->socket().dump(std::move(m), [&](nlmsghdr* hdr) {
        nlattr* tb[kMaxAttr + 1] = {};
        if (auto p = netlink::parse_genl(tb, kDevlinkPolicy, hdr); !p.ok()) {
            parsed = p;
            return;
        }
        if (tb[DEVLINK_ATTR_ESWITCH_MODE]) {
            out.eswitch_mode = nla_get_u16(tb[DEVLINK_ATTR_ESWITCH_MODE]) == DEVLINK_ESWITCH_MODE_SWITCHDEV
                                   ? offload::EswitchMode::Switchdev
                                   : offload::EswitchMode::Legacy;
        }
        // DEVLINK_ESWITCH_INLINE_MODE_* (u8) and DEVLINK_ESWITCH_ENCAP_MODE_* (u8) count
        // like snoc's enums; a value past them (a newer kernel) stays unset.
        if (tb[DEVLINK_ATTR_ESWITCH_INLINE_MODE]) {
            const uint8_t v = nla_get_u8(tb[DEVLINK_ATTR_ESWITCH_INLINE_MODE]);
            if (v <= DEVLINK_ESWITCH_INLINE_MODE_TRANSPORT) out.inline_mode = static_cast<offload::InlineMode>(v);
        }
        if (tb[DEVLINK_ATTR_ESWITCH_ENCAP_MODE]) {
            const uint8_t v = nla_get_u8(tb[DEVLINK_ATTR_ESWITCH_ENCAP_MODE]);
            if (v <= DEVLINK_ESWITCH_ENCAP_MODE_BASIC) out.encap_mode = static_cast<offload::EncapMode>(v);
        }
    });
    if (s.ok()) s = parsed;
    if (!s.ok()) s.reason = "devlink dev eswitch show " + h.str() + ": " + s.reason;
    return s;
}

Status Devlink::set_eswitch_mode(const DevlinkHandle& h, offload::EswitchMode mode) {
    NlMsgPtr m;
    if (auto s = family_->request(DEVLINK_CMD_ESWITCH_SET, 0, m); !s.ok()) return s;
    if (auto s = put_handle(m.get(), h); !s.ok()) return s;
    const uint16_t v = mode == offload::EswitchMode::Switchdev ? DEVLINK_ESWITCH_MODE_SWITCHDEV : DEVLINK_ESWITCH_MODE_LEGACY;
    if (nla_put_u16(m.get(), DEVLINK_ATTR_ESWITCH_MODE, v) < 0) return Status::failure(EMSGSIZE, "message full");
    std::vector<NlMsgPtr> batch;
    batch.push_back(std::move(m));
    Status s = family_->socket().transact(batch).front();
    if (!s.ok()) {
        s.reason = "devlink dev eswitch set " + h.str() + " mode " + std::string(to_string(mode)) + ": " + s.reason;
    }
    return s;
}

namespace {

static_assert(DEVLINK_ESWITCH_INLINE_MODE_NONE == 0 && DEVLINK_ESWITCH_INLINE_MODE_LINK == 1 &&
                  DEVLINK_ESWITCH_INLINE_MODE_NETWORK == 2 && DEVLINK_ESWITCH_INLINE_MODE_TRANSPORT == 3,
              "offload::InlineMode follows the uapi numbering");
static_assert(DEVLINK_ESWITCH_ENCAP_MODE_NONE == 0 && DEVLINK_ESWITCH_ENCAP_MODE_BASIC == 1,
              "offload::EncapMode follows the uapi numbering");

}  // namespace

Status Devlink::set_inline_mode(const DevlinkHandle& h, offload::InlineMode mode) {
    NlMsgPtr m;
    if (auto s = family_->request(DEVLINK_CMD_ESWITCH_SET, 0, m); !s.ok()) return s;
    if (auto s = put_handle(m.get(), h); !s.ok()) return s;
    if (nla_put_u8(m.get(), DEVLINK_ATTR_ESWITCH_INLINE_MODE, static_cast<uint8_t>(mode)) < 0) {
        return Status::failure(EMSGSIZE, "message full");
    }
    std::vector<NlMsgPtr> batch;
    batch.push_back(std::move(m));
    Status s = family_->socket().transact(batch).front();
    if (!s.ok()) s.reason = "devlink dev eswitch set " + h.str() + " inline-mode " + std::string(to_string(mode)) + ": " + s.reason;
    return s;
}

Status Devlink::set_encap_mode(const DevlinkHandle& h, offload::EncapMode mode) {
    NlMsgPtr m;
    if (auto s = family_->request(DEVLINK_CMD_ESWITCH_SET, 0, m); !s.ok()) return s;
    if (auto s = put_handle(m.get(), h); !s.ok()) return s;
    if (nla_put_u8(m.get(), DEVLINK_ATTR_ESWITCH_ENCAP_MODE, static_cast<uint8_t>(mode)) < 0) {
        return Status::failure(EMSGSIZE, "message full");
    }
    std::vector<NlMsgPtr> batch;
    batch.push_back(std::move(m));
    Status s = family_->socket().transact(batch).front();
    if (!s.ok()) s.reason = "devlink dev eswitch set " + h.str() + " encap-mode " + std::string(to_string(mode)) + ": " + s.reason;
    return s;
}

Status Devlink::ports(const DevlinkHandle& h, std::vector<DevlinkPort>& out) {
    NlMsgPtr m;
    if (auto s = family_->request(DEVLINK_CMD_PORT_GET, NLM_F_DUMP, m); !s.ok()) return s;
    Status parsed = Status::success();
    Status s = family_->socket().dump(std::move(m), [&](nlmsghdr* hdr) {
        nlattr* tb[kMaxAttr + 1] = {};
        if (auto p = netlink::parse_genl(tb, kDevlinkPolicy, hdr); !p.ok()) {
            if (parsed.ok()) parsed = p;
            return;
        }
        if (!handle_matches(tb, h)) return;
        DevlinkPort p;
        if (tb[DEVLINK_ATTR_PORT_INDEX]) p.index = nla_get_u32(tb[DEVLINK_ATTR_PORT_INDEX]);
        if (tb[DEVLINK_ATTR_PORT_FLAVOUR]) p.flavour = flavour_of(nla_get_u16(tb[DEVLINK_ATTR_PORT_FLAVOUR]));
        if (tb[DEVLINK_ATTR_PORT_PCI_PF_NUMBER]) p.pf = nla_get_u16(tb[DEVLINK_ATTR_PORT_PCI_PF_NUMBER]);
        if (tb[DEVLINK_ATTR_PORT_PCI_VF_NUMBER]) p.vf = nla_get_u16(tb[DEVLINK_ATTR_PORT_PCI_VF_NUMBER]);
        if (tb[DEVLINK_ATTR_PORT_NETDEV_NAME]) p.netdev = nla_get_string(tb[DEVLINK_ATTR_PORT_NETDEV_NAME]);
        if (tb[DEVLINK_ATTR_PORT_NETDEV_IFINDEX]) p.ifindex = static_cast<int>(nla_get_u32(tb[DEVLINK_ATTR_PORT_NETDEV_IFINDEX]));
        if (tb[DEVLINK_ATTR_PORT_FUNCTION]) {
            nlattr* fn[DEVLINK_PORT_FUNCTION_ATTR_MAX + 1] = {};
            if (netlink::parse_nested(fn, kPortFunctionPolicy, tb[DEVLINK_ATTR_PORT_FUNCTION]).ok() &&
                fn[DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR] && nla_len(fn[DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR]) == 6) {
                net::Mac mac;
                std::memcpy(mac.data(), nla_data(fn[DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR]), 6);
                p.function_mac = mac;
            }
        }
        out.push_back(std::move(p));
    });
    if (s.ok()) s = parsed;
    if (!s.ok()) s.reason = "devlink port show " + h.str() + ": " + s.reason;
    return s;
}

Status Devlink::set_port_function_mac(const DevlinkHandle& h, uint32_t port_index, const net::Mac& mac) {
    NlMsgPtr m;
    if (auto s = family_->request(DEVLINK_CMD_PORT_SET, 0, m); !s.ok()) return s;
    if (auto s = put_handle(m.get(), h); !s.ok()) return s;
    nlattr* fn = nullptr;
    if (nla_put_u32(m.get(), DEVLINK_ATTR_PORT_INDEX, port_index) < 0 ||
        !(fn = nla_nest_start(m.get(), DEVLINK_ATTR_PORT_FUNCTION)) ||
        nla_put(m.get(), DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR, 6, mac.data()) < 0) {
        return Status::failure(EMSGSIZE, "message full");
    }
    nla_nest_end(m.get(), fn);
    std::vector<NlMsgPtr> batch;
    batch.push_back(std::move(m));
    Status s = family_->socket().transact(batch).front();
    if (!s.ok()) {
        s.reason = "devlink port function set " + h.str() + "/" + std::to_string(port_index) + " hw_addr " +
                   net::format_mac(mac) + ": " + s.reason;
    }
    return s;
}

}  // namespace snoc::nic
