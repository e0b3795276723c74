#include "flow/net_address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstdio>

namespace snoc::net {
namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<Mac> parse_mac(std::string_view s) {
    if (s.size() != 17) return std::nullopt;
    Mac m{};
    for (size_t i = 0; i < 6; ++i) {
        const int hi = hex_digit(s[i * 3]);
        const int lo = hex_digit(s[i * 3 + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        if (i < 5 && s[i * 3 + 2] != ':') return std::nullopt;
        m[i] = static_cast<uint8_t>(hi * 16 + lo);
    }
    return m;
}

std::string format_mac(const Mac& m) {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    return buf;
}

std::optional<IpAddress> parse_ipv4(std::string_view s) {
    if (s.empty() || s.size() > 15) return std::nullopt;
    const std::string str(s);
    IpAddress a;
    if (inet_pton(AF_INET, str.c_str(), a.bytes.data()) != 1) return std::nullopt;
    return a;
}

std::optional<IpAddress> parse_ip(std::string_view s) {
    if (auto v4 = parse_ipv4(s)) return v4;
    if (s.empty() || s.size() > 45) return std::nullopt;
    const std::string str(s);
    IpAddress a;
    a.v6 = true;
    if (inet_pton(AF_INET6, str.c_str(), a.bytes.data()) != 1) return std::nullopt;
    return a;
}

std::string format_ip(const IpAddress& a) {
    char buf[INET6_ADDRSTRLEN];
    if (!inet_ntop(a.v6 ? AF_INET6 : AF_INET, a.bytes.data(), buf, sizeof buf)) return "?";
    return buf;
}

std::optional<IpPrefix> parse_prefix(std::string_view s) {
    const size_t slash = s.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    auto addr = parse_ip(s.substr(0, slash));
    if (!addr) return std::nullopt;
    const std::string_view len_text = s.substr(slash + 1);
    unsigned len = 0;
    auto [ptr, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
    if (len_text.empty() || ec != std::errc() || ptr != len_text.data() + len_text.size()) return std::nullopt;
    if (len > (addr->v6 ? 128u : 32u)) return std::nullopt;
    return IpPrefix{*addr, len};
}

std::string format_prefix(const IpPrefix& p) { return format_ip(p.address) + "/" + std::to_string(p.length); }

bool same_subnet(const IpAddress& a, const IpAddress& b, unsigned len) {
    if (a.v6 != b.v6) return false;
    for (unsigned bit = 0; bit < len; ++bit) {
        const unsigned byte = bit / 8, shift = 7 - bit % 8;
        if (((a.bytes[byte] >> shift) & 1) != ((b.bytes[byte] >> shift) & 1)) return false;
    }
    return true;
}

}  // namespace snoc::net
