// Checks the AAPCS64 context switch (src/asm/switch_aarch64_aapcs64.S) on its
// own, outside V8: every callee-saved register and FPCR survive a round trip
// through a context that trashes them all; a fresh context starts with a
// 16-byte aligned stack, the default FPCR and its argument; and unwinding
// from a fresh context stops at stackless_context_entry. Built and run by
// scripts/test-on-arm64.sh (under qemu-aarch64 on x86-64 machines).
#include <execinfo.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>

#include "switch/context.h"

extern "C" void selftest_drive(uint64_t* block, void** save_sp, void* load_sp);
extern "C" void selftest_clobber_and_swap(void** save_sp, void* load_sp);

namespace {

void* main_sp = nullptr;
void* fresh_sp = nullptr;
int arg_marker = 0;

struct EntryObservation {
  bool ran = false;
  bool right_arg = false;
  uint64_t fpcr = ~uint64_t{0};
  uint64_t sp = 0;
  int frames = 0;
} seen;

void Entry(void* arg) {
  seen.ran = true;
  seen.right_arg = arg == &arg_marker;
  asm volatile("mrs %0, fpcr" : "=r"(seen.fpcr));
  asm volatile("mov %0, sp" : "=r"(seen.sp));
  void* frames[32];
  seen.frames = backtrace(frames, 32);  // must end at stackless_context_entry
  selftest_clobber_and_swap(&fresh_sp, main_sp);
}

int failures = 0;

void Check(bool ok, const char* what) {
  std::printf("%s - %s\n", ok ? "ok" : "not ok", what);
  if (!ok) ++failures;
}

}  // namespace

int main() {
  const auto page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t size = 16 * page;
  void* mapping = mmap(nullptr, size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (mapping == MAP_FAILED) {
    std::perror("mmap");
    return 2;
  }
  char* top = static_cast<char*>(mapping) + size - 8;  // deliberately misaligned
  fresh_sp = stackless::PrepareContext(top, &Entry, &arg_marker);

  uint64_t block[41] = {};
  for (int i = 0; i < 10; ++i) block[i] = 0x1900000000000000ull + (uint64_t{0x0101} * i);
  for (int i = 10; i < 18; ++i) {
    const double value = 0.25 + i;
    std::memcpy(&block[i], &value, sizeof value);
  }
  block[18] = (uint64_t{1} << 22) | (uint64_t{1} << 25);  // round towards +inf, default NaN
  block[19] = 0x2929;                                     // x29
  selftest_drive(block, &main_sp, fresh_sp);

  static const char* const names[20] = {
      "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28",
      "d8", "d9", "d10", "d11", "d12", "d13", "d14", "d15", "FPCR", "x29"};
  for (int i = 0; i < 20; ++i) {
    char what[64];
    std::snprintf(what, sizeof what, "%s preserved across a switch", names[i]);
    Check(block[i] == block[20 + i], what);
  }
  Check(block[40] % 16 == 0, "sp 16-byte aligned after resuming");
  Check(seen.ran && seen.right_arg, "a fresh context runs entry(arg)");
  Check(seen.sp % 16 == 0, "a fresh context starts with sp 16-byte aligned");
  Check(seen.sp < reinterpret_cast<uintptr_t>(top) &&
            seen.sp > reinterpret_cast<uintptr_t>(mapping),
        "a fresh context runs on its own stack");
  Check(seen.fpcr == 0, "a fresh context starts with the default FPCR");
  Check(seen.frames >= 1 && seen.frames <= 3, "unwinding stops at stackless_context_entry");
  munmap(mapping, size);
  std::printf("# page size %zu\n", page);
  std::printf("switch self-test: %s\n", failures == 0 ? "passed" : "FAILED");
  return failures == 0 ? 0 : 1;
}
