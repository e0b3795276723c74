// Making a directory only this user can change, on a path nobody else can
// redirect: every component is opened without following symlinks
// (openat O_NOFOLLOW), every existing one must be owned by this user or
// root and not writable by others (unless sticky, as /tmp), and every one
// created here is made mode 0700 whatever the umask. snoc pins the
// emulated eSwitch's maps and mounts a bpffs under /run/snoc: a symlink
// planted there by another user must not send them elsewhere.
#pragma once

#include <string>

#include "offload/status.h"

namespace snoc::sys {

// `path` must be absolute. On failure the reason names the component and
// what is wrong with it ("/run/snoc is a symbolic link", "... is writable
// by others (mode 0777)") and how to fix it.
offload::Status make_private_dir(const std::string& path);

}  // namespace snoc::sys
