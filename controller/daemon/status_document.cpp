#include "controller/daemon/status_document.h"

#include <stdexcept>

namespace snoc::daemon {
namespace {

using offload::Status;

std::optional<offload::ReasonCode> reason_code_from(std::string_view name) {
    for (uint8_t i = 0; i <= static_cast<uint8_t>(offload::ReasonCode::Quirk); ++i) {
        const auto c = static_cast<offload::ReasonCode>(i);
        if (to_string(c) == name) return c;
    }
    return std::nullopt;
}

// A field of a record, or an exception that names it (nlohmann's own
// message names only the types).
template <typename T>
T field(const nlohmann::json& j, const char* key) {
    if (!j.contains(key)) throw std::invalid_argument(std::string("missing field '") + key + "'");
    try {
        return j.at(key).get<T>();
    } catch (const nlohmann::json::exception& e) {
        throw std::invalid_argument(std::string("field '") + key + "': " + e.what());
    }
}

}  // namespace

nlohmann::json record_to_json(const monitor::FlowRecord& r) {
    nlohmann::json reasons = nlohmann::json::array();
    for (const auto& why : r.reasons) {
        reasons.push_back({{"code", to_string(why.code)}, {"subject", why.subject}, {"detail", why.detail}});
    }
    return {{"source", to_string(r.source)},
            {"id", r.id},
            {"placement", to_string(r.placement)},
            {"nic", r.labels.nic},
            {"bridge", r.labels.bridge},
            {"port", r.labels.port},
            {"workload", r.labels.workload},
            {"rule", r.labels.rule},
            {"match", r.match},
            {"actions", r.actions},
            {"packets", r.packets},
            {"bytes", r.bytes},
            {"idle_ms", r.idle_ms ? nlohmann::json(*r.idle_ms) : nlohmann::json(nullptr)},
            {"reasons", reasons}};
}

Status record_from_json(const nlohmann::json& j, monitor::FlowRecord& out) {
    try {
        if (!j.is_object()) throw std::invalid_argument("a flow record must be an object");
        out = {};
        out.source = field<std::string>(j, "source") == "hw-rule" ? monitor::Source::HwRule : monitor::Source::Datapath;
        out.id = field<std::string>(j, "id");
        const auto placement_text = field<std::string>(j, "placement");
        const auto placement = monitor::parse_placement(placement_text);
        if (!placement) return Status::failure(EINVAL, "flow record: unknown placement '" + placement_text + "'");
        out.placement = *placement;
        out.labels = {field<std::string>(j, "nic"), field<std::string>(j, "bridge"), field<std::string>(j, "port"),
                      field<std::string>(j, "workload"), field<std::string>(j, "rule")};
        out.match = field<std::string>(j, "match");
        out.actions = field<std::string>(j, "actions");
        out.packets = field<uint64_t>(j, "packets");
        out.bytes = field<uint64_t>(j, "bytes");
        if (j.contains("idle_ms") && !j.at("idle_ms").is_null()) out.idle_ms = field<uint64_t>(j, "idle_ms");
        for (const auto& why : field<nlohmann::json>(j, "reasons")) {
            const auto code_text = field<std::string>(why, "code");
            const auto code = reason_code_from(code_text);
            if (!code) return Status::failure(EINVAL, "flow record: unknown reason code '" + code_text + "'");
            out.reasons.push_back({*code, field<std::string>(why, "subject"), field<std::string>(why, "detail")});
        }
    } catch (const std::exception& e) {
        return Status::failure(EINVAL, std::string("flow record: ") + e.what());
    }
    return Status::success();
}

nlohmann::json to_json(const StatusDocument& d) {
    nlohmann::json flows = nlohmann::json::array();
    for (const auto& r : d.flows) flows.push_back(record_to_json(r));
    return {{"version", kStatusDocumentVersion},
            {"status", d.status},
            {"status_text", d.status_text},
            {"flows", flows},
            {"apply", d.apply}};
}

Status from_json(const std::string& text, StatusDocument& out) {
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Status::failure(EINVAL, "the status document is not JSON");
    if (j.value("version", 0) != kStatusDocumentVersion) {
        return Status::failure(EPROTO, "status document version " + j.value("version", nlohmann::json()).dump() +
                                           ", this snoc reads version " + std::to_string(kStatusDocumentVersion));
    }
    out = {};
    out.status = j.value("status", nlohmann::json::object());
    out.status_text = j.value("status_text", "");
    out.apply = j.value("apply", nlohmann::json::object());
    for (const auto& f : j.value("flows", nlohmann::json::array())) {
        monitor::FlowRecord r;
        if (auto s = record_from_json(f, r); !s.ok()) return s;
        out.flows.push_back(std::move(r));
    }
    return Status::success();
}

}  // namespace snoc::daemon
