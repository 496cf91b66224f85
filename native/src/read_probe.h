// Reading memory that may not be readable, without the risk of a SIGSEGV.
#pragma once

#include <cstddef>

namespace stackless {

// Copies `size` bytes from `address` through a pipe: the kernel does the
// read and reports an unreadable address as EFAULT instead of raising
// SIGSEGV. Returns 0 on success, else the errno of the failure.
int ProbeRead(const void* address, void* out, size_t size);

}  // namespace stackless
