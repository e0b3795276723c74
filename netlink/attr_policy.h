// Validation of received netlink attributes: per attribute type, what it must
// hold, checked when a message or nest is parsed and before anything reads it.
//
// The kernel validates what it is sent (its nla_policy); what it sends back
// comes from kernels and drivers older or newer than our headers. An
// attribute shorter than its type needs is refused here with an error that
// names the attribute, instead of being read past its end (nla_get_u32 on a
// 2-byte attribute) or misread. libnl's own policy check reports only
// "invalid", without the attribute.
//
// An attribute type without a rule (one snoc does not read, or one newer
// than the policy) is kept in the table unchecked; types beyond the table are
// skipped, as libnl's nla_parse does.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <span>
#include <string_view>
#include <vector>

#include "offload/status.h"

struct nlattr;
struct nlmsghdr;

namespace snoc::netlink {

using offload::Status;

// What an attribute's payload is; each kind has a minimum length.
enum class AttrType : uint8_t { Flag, U8, U16, U32, U64, String, Nested, Bytes };
std::string_view to_string(AttrType t);

struct AttrRule {
    int type = 0;            // the attribute type, e.g. TCA_FLOWER_KEY_ETH_DST
    std::string_view name;   // what errors call it: "TCA_FLOWER_KEY_ETH_DST"
    AttrType kind = AttrType::Bytes;
    size_t min_len = 0;      // payload bytes it needs at least
};

// An attribute's number and its name as one argument pair, so a rule's name
// can never disagree with its number: u32_attr(SNOC_NLA(TCA_CHAIN)).
#define SNOC_NLA(attr) attr, #attr

constexpr AttrRule flag_attr(int type, std::string_view name) { return {type, name, AttrType::Flag, 0}; }
constexpr AttrRule u8_attr(int type, std::string_view name) { return {type, name, AttrType::U8, 1}; }
constexpr AttrRule u16_attr(int type, std::string_view name) { return {type, name, AttrType::U16, 2}; }
constexpr AttrRule u32_attr(int type, std::string_view name) { return {type, name, AttrType::U32, 4}; }
constexpr AttrRule u64_attr(int type, std::string_view name) { return {type, name, AttrType::U64, 8}; }
// NUL-terminated, so nla_get_string stays inside the attribute.
constexpr AttrRule string_attr(int type, std::string_view name) { return {type, name, AttrType::String, 1}; }
constexpr AttrRule nested_attr(int type, std::string_view name) { return {type, name, AttrType::Nested, 0}; }
constexpr AttrRule bytes_attr(int type, std::string_view name, size_t min_len) {
    return {type, name, AttrType::Bytes, min_len};
}
// A fixed uapi struct (tc_mirred, ifla_vf_mac ...): at least its size.
template <typename T>
constexpr AttrRule struct_attr(int type, std::string_view name) {
    return bytes_attr(type, name, sizeof(T));
}

class AttrPolicy {
public:
    // `what` names the message or nest in errors, e.g. "flower options".
    AttrPolicy(std::string_view what, std::initializer_list<AttrRule> rules);
    AttrPolicy(std::string_view what, std::span<const AttrRule> rules);

    std::string_view what() const { return what_; }
    const AttrRule* rule(int type) const;  // null: no rule for the type
    // EINVAL naming the attribute when `a` breaks its type's rule.
    Status check(const nlattr* a) const;

private:
    std::string_view what_;
    std::vector<AttrRule> by_type_;  // indexed by type; min_len SIZE_MAX = no rule
};

// Each fills tb (attribute types 0 .. tb.size() - 1, the rest skipped), then
// checks every attribute found against the policy. EINVAL on a malformed
// stream or a rule broken, naming the policy's `what` and the attribute.
Status parse_attrs(std::span<nlattr*> tb, const AttrPolicy& policy, nlattr* head, int len);
Status parse_nested(std::span<nlattr*> tb, const AttrPolicy& policy, const nlattr* nest);
// The attributes after a `hdrlen`-byte family header (tcmsg, ifinfomsg ...).
Status parse_message(std::span<nlattr*> tb, const AttrPolicy& policy, nlmsghdr* msg, int hdrlen);
// The attributes of a generic netlink message (after genlmsghdr).
Status parse_genl(std::span<nlattr*> tb, const AttrPolicy& policy, nlmsghdr* msg);

}  // namespace snoc::netlink
