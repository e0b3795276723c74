// libFuzzer target: the deployment-spec loader (YAML + validation + plan).
// Any input must give diagnostics or a spec, never a crash, hang or leak;
// a spec the loader accepts must also plan without throwing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "controller/plan.h"
#include "controller/profile_loader.h"
#include "controller/spec_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const snoc::ProfileMap profiles = [] {
        snoc::Diagnostics d;
        auto p = snoc::load_profiles({}, d);
        if (d.has_errors()) __builtin_trap();  // the shipped profiles must load
        return p;
    }();
    snoc::Diagnostics diags;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto spec = snoc::spec::load_spec(text, "fuzz.yaml", profiles, diags);
    if (spec.has_value() == diags.has_errors()) __builtin_trap();  // a spec iff no errors
    if (spec) (void)snoc::plan::build_plan(*spec, profiles);
    return 0;
}
