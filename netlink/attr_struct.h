// Reading a fixed-size struct out of a netlink attribute, checking its length
// (kernels may send longer structs than the headers we build with, never shorter).
#pragma once

#include <netlink/attr.h>

#include <cstring>
#include <optional>

namespace snoc::netlink {

template <typename T>
std::optional<T> attr_struct(const nlattr* a) {
    if (!a || static_cast<size_t>(nla_len(a)) < sizeof(T)) return std::nullopt;
    T v;
    std::memcpy(&v, nla_data(a), sizeof v);
    return v;
}

}  // namespace snoc::netlink
