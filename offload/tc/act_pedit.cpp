// pedit: a run of set_field / dec_ttl rewrites as 32-bit word edits
// (pedit.h plans them); csum follows for the checksums they make stale.
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/tc_act/tc_pedit.h>
#include <netlink/attr.h>

#include <cerrno>
#include <cstring>

#include "flow/policy_values.h"
#include "offload/tc/action_kind.h"
#include "offload/tc/action_writer.h"
#include "offload/tc/tc_words.h"

namespace snoc::offload::tc {
namespace {

using flow::Field;

const netlink::AttrPolicy kKeyExPolicy{"pedit extended key",
                                       {netlink::u16_attr(SNOC_NLA(TCA_PEDIT_KEY_EX_HTYPE)),
                                        netlink::u16_attr(SNOC_NLA(TCA_PEDIT_KEY_EX_CMD))}};

Status encode(const TcAction& a, ActionWriter& w, const TranslateContext&) {
    const auto& p = std::get<PeditParams>(a.params);
    if (!p.planned.ok()) return p.planned;
    const PeditPlan& plan = p.plan;
    // tc_pedit_sel is followed by its keys in one attribute.
    std::vector<uint8_t> buf(sizeof(tc_pedit_sel) + plan.keys.size() * sizeof(tc_pedit_key));
    auto* sel = reinterpret_cast<tc_pedit_sel*>(buf.data());
    sel->action = TC_ACT_PIPE;
    sel->nkeys = static_cast<unsigned char>(plan.keys.size());
    for (size_t i = 0; i < plan.keys.size(); ++i) {
        tc_pedit_key k{};
        k.mask = plan.keys[i].mask;
        k.val = plan.keys[i].val;
        k.off = plan.keys[i].off;
        std::memcpy(buf.data() + sizeof(tc_pedit_sel) + i * sizeof(tc_pedit_key), &k, sizeof k);
    }
    if (auto s = w.put_bytes(TCA_PEDIT_PARMS_EX, buf.data(), buf.size()); !s.ok()) return s;
    nlattr* keys_ex = nla_nest_start(w.msg(), TCA_PEDIT_KEYS_EX);
    for (const PeditKey& k : plan.keys) {
        nlattr* key_ex = nla_nest_start(w.msg(), TCA_PEDIT_KEY_EX);
        if (auto s = w.put<uint16_t>(TCA_PEDIT_KEY_EX_HTYPE, k.htype); !s.ok()) return s;
        if (auto s = w.put<uint16_t>(TCA_PEDIT_KEY_EX_CMD, k.cmd); !s.ok()) return s;
        nla_nest_end(w.msg(), key_ex);
    }
    nla_nest_end(w.msg(), keys_ex);
    return Status::success();
}

uint64_t value_of(const flow::Match& m, Field f) { return m.get(f).value_uint(flow::field_info(f).bytes); }

// The pedit spelling of a rewrite: "eth dst", "ip src", "tcp dport", ...
std::string pedit_target(Field f, const flow::Match& m) {
    const bool v6 = m.has(Field::EthType) && value_of(m, Field::EthType) == ETH_P_IPV6;
    const bool udp = m.has(Field::IpProto) && value_of(m, Field::IpProto) == 17;
    switch (f) {
        case Field::EthSrc: return "eth src";
        case Field::EthDst: return "eth dst";
        case Field::Ipv4Src: return "ip src";
        case Field::Ipv4Dst: return "ip dst";
        case Field::Ipv6Src: return "ip6 src";
        case Field::Ipv6Dst: return "ip6 dst";
        case Field::IpTtl: return v6 ? "ip6 hoplimit" : "ip ttl";
        case Field::IpDscp:
        case Field::IpEcn: return v6 ? "ip6 traffic_class" : "ip tos";
        case Field::TpSrc: return udp ? "udp sport" : "tcp sport";
        case Field::TpDst: return udp ? "udp dport" : "tcp dport";
        default: return std::string(to_string(f));
    }
}

// One rewrite as a pedit munge. pedit sets whole header fields, so DSCP and
// ECN (bits of the TOS byte) and masked rewrites name the bits they change
// with "retain", as the netlink key's mask does.
std::string munge(const flow::SetField& sf, const flow::Match& m) {
    const std::string head = " munge " + pedit_target(sf.field, m) + " set ";
    if (sf.field == Field::IpDscp || sf.field == Field::IpEcn) {
        const unsigned shift = sf.field == Field::IpDscp ? 2 : 0;
        const uint64_t bits = sf.field == Field::IpDscp ? 0xfc : 0x03;
        return head + tc_hex((sf.value.value_uint(1) << shift) & bits) + " retain " +
               tc_hex((sf.value.mask_uint(1) << shift) & bits);
    }
    const size_t bytes = flow::field_info(sf.field).bytes;
    if (flow::field_info(sf.field).kind == flow::FieldKind::Uint && bytes <= 4 && !flow::is_exact(sf.field, sf.value)) {
        return head + std::to_string(sf.value.value_uint(bytes)) + " retain " + tc_hex(sf.value.mask_uint(bytes));
    }
    return head + flow::syntax::format_value(sf.field, sf.value);
}

std::string print(const TcAction& a, const TranslateContext&) {
    const auto& p = std::get<PeditParams>(a.params);
    std::string text = "pedit ex";
    for (const flow::Action& r : p.rewrites) {
        if (std::holds_alternative<flow::DecTtl>(r)) text += " munge " + pedit_target(Field::IpTtl, *p.match) + " add 0xff";
        else text += munge(std::get<flow::SetField>(r), *p.match);
    }
    return text + " pipe";
}

Status decode(nlattr* const opt[], const TranslateContext&, ActionDecodeState& st) {
    nlattr* parms_attr = opt[TCA_PEDIT_PARMS_EX] ? opt[TCA_PEDIT_PARMS_EX] : opt[TCA_PEDIT_PARMS];
    if (!parms_attr) return Status::failure(EINVAL, "pedit without parameters");
    const auto* sel = static_cast<const tc_pedit_sel*>(nla_data(parms_attr));
    const size_t nkeys = sel->nkeys;
    if (static_cast<size_t>(nla_len(parms_attr)) < sizeof(tc_pedit_sel) + nkeys * sizeof(tc_pedit_key)) {
        return Status::failure(EINVAL, "pedit keys truncated");
    }
    std::vector<PeditKey> keys(nkeys);
    for (size_t k = 0; k < nkeys; ++k) {
        tc_pedit_key raw;
        std::memcpy(&raw,
                    static_cast<const uint8_t*>(nla_data(parms_attr)) + sizeof(tc_pedit_sel) + k * sizeof(tc_pedit_key),
                    sizeof raw);
        keys[k].mask = raw.mask;
        keys[k].val = raw.val;
        keys[k].off = raw.off;
    }
    if (opt[TCA_PEDIT_KEYS_EX]) {
        size_t k = 0;
        nlattr* key_ex;
        int rem;
        nla_for_each_nested(key_ex, opt[TCA_PEDIT_KEYS_EX], rem) {
            if (k >= nkeys) break;
            nlattr* ex[TCA_PEDIT_KEY_EX_MAX + 1] = {};
            if (auto s = netlink::parse_nested(ex, kKeyExPolicy, key_ex); !s.ok()) return s;
            if (ex[TCA_PEDIT_KEY_EX_HTYPE]) keys[k].htype = nla_get_u16(ex[TCA_PEDIT_KEY_EX_HTYPE]);
            if (ex[TCA_PEDIT_KEY_EX_CMD]) keys[k].cmd = nla_get_u16(ex[TCA_PEDIT_KEY_EX_CMD]);
            ++k;
        }
    }
    return actions_from_pedit(keys, st.actions);
}

}  // namespace

const ActionKind& pedit_kind() {
    static const netlink::AttrPolicy options{
        "pedit options",
        {netlink::struct_attr<tcf_t>(SNOC_NLA(TCA_PEDIT_TM)),
         netlink::struct_attr<tc_pedit_sel>(SNOC_NLA(TCA_PEDIT_PARMS)),
         netlink::struct_attr<tc_pedit_sel>(SNOC_NLA(TCA_PEDIT_PARMS_EX)),
         netlink::nested_attr(SNOC_NLA(TCA_PEDIT_KEYS_EX))}};
    static const ActionKind kind{"pedit", options, TCA_PEDIT_TM, encode, print, decode};
    return kind;
}

}  // namespace snoc::offload::tc
