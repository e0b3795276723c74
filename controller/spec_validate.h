// Cross-section validation of a loaded spec (see spec_validate.cpp).
#pragma once

#include "controller/diagnostics.h"
#include "controller/profile_loader.h"
#include "controller/spec.h"

namespace snoc::spec {

// Reports every inconsistency to diags. Fills defaults that depend on other
// sections (a workload's or tunnel's NIC when the spec has exactly one).
void validate_spec(Spec& s, const ProfileMap& profiles, Diagnostics& diags);

}  // namespace snoc::spec
