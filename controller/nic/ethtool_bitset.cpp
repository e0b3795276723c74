#include "controller/nic/ethtool_bitset.h"

#include <linux/ethtool_netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <cstring>

#include "netlink/attr_policy.h"

namespace snoc::nic {
namespace {

// VALUE and MASK are u32 word arrays whose length depends on SIZE: checked in parse_compact.
const netlink::AttrPolicy kBitsetPolicy{"ethtool bitset",
                                        {
                                            netlink::flag_attr(SNOC_NLA(ETHTOOL_A_BITSET_NOMASK)),
                                            netlink::u32_attr(SNOC_NLA(ETHTOOL_A_BITSET_SIZE)),
                                            netlink::nested_attr(SNOC_NLA(ETHTOOL_A_BITSET_BITS)),
                                        }};

const netlink::AttrPolicy kBitPolicy{"ethtool bitset bit",
                                     {
                                         netlink::u32_attr(SNOC_NLA(ETHTOOL_A_BITSET_BIT_INDEX)),
                                         netlink::string_attr(SNOC_NLA(ETHTOOL_A_BITSET_BIT_NAME)),
                                         netlink::flag_attr(SNOC_NLA(ETHTOOL_A_BITSET_BIT_VALUE)),
                                     }};

// Word i of a u32 array attribute; 0 past its end.
uint32_t word_at(const nlattr* a, size_t i) {
    if (!a || (i + 1) * 4 > static_cast<size_t>(nla_len(a))) return 0;
    uint32_t w = 0;
    std::memcpy(&w, static_cast<const char*>(nla_data(a)) + i * 4, 4);
    return w;
}

bool parse_compact(nlattr* tb[], Bitset& out, std::string& error) {
    const nlattr* value = tb[ETHTOOL_A_BITSET_VALUE];
    const nlattr* mask = tb[ETHTOOL_A_BITSET_MASK];
    const size_t words = (out.size + 31) / 32;
    if (!value) {
        error = "compact bitset without ETHTOOL_A_BITSET_VALUE";
        return false;
    }
    if (static_cast<size_t>(nla_len(value)) < words * 4 || (mask && static_cast<size_t>(nla_len(mask)) < words * 4)) {
        error = "compact bitset shorter than its size (" + std::to_string(out.size) + " bits)";
        return false;
    }
    for (uint32_t i = 0; i < out.size; ++i) {
        const uint32_t bit = 1u << (i % 32);
        const bool v = word_at(value, i / 32) & bit;
        if (out.list ? v : (mask && (word_at(mask, i / 32) & bit))) out.bits.push_back({i, {}, v});
    }
    return true;
}

bool parse_verbose(const nlattr* bits_attr, Bitset& out, std::string& error) {
    nlattr* bit;
    int rem;
    nla_for_each_nested(bit, bits_attr, rem) {
        if (nla_type(bit) != ETHTOOL_A_BITSET_BITS_BIT) continue;
        nlattr* tb[ETHTOOL_A_BITSET_BIT_MAX + 1] = {};
        if (auto s = netlink::parse_nested(tb, kBitPolicy, bit); !s.ok()) {
            error = s.reason;
            return false;
        }
        if (!tb[ETHTOOL_A_BITSET_BIT_INDEX] && !tb[ETHTOOL_A_BITSET_BIT_NAME]) {
            error = "bitset bit with neither index nor name";
            return false;
        }
        BitsetBit b;
        if (tb[ETHTOOL_A_BITSET_BIT_INDEX]) b.index = nla_get_u32(tb[ETHTOOL_A_BITSET_BIT_INDEX]);
        if (tb[ETHTOOL_A_BITSET_BIT_NAME]) b.name = nla_get_string(tb[ETHTOOL_A_BITSET_BIT_NAME]);
        // In a list the kernel sends no VALUE flag: being listed is being set.
        b.value = out.list || tb[ETHTOOL_A_BITSET_BIT_VALUE] != nullptr;
        out.bits.push_back(std::move(b));
    }
    return true;
}

}  // namespace

std::optional<bool> Bitset::bit(std::string_view name) const {
    for (const auto& b : bits) {
        if (b.name == name) return b.value;
    }
    return list ? std::optional<bool>(false) : std::nullopt;
}

std::optional<bool> Bitset::bit(uint32_t index) const {
    for (const auto& b : bits) {
        if (b.index == index) return b.value;
    }
    return list ? std::optional<bool>(false) : std::nullopt;
}

bool parse_bitset(const nlattr* attr, Bitset& out, std::string& error) {
    out = Bitset{};
    if (!attr) {
        error = "no bitset";
        return false;
    }
    nlattr* tb[ETHTOOL_A_BITSET_MAX + 1] = {};
    if (auto s = netlink::parse_nested(tb, kBitsetPolicy, attr); !s.ok()) {
        error = s.reason;
        return false;
    }
    out.list = tb[ETHTOOL_A_BITSET_NOMASK] != nullptr;
    if (tb[ETHTOOL_A_BITSET_SIZE]) out.size = nla_get_u32(tb[ETHTOOL_A_BITSET_SIZE]);
    if (tb[ETHTOOL_A_BITSET_BITS]) return parse_verbose(tb[ETHTOOL_A_BITSET_BITS], out, error);
    return parse_compact(tb, out, error);
}

bool put_bitset_by_name(nl_msg* m, int attrtype, const std::vector<std::pair<std::string, bool>>& bits) {
    nlattr* set = nla_nest_start(m, attrtype);
    nlattr* list = set ? nla_nest_start(m, ETHTOOL_A_BITSET_BITS) : nullptr;
    if (!list) return false;
    for (const auto& [name, on] : bits) {
        nlattr* bit = nla_nest_start(m, ETHTOOL_A_BITSET_BITS_BIT);
        if (!bit || nla_put_string(m, ETHTOOL_A_BITSET_BIT_NAME, name.c_str()) < 0) return false;
        if (on && nla_put_flag(m, ETHTOOL_A_BITSET_BIT_VALUE) < 0) return false;
        nla_nest_end(m, bit);
    }
    nla_nest_end(m, list);
    nla_nest_end(m, set);
    return true;
}

bool put_bitset_compact(nl_msg* m, int attrtype, uint32_t size, const std::vector<std::pair<uint32_t, bool>>& bits) {
    std::vector<uint32_t> value((size + 31) / 32), mask((size + 31) / 32);
    for (const auto& [index, on] : bits) {
        if (index >= size) return false;
        mask[index / 32] |= 1u << (index % 32);
        if (on) value[index / 32] |= 1u << (index % 32);
    }
    nlattr* set = nla_nest_start(m, attrtype);
    if (!set || nla_put_u32(m, ETHTOOL_A_BITSET_SIZE, size) < 0 ||
        nla_put(m, ETHTOOL_A_BITSET_VALUE, static_cast<int>(value.size() * 4), value.data()) < 0 ||
        nla_put(m, ETHTOOL_A_BITSET_MASK, static_cast<int>(mask.size() * 4), mask.data()) < 0) {
        return false;
    }
    nla_nest_end(m, set);
    return true;
}

}  // namespace snoc::nic
