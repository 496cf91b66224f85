// The loaded module (the node executable, or libnode) that contains V8.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace stackless {

struct V8Module {
  std::string path;         // a file that can be opened: /proc/self/exe for the executable
  uintptr_t load_bias = 0;  // added to the file's symbol values
  char* tls_block = nullptr;  // the calling thread's TLS block of the module, if it has one
  size_t tls_size = 0;
};

// Finds the module by the address of a V8 API function. Returns false with a
// reason if no loaded module contains it.
bool FindV8Module(V8Module* module, std::string* error);

}  // namespace stackless
