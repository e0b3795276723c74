#include "ovs-integration/json_stream.h"

namespace snoc::ovs {

std::optional<std::string> JsonStreamSplitter::next() {
    if (!error_.empty()) return std::nullopt;
    if (!started_) {
        // Whitespace between messages is allowed (some peers end each with \n).
        size_t skip = 0;
        while (skip < buf_.size() &&
               (buf_[skip] == ' ' || buf_[skip] == '\n' || buf_[skip] == '\r' || buf_[skip] == '\t')) {
            ++skip;
        }
        buf_.erase(0, skip);
        if (buf_.empty()) return std::nullopt;
        if (buf_[0] != '{' && buf_[0] != '[') {
            // JSON-RPC messages are objects; anything else means we lost sync
            // and every later byte would be misread.
            error_ = "expected '{' at the start of a JSON-RPC message, got byte 0x" +
                     std::string(1, "0123456789abcdef"[(static_cast<unsigned char>(buf_[0]) >> 4) & 0xf]) +
                     std::string(1, "0123456789abcdef"[static_cast<unsigned char>(buf_[0]) & 0xf]);
            return std::nullopt;
        }
        started_ = true;
        scan_ = 0;
        depth_ = 0;
    }
    for (; scan_ < buf_.size(); ++scan_) {
        const char c = buf_[scan_];
        if (in_string_) {
            if (escape_) {
                escape_ = false;
            } else if (c == '\\') {
                escape_ = true;
            } else if (c == '"') {
                in_string_ = false;
            }
            continue;
        }
        if (c == '"') {
            in_string_ = true;
        } else if (c == '{' || c == '[') {
            ++depth_;
        } else if (c == '}' || c == ']') {
            if (depth_ == 0) {
                error_ = "unbalanced '" + std::string(1, c) + "' in JSON-RPC stream";
                return std::nullopt;
            }
            if (--depth_ == 0) {
                std::string message = buf_.substr(0, scan_ + 1);
                buf_.erase(0, scan_ + 1);
                started_ = false;
                scan_ = 0;
                return message;
            }
        }
    }
    if (buf_.size() > max_message_) {
        error_ = "JSON-RPC message larger than " + std::to_string(max_message_) + " bytes";
    }
    return std::nullopt;
}

}  // namespace snoc::ovs
