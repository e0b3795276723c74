// Splits a byte stream into complete top-level JSON texts.
//
// OVSDB (RFC 7047) and unixctl send JSON-RPC messages back to back on a
// stream socket with no length prefix and no newline guarantee, and a read()
// may end anywhere: in the middle of a string, between two objects, or
// across several. The splitter tracks brace/bracket depth outside strings
// (honouring escapes), so a message is handed out only once complete.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace snoc::ovs {

class JsonStreamSplitter {
public:
    // Refuses to buffer a single message larger than this (a broken or hostile
    // peer must not make us grow without bound).
    static constexpr size_t kDefaultMaxMessage = 64u << 20;

    explicit JsonStreamSplitter(size_t max_message = kDefaultMaxMessage) : max_message_(max_message) {}

    void feed(std::string_view bytes) { buf_.append(bytes); }

    // The next complete top-level JSON text, or nullopt when more bytes are
    // needed or the stream is broken (then error() says why).
    std::optional<std::string> next();

    // Non-empty once the stream can no longer be split (a top-level value that
    // is not an object or array, or a message over the size limit).
    const std::string& error() const { return error_; }
    // Bytes received but not yet handed out.
    size_t buffered() const { return buf_.size(); }

private:
    std::string buf_;
    size_t scan_ = 0;     // bytes of buf_ already scanned for the current message
    size_t depth_ = 0;    // open { and [ outside strings
    bool started_ = false;
    bool in_string_ = false;
    bool escape_ = false;
    size_t max_message_;
    std::string error_;
};

}  // namespace snoc::ovs
