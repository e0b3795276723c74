#include "controller/spec_values.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace snoc::spec {

bool valid_ifname(std::string_view s) {
    if (s.empty() || s.size() > 15 || s == "." || s == "..") return false;
    return std::none_of(s.begin(), s.end(), [](char ch) {
        return ch == '/' || ch == ':' || std::isspace(static_cast<unsigned char>(ch)) || !std::isprint(static_cast<unsigned char>(ch));
    });
}

std::optional<std::string> read_ifname(const yaml::Cursor& c) {
    auto s = c.str("an interface name");
    if (!s) return std::nullopt;
    if (!valid_ifname(*s)) {
        c.expected("an interface name of 1 to 15 characters without '/', ':' or spaces");
        return std::nullopt;
    }
    return s;
}

bool valid_name(std::string_view s) {
    if (s.empty() || s.size() > 63 || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
    return std::all_of(s.begin(), s.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.';
    });
}

std::optional<std::string> read_name(const yaml::Cursor& c, std::string_view what) {
    auto s = c.str(what);
    if (!s) return std::nullopt;
    if (!valid_name(*s)) {
        c.expected(std::string(what) +
                   " (1 to 63 characters: a letter, then letters, digits, '-', '_' or '.')");
        return std::nullopt;
    }
    return s;
}

std::optional<std::string> read_pci_address(const yaml::Cursor& c) {
    auto s = c.str("a PCI address");
    if (!s) return std::nullopt;
    // DDDD:BB:DD.F with hex digits; the short BB:DD.F form gets domain 0000.
    std::string full = s->size() == 7 ? "0000:" + *s : *s;
    const bool ok = full.size() == 12 && full[4] == ':' && full[7] == ':' && full[10] == '.' &&
                    std::all_of(full.begin(), full.end(), [](char ch) {
                        return std::isxdigit(static_cast<unsigned char>(ch)) || ch == ':' || ch == '.';
                    }) &&
                    full[11] >= '0' && full[11] <= '7';
    if (!ok) {
        c.expected("a PCI address like 0000:03:00.0");
        return std::nullopt;
    }
    std::transform(full.begin(), full.end(), full.begin(), [](unsigned char ch) { return std::tolower(ch); });
    return full;
}

std::optional<net::Mac> read_unicast_mac(const yaml::Cursor& c) {
    auto s = c.str("a MAC address");
    if (!s) return std::nullopt;
    auto m = net::parse_mac(*s);
    if (!m || net::is_multicast(*m) || net::is_zero(*m)) {
        c.expected("a unicast MAC address like 02:00:00:00:00:01");
        return std::nullopt;
    }
    return m;
}

std::optional<net::IpAddress> read_ip(const yaml::Cursor& c) {
    auto s = c.str("an IP address");
    if (!s) return std::nullopt;
    auto a = net::parse_ip(*s);
    if (!a) c.expected("an IPv4 or IPv6 address like 192.0.2.1");
    return a;
}

std::optional<net::IpAddress> read_ipv4(const yaml::Cursor& c) {
    auto s = c.str("an IPv4 address");
    if (!s) return std::nullopt;
    auto a = net::parse_ipv4(*s);
    if (!a) c.expected("an IPv4 address like 192.0.2.1");
    return a;
}

std::optional<net::IpPrefix> read_prefix(const yaml::Cursor& c) {
    auto s = c.str("an address with prefix length");
    if (!s) return std::nullopt;
    auto p = net::parse_prefix(*s);
    if (!p) c.expected("an address with prefix length like 10.0.0.10/24 or 2001:db8::10/64");
    return p;
}

std::optional<uint16_t> read_vlan(const yaml::Cursor& c) {
    auto v = c.uint(1, 4094, "a VLAN id");
    if (!v) return std::nullopt;
    return static_cast<uint16_t>(*v);
}

std::optional<std::chrono::milliseconds> read_duration(const yaml::Cursor& c, std::chrono::milliseconds min,
                                                       std::chrono::milliseconds max) {
    const std::string want = "a duration like 500ms, 2s or 1m, from " + std::to_string(min.count()) + "ms to " +
                             std::to_string(max.count() / 1000) + "s";
    auto s = c.str(want);
    if (!s) return std::nullopt;
    uint64_t n = 0;
    auto [ptr, ec] = std::from_chars(s->data(), s->data() + s->size(), n);
    const std::string_view unit(ptr, static_cast<size_t>(s->data() + s->size() - ptr));
    uint64_t scale = 0;
    if (unit == "ms") scale = 1;
    else if (unit == "s") scale = 1000;
    else if (unit == "m") scale = 60'000;
    if (ec != std::errc() || ptr == s->data() || scale == 0 || n > static_cast<uint64_t>(max.count()) / scale + 1) {
        c.expected(want);
        return std::nullopt;
    }
    const std::chrono::milliseconds d(static_cast<int64_t>(n * scale));
    if (d < min || d > max) {
        c.expected(want);
        return std::nullopt;
    }
    return d;
}

std::optional<std::string> read_listen_address(const yaml::Cursor& c) {
    const std::string want = "host:port like 127.0.0.1:9469 or [::1]:9469";
    auto s = c.str(want);
    if (!s) return std::nullopt;
    const size_t colon = s->rfind(':');
    if (colon == std::string::npos) {
        c.expected(want);
        return std::nullopt;
    }
    std::string host = s->substr(0, colon);
    const std::string port = s->substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    else if (host.find(':') != std::string::npos) host = "!";  // a bare IPv6 address needs brackets: reject
    unsigned p = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    const bool port_ok = ec == std::errc() && ptr == port.data() + port.size() && p >= 1 && p <= 65535;
    const bool host_ok = host.empty() || host == "localhost" || net::parse_ip(host).has_value();
    if (!port_ok || !host_ok) {
        c.expected(want);
        return std::nullopt;
    }
    return s;
}

}  // namespace snoc::spec
