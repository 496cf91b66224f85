#include "base/read_probe.h"

#include <unistd.h>

#include <cerrno>

namespace stackless {

int ProbeRead(const void* address, void* out, size_t size) {
  int fds[2];
  if (pipe(fds) != 0) return errno;
  int error = 0;
  if (write(fds[1], address, size) != static_cast<ssize_t>(size)) {
    error = errno != 0 ? errno : EIO;
  } else if (read(fds[0], out, size) != static_cast<ssize_t>(size)) {
    error = errno != 0 ? errno : EIO;
  }
  close(fds[0]);
  close(fds[1]);
  return error;
}

bool ProbeBytes(uint64_t address, void* out, size_t size) {
  static const auto page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  return address >= page && ProbeRead(reinterpret_cast<const void*>(address), out, size) == 0;
}

}  // namespace stackless
