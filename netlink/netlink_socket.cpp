#include "netlink/netlink_socket.h"

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>

#include <cerrno>
#include <cstring>

namespace snoc::netlink {
namespace {

constexpr int kBufferBytes = 8 << 20;
// Each ack is a small skb, but the receive buffer is charged its truesize
// (about a kilobyte); keep a chunk's acks well inside the buffer.
constexpr size_t kAckCharge = 2048;
constexpr size_t kMaxChunk = 1024;

int socket_buffer(int fd, int opt) {
    int v = 0;
    socklen_t len = sizeof v;
    return getsockopt(fd, SOL_SOCKET, opt, &v, &len) == 0 ? v : 0;
}

}  // namespace

std::string extack_message(const nlmsghdr* h) {
    if (!(h->nlmsg_flags & NLM_F_ACK_TLVS)) return {};
    const auto* err = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
    // Capped acks carry only the request's header; uncapped ones its whole payload.
    size_t offset = sizeof(nlmsgerr);
    if (!(h->nlmsg_flags & NLM_F_CAPPED)) offset += err->msg.nlmsg_len - NLMSG_HDRLEN;
    const size_t payload = h->nlmsg_len - NLMSG_HDRLEN;
    if (offset >= payload) return {};
    auto* tlvs = reinterpret_cast<nlattr*>(const_cast<char*>(static_cast<const char*>(NLMSG_DATA(h))) + offset);
    nlattr* tb[NLMSGERR_ATTR_MAX + 1] = {};
    if (nla_parse(tb, NLMSGERR_ATTR_MAX, tlvs, static_cast<int>(payload - offset), nullptr) < 0) return {};
    if (!tb[NLMSGERR_ATTR_MSG]) return {};
    std::string text = nla_get_string(tb[NLMSGERR_ATTR_MSG]);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
    return text;
}

Status NetlinkSocket::open(std::unique_ptr<NetlinkSocket>& out, int protocol) {
    std::unique_ptr<NetlinkSocket> s(new NetlinkSocket());
    s->sock_ = nl_socket_alloc();
    if (!s->sock_) return Status::failure(ENOMEM, "cannot allocate a netlink socket");
    if (int err = nl_connect(s->sock_, protocol); err < 0) {
        return Status::failure(EIO, "cannot open netlink protocol " + std::to_string(protocol) + ": " + nl_geterror(err));
    }
    nl_socket_disable_seq_check(s->sock_);  // sequence numbers are matched here, per message
    const int fd = nl_socket_get_fd(s->sock_);
    const int one = 1;
    // Extended acks carry the kernel's reason text; capped acks keep replies small.
    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
    // As root the buffer may exceed rmem_max; otherwise take what is allowed.
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kBufferBytes, sizeof kBufferBytes) != 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kBufferBytes, sizeof kBufferBytes);
    }
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &kBufferBytes, sizeof kBufferBytes) != 0) {
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &kBufferBytes, sizeof kBufferBytes);
    }
    // A lost ack must not hang the controller: give up on a chunk after 30 s.
    timeval timeout{30, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    const size_t rcvbuf = static_cast<size_t>(socket_buffer(fd, SO_RCVBUF));
    s->chunk_ = std::clamp<size_t>(rcvbuf / kAckCharge, 16, kMaxChunk);
    s->rxbuf_.resize(1 << 20);
    out = std::move(s);
    return Status::success();
}

NetlinkSocket::~NetlinkSocket() {
    if (sock_) nl_socket_free(sock_);
}

std::vector<Status> NetlinkSocket::transact(std::vector<NlMsgPtr>& msgs, std::vector<std::string>* warnings) {
    std::vector<Status> results(msgs.size());
    if (warnings) warnings->assign(msgs.size(), {});
    const uint32_t port = nl_socket_get_local_port(sock_);
    std::vector<char> batch;
    for (size_t start = 0; start < msgs.size(); start += chunk_) {
        const size_t end = std::min(msgs.size(), start + chunk_);
        const uint32_t first_seq = next_seq_;
        batch.clear();
        for (size_t i = start; i < end; ++i) {
            nlmsghdr* h = nlmsg_hdr(msgs[i].get());
            // The kernel answers every failed request, acked or not. Unless the
            // caller wants warnings (extended acks on success), only the chunk's
            // last request asks for an ack: when it comes, every earlier request
            // without an error has succeeded. That halves the replies the kernel
            // builds and this loop reads.
            const bool ack = warnings != nullptr || i + 1 == end;
            h->nlmsg_flags = static_cast<uint16_t>((h->nlmsg_flags | NLM_F_REQUEST) & ~NLM_F_ACK);
            if (ack) h->nlmsg_flags |= NLM_F_ACK;
            h->nlmsg_seq = next_seq_++;
            h->nlmsg_pid = port;
            const auto* bytes = reinterpret_cast<const char*>(h);
            batch.insert(batch.end(), bytes, bytes + NLMSG_ALIGN(h->nlmsg_len));
        }
        if (int err = nl_sendto(sock_, batch.data(), batch.size()); err < 0) {
            for (size_t i = start; i < end; ++i) {
                results[i] = Status::failure(EIO, std::string("netlink send failed: ") + nl_geterror(err));
            }
            continue;
        }
        std::vector<Status> chunk_results(end - start);
        std::vector<std::string> chunk_warnings;
        Status s = receive_acks(first_seq, end - start, chunk_results, warnings ? &chunk_warnings : nullptr);
        for (size_t i = start; i < end; ++i) {
            results[i] = s.ok() ? chunk_results[i - start] : s;
            if (warnings && s.ok()) (*warnings)[i] = chunk_warnings[i - start];
        }
    }
    return results;
}

Status NetlinkSocket::receive_acks(uint32_t first_seq, size_t count, std::vector<Status>& results,
                                   std::vector<std::string>* warnings) {
    if (warnings) warnings->assign(count, {});
    std::vector<bool> done(count, false);
    size_t remaining = count;
    const int fd = nl_socket_get_fd(sock_);
    while (remaining > 0) {
        const ssize_t n = recv(fd, rxbuf_.data(), rxbuf_.size(), 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return Status::failure(errno, std::string("netlink receive failed: ") + std::strerror(errno) +
                                              (errno == ENOBUFS ? " (acks overflowed the receive buffer)"
                                               : errno == EAGAIN ? " (no answer within 30 s)"
                                                                 : ""));
        }
        int len = static_cast<int>(n);
        for (auto* h = reinterpret_cast<nlmsghdr*>(rxbuf_.data()); nlmsg_ok(h, len); h = nlmsg_next(h, &len)) {
            if (h->nlmsg_type != NLMSG_ERROR) continue;  // echoes and notifications are not ours
            const uint32_t idx = h->nlmsg_seq - first_seq;
            if (idx >= count || done[idx]) continue;
            const auto* err = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
            const std::string text = extack_message(h);
            if (err->error == 0) {
                results[idx] = Status::success();
                if (warnings) (*warnings)[idx] = text;
            } else {
                results[idx] = Status::failure(-err->error, text.empty() ? std::strerror(-err->error) : text);
            }
            done[idx] = true;
            --remaining;
            if (idx + 1 == count) {
                // The chunk's last request is answered: the kernel has processed
                // all of them, and the unanswered ones had no error.
                for (size_t k = 0; k < count; ++k) {
                    if (done[k]) continue;
                    results[k] = Status::success();
                    done[k] = true;
                    --remaining;
                }
            }
        }
    }
    return Status::success();
}

Status NetlinkSocket::dump(NlMsgPtr request, const std::function<void(nlmsghdr*)>& each) {
    nlmsghdr* req = nlmsg_hdr(request.get());
    req->nlmsg_flags |= NLM_F_REQUEST;
    // A plain GET (no NLM_F_DUMP) ends with its ack instead of NLMSG_DONE.
    if (!(req->nlmsg_flags & NLM_F_DUMP)) req->nlmsg_flags |= NLM_F_ACK;
    req->nlmsg_seq = next_seq_++;
    req->nlmsg_pid = nl_socket_get_local_port(sock_);
    if (int err = nl_sendto(sock_, req, req->nlmsg_len); err < 0) {
        return Status::failure(EIO, std::string("netlink send failed: ") + nl_geterror(err));
    }
    const int fd = nl_socket_get_fd(sock_);
    for (;;) {
        const ssize_t n = recv(fd, rxbuf_.data(), rxbuf_.size(), 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return Status::failure(errno, std::string("netlink dump failed: ") + std::strerror(errno));
        }
        int len = static_cast<int>(n);
        for (auto* h = reinterpret_cast<nlmsghdr*>(rxbuf_.data()); nlmsg_ok(h, len); h = nlmsg_next(h, &len)) {
            if (h->nlmsg_seq != req->nlmsg_seq) continue;
            if (h->nlmsg_type == NLMSG_DONE) return Status::success();
            if (h->nlmsg_type == NLMSG_ERROR) {
                const auto* err = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
                if (err->error == 0) return Status::success();
                const std::string text = extack_message(h);
                return Status::failure(-err->error, text.empty() ? std::strerror(-err->error) : text);
            }
            each(h);
        }
    }
}

}  // namespace snoc::netlink
