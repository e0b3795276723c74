// Printing of plans, diagnostics and NIC profiles. Each printer reads the
// same model for text and JSON; JSON field names are stable API for scripts.
#pragma once

#include <nlohmann/json.hpp>

#include <iosfwd>

#include "controller/diagnostics.h"
#include "controller/output_format.h"
#include "controller/plan.h"
#include "controller/profile_loader.h"

namespace snoc {

nlohmann::json to_json(const plan::Plan& p);
nlohmann::json to_json(const Diagnostics& d);
nlohmann::json to_json(const offload::NicProfile& p);
nlohmann::json to_json(const offload::Reason& r);

void print_plan(const plan::Plan& p, OutputFormat f, std::ostream& out);
// Text: one gcc-style line per diagnostic, then a count line.
void print_diagnostics(const Diagnostics& d, OutputFormat f, std::ostream& out);
void print_profile_list(const ProfileMap& profiles, OutputFormat f, std::ostream& out);
void print_profile(const offload::NicProfile& p, OutputFormat f, std::ostream& out);

}  // namespace snoc
