// Parsing and printing of MAC and IP addresses and prefixes, shared by the
// policy syntax and the deployment spec so both accept the same spellings.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace snoc::net {

using Mac = std::array<uint8_t, 6>;

struct IpAddress {
    bool v6 = false;
    std::array<uint8_t, 16> bytes{};  // network order; IPv4 uses the first 4
    bool operator==(const IpAddress&) const = default;
};

struct IpPrefix {
    IpAddress address;
    unsigned length = 0;
    bool operator==(const IpPrefix&) const = default;
};

// "02:00:00:00:00:01" (case-insensitive, exactly six colon-separated hex pairs).
std::optional<Mac> parse_mac(std::string_view s);
std::string format_mac(const Mac& m);
inline bool is_multicast(const Mac& m) { return (m[0] & 1) != 0; }
inline bool is_zero(const Mac& m) { return m == Mac{}; }

std::optional<IpAddress> parse_ip(std::string_view s);    // IPv4 or IPv6
std::optional<IpAddress> parse_ipv4(std::string_view s);  // dotted quad only
std::string format_ip(const IpAddress& a);

// "10.0.0.1/24", "2001:db8::1/64"; the host bits may be set (an interface address).
std::optional<IpPrefix> parse_prefix(std::string_view s);
std::string format_prefix(const IpPrefix& p);
// True when a and b are in the same prefix of length `len`.
bool same_subnet(const IpAddress& a, const IpAddress& b, unsigned len);

}  // namespace snoc::net
