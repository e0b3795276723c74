// ethtool netlink bitsets (Documentation/networking/ethtool-netlink.rst,
// "Bit sets"): build and parse them in both forms the kernel speaks.
//
//   compact: ETHTOOL_A_BITSET_SIZE + VALUE (+ MASK) as arrays of u32 words,
//            bit i in word i / 32, bit i % 32 (host order);
//   verbose: ETHTOOL_A_BITSET_BITS, one BITS_BIT nest per bit with INDEX,
//            NAME and a VALUE flag.
// Either form is a *list* (NOMASK flag: the bits listed / set are the whole
// set, every other bit is 0) or a *change* (only the bits in the mask, or
// listed, are meant; VALUE says on or off).
//
// Feature bit numbers differ between kernel versions (NETIF_F_*_BIT), so snoc
// reads features verbose and changes them by name; the compact form is parsed
// too, because a kernel may answer in it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct nl_msg;
struct nlattr;

namespace snoc::nic {

struct BitsetBit {
    uint32_t index = 0;
    std::string name;  // empty in the compact form
    bool value = false;
};

struct Bitset {
    uint32_t size = 0;    // bits in the set; 0 when a verbose set leaves it out
    bool list = false;    // NOMASK: bits not in `bits` are 0
    std::vector<BitsetBit> bits;  // list: the bits set; change: the bits in the mask

    // The bit's value: for a list, absent means 0; for a change, absent means "not meant" (unset).
    std::optional<bool> bit(std::string_view name) const;
    std::optional<bool> bit(uint32_t index) const;
};

// Parses a bitset attribute in either form; false (with why in `error`) when malformed.
bool parse_bitset(const nlattr* attr, Bitset& out, std::string& error);

// A change by name in the verbose form (no NOMASK): the kernel resolves names
// to its own bit numbers. Returns false when the message is full.
bool put_bitset_by_name(nl_msg* m, int attrtype, const std::vector<std::pair<std::string, bool>>& bits);
// A change by index in the compact form: SIZE, VALUE and MASK words.
bool put_bitset_compact(nl_msg* m, int attrtype, uint32_t size, const std::vector<std::pair<uint32_t, bool>>& bits);

}  // namespace snoc::nic
