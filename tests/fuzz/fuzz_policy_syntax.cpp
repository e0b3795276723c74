// libFuzzer target for the policy flow syntax.
//
// Any input must parse or be rejected without crashing; a rejection must
// point inside the text; and whatever parses must survive the round trip
// parse(format(f)) == f with format() stable on the second pass.
//
//   clang++ -std=c++20 -fsanitize=fuzzer,address,undefined -I. \
//     tests/fuzz/fuzz_policy_syntax.cpp offload/*.cpp -o fuzz_policy_syntax
//   ./fuzz_policy_syntax tests/fuzz/corpus/policy_syntax
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "flow/policy_syntax.h"

namespace {

[[noreturn]] void fail(const char* what, std::string_view input, const std::string& detail) {
    std::fprintf(stderr, "policy_syntax fuzz: %s\n  input:  %.*s\n  detail: %s\n", what,
                 static_cast<int>(input.size()), input.data(), detail.c_str());
    __builtin_trap();
}

void check_error(std::string_view text, const snoc::flow::SyntaxError& e) {
    if (e.message.empty()) fail("error without a message", text, "");
    if (text.empty()) return;
    if (e.offset >= text.size() || e.length == 0 || e.length > text.size() - e.offset) {
        fail("error span outside the text", text,
             e.message + " @" + std::to_string(e.offset) + "+" + std::to_string(e.length));
    }
}

void check_round_trip(std::string_view text, const snoc::flow::Flow& flow) {
    const std::string printed = snoc::flow::format_flow(flow);
    const auto again = snoc::flow::parse_policy_flow(printed);
    if (!again.flow) fail("printed flow does not parse", text, printed + "  ->  " + again.error->message);
    if (!(*again.flow == flow)) fail("round trip changed the flow", text, printed);
    const std::string reprinted = snoc::flow::format_flow(*again.flow);
    if (reprinted != printed) fail("printing is not stable", text, printed + "  vs  " + reprinted);
    // Every field prints on its own too (used in reasons and docs).
    for (auto f : flow.match.present()) (void)snoc::flow::format_field(f, flow.match.get(f));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto parsed = snoc::flow::parse_policy_flow(text);
    if (parsed.flow.has_value() == parsed.error.has_value()) fail("neither or both of flow and error", text, "");
    if (parsed.error) check_error(text, *parsed.error);
    else check_round_trip(text, *parsed.flow);
    return 0;
}
