// Private to flow/policy_*.cpp: the value readers and writers of the
// policy syntax (one per FieldKind), the number and port-name rules, and the
// small Result type the parser passes around instead of throwing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "flow/flow.h"

namespace snoc::flow::syntax {

struct Fail;

// What reading one piece of text gave: a value, or a message saying what was
// expected and what was found. `where` points into the rule text at the part
// that is wrong when the reader knows better than its caller; empty (null
// data) means "the whole piece the caller handed over".
template <class T>
class Result {
public:
    Result(T v) : value_(std::move(v)) {}  // NOLINT: implicit on purpose, `return value;`
    Result(Fail f);                        // NOLINT: implicit on purpose, `return Fail{...};`

    explicit operator bool() const { return value_.has_value(); }
    const T& operator*() const { return *value_; }
    const T* operator->() const { return &*value_; }
    const std::string& error() const { return error_; }
    std::string_view where() const { return where_; }
    // Passes this failure on from a function returning another Result type.
    Fail fail() const;

private:
    std::optional<T> value_;
    std::string error_;
    std::string_view where_;
};

struct Fail {
    std::string message;
    std::string_view where{};
};

template <class T>
Result<T>::Result(Fail f) : error_(std::move(f.message)), where_(f.where) {}

template <class T>
Fail Result<T>::fail() const {
    return Fail{error_, where_};
}

// Fills in `where` of a failure that did not narrow itself down.
inline Fail located(Fail f, std::string_view where) {
    if (f.where.data() == nullptr) f.where = where;
    return f;
}

// The text, quoted for a message; long or binary input is shortened/escaped
// so an error about fuzz input stays one readable line.
std::string quoted(std::string_view text);
std::string hex(uint64_t v);

// "nw_proto does not take a mask", pointing at the mask in "6/0xff".
Fail no_mask(std::string_view name, std::string_view text);

// Numbers: decimal or 0x hex. No sign and no leading zeros, because
// ovs-ofctl reads "010" as octal 8 and a silent difference is worse than an
// error. `what` names the value in messages ("tp_dst", "priority").
Result<uint64_t> parse_number(std::string_view text, uint64_t max, std::string_view what);

// The largest value a field holds (VLAN id: 4095).
uint64_t field_max(Field f);
// `value` matched (or set) on all of the field's bits. Masked::exact_uint
// sets whole bytes, which is_exact() does not call exact for sub-byte fields.
Masked exact_value(Field f, uint64_t value);

// A field's value in the field's own notation (FieldKind): MAC, IPv4, IPv6,
// number or flags, with "/mask" where the field takes one. `name` is the name
// the rule used, for messages.
Result<Masked> parse_value(Field f, std::string_view text, std::string_view name, bool allow_mask);
std::string format_value(Field f, const Masked& m);

// Port names (in_port=NAME, output:NAME). LOCAL is accepted in any case and
// normalised; the other reserved OpenFlow ports and port numbers are errors.
Result<std::string> parse_port(std::string_view text, std::string_view what);
// LOCAL, ALL, NORMAL, ... in any case.
bool is_reserved_port(std::string_view text);

}  // namespace snoc::flow::syntax
