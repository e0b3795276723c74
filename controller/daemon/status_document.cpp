#include "controller/daemon/status_document.h"

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
        out = {};
        out.source = j.at("source").get<std::string>() == "hw-rule" ? monitor::Source::HwRule : monitor::Source::Datapath;
        out.id = j.at("id").get<std::string>();
        const auto placement = monitor::parse_placement(j.at("placement").get<std::string>());
        if (!placement) return Status::failure(EINVAL, "unknown placement " + j.at("placement").dump());
        out.placement = *placement;
        out.labels = {j.at("nic").get<std::string>(), j.at("bridge").get<std::string>(), j.at("port").get<std::string>(),
                      j.at("workload").get<std::string>(), j.at("rule").get<std::string>()};
        out.match = j.at("match").get<std::string>();
        out.actions = j.at("actions").get<std::string>();
        out.packets = j.at("packets").get<uint64_t>();
        out.bytes = j.at("bytes").get<uint64_t>();
        if (!j.at("idle_ms").is_null()) out.idle_ms = j.at("idle_ms").get<uint64_t>();
        for (const auto& why : j.at("reasons")) {
            const auto code = reason_code_from(why.at("code").get<std::string>());
            if (!code) return Status::failure(EINVAL, "unknown reason code " + why.at("code").dump());
            out.reasons.push_back({*code, why.at("subject").get<std::string>(), why.at("detail").get<std::string>()});
        }
    } catch (const nlohmann::json::exception& e) {
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
