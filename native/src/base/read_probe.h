// Reading memory that may not be readable, without the risk of a SIGSEGV.
#pragma once

#include <cstddef>
#include <cstdint>

namespace stackless {

// Copies `size` bytes from `address` through a pipe: the kernel does the
// read and reports an unreadable address as EFAULT instead of raising
// SIGSEGV. Returns 0 on success, else the errno of the failure.
int ProbeRead(const void* address, void* out, size_t size);

// The same as a yes or no, refusing at once the never-mapped first page
// (whose size is the system's: 4 KiB on x86-64, up to 64 KiB on arm64).
bool ProbeBytes(uint64_t address, void* out, size_t size);

// Reads one value (or array) of type T.
template <typename T>
bool ProbeValue(uint64_t address, T* value) {
  return ProbeBytes(address, value, sizeof *value);
}

}  // namespace stackless
