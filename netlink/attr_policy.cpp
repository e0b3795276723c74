#include "netlink/attr_policy.h"

#include <linux/genetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <cerrno>
#include <limits>
#include <string>

namespace snoc::netlink {
namespace {

constexpr size_t kNoRule = std::numeric_limits<size_t>::max();

Status malformed(const AttrPolicy& p) { return Status::failure(EINVAL, "malformed " + std::string(p.what())); }

}  // namespace

std::string_view to_string(AttrType t) {
    switch (t) {
        case AttrType::Flag: return "flag";
        case AttrType::U8: return "u8";
        case AttrType::U16: return "u16";
        case AttrType::U32: return "u32";
        case AttrType::U64: return "u64";
        case AttrType::String: return "string";
        case AttrType::Nested: return "nested";
        case AttrType::Bytes: return "bytes";
    }
    return "bytes";
}

AttrPolicy::AttrPolicy(std::string_view what, std::initializer_list<AttrRule> rules)
    : AttrPolicy(what, std::span<const AttrRule>(rules.begin(), rules.size())) {}

AttrPolicy::AttrPolicy(std::string_view what, std::span<const AttrRule> rules) : what_(what) {
    for (const AttrRule& r : rules) {
        if (r.type < 0) continue;
        const auto at = static_cast<size_t>(r.type);
        if (at >= by_type_.size()) by_type_.resize(at + 1, AttrRule{0, {}, AttrType::Bytes, kNoRule});
        by_type_[at] = r;
    }
}

const AttrRule* AttrPolicy::rule(int type) const {
    if (type < 0 || static_cast<size_t>(type) >= by_type_.size()) return nullptr;
    const AttrRule& r = by_type_[static_cast<size_t>(type)];
    return r.min_len == kNoRule ? nullptr : &r;
}

Status AttrPolicy::check(const nlattr* a) const {
    const AttrRule* r = rule(nla_type(a));
    if (!r) return Status::success();
    const auto len = static_cast<size_t>(nla_len(a));
    // The text is built only on failure: dumps check millions of attributes.
    auto where = [&] { return std::string(what_) + ": " + std::string(r->name); };
    if (len < r->min_len) {
        return Status::failure(EINVAL, where() + " has " + std::to_string(len) + " bytes, a " + std::string(to_string(r->kind)) +
                                           " needs at least " + std::to_string(r->min_len));
    }
    if (r->kind == AttrType::String && static_cast<const char*>(nla_data(a))[len - 1] != '\0') {
        return Status::failure(EINVAL, where() + " is not NUL-terminated");
    }
    return Status::success();
}

Status parse_attrs(std::span<nlattr*> tb, const AttrPolicy& policy, nlattr* head, int len) {
    if (tb.empty()) return Status::success();
    if (nla_parse(tb.data(), static_cast<int>(tb.size() - 1), head, len, nullptr) < 0) return malformed(policy);
    for (const nlattr* a : tb) {
        if (!a) continue;
        if (auto s = policy.check(a); !s.ok()) return s;
    }
    return Status::success();
}

Status parse_nested(std::span<nlattr*> tb, const AttrPolicy& policy, const nlattr* nest) {
    if (!nest) return malformed(policy);
    return parse_attrs(tb, policy, static_cast<nlattr*>(nla_data(nest)), nla_len(nest));
}

Status parse_message(std::span<nlattr*> tb, const AttrPolicy& policy, nlmsghdr* msg, int hdrlen) {
    if (!nlmsg_valid_hdr(msg, hdrlen)) return malformed(policy);
    return parse_attrs(tb, policy, nlmsg_attrdata(msg, hdrlen), nlmsg_attrlen(msg, hdrlen));
}

Status parse_genl(std::span<nlattr*> tb, const AttrPolicy& policy, nlmsghdr* msg) {
    return parse_message(tb, policy, msg, GENL_HDRLEN);
}

}  // namespace snoc::netlink
