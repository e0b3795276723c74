// Field-level readers for the deployment spec: one small function per kind
// of value, each reporting "expected ..., got ..." at the value itself.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "controller/yaml_reader.h"
#include "flow/net_address.h"

namespace snoc::spec {

// A Linux interface name: 1-15 characters, no '/', ':', whitespace.
std::optional<std::string> read_ifname(const yaml::Cursor& c);
bool valid_ifname(std::string_view s);
// A name policies and OVS can use: starts with a letter; letters, digits, '-', '_', '.'; 1-63 characters.
std::optional<std::string> read_name(const yaml::Cursor& c, std::string_view what);
bool valid_name(std::string_view s);
std::optional<std::string> read_pci_address(const yaml::Cursor& c);
std::optional<net::Mac> read_unicast_mac(const yaml::Cursor& c);
std::optional<net::IpAddress> read_ip(const yaml::Cursor& c);
std::optional<net::IpAddress> read_ipv4(const yaml::Cursor& c);
std::optional<net::IpPrefix> read_prefix(const yaml::Cursor& c);
std::optional<uint16_t> read_vlan(const yaml::Cursor& c);
// "500ms", "2s", "1m"; bounded to [min, max].
std::optional<std::chrono::milliseconds> read_duration(const yaml::Cursor& c, std::chrono::milliseconds min,
                                                       std::chrono::milliseconds max);
// "127.0.0.1:9469", "[::1]:9469", ":9469" (all addresses).
std::optional<std::string> read_listen_address(const yaml::Cursor& c);

}  // namespace snoc::spec
