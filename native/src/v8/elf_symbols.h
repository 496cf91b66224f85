// Function addresses from the V8 module's ELF symbol tables. Recent Node.js
// builds keep V8's internal functions as local symbols, which dlsym cannot
// see; the full table (.symtab) has them unless the binary is stripped.
#pragma once

#include <string>
#include <vector>

#include "v8/v8_module.h"

namespace stackless {

struct FunctionSymbol {
  void* address = nullptr;  // nullptr where absent
  size_t size = 0;          // bytes of code, as the symbol table records
};

// Looks up each of `names` (mangled) among the defined functions of .symtab,
// then of .dynsym, and sets the matching entry of `found`. Returns false with
// a reason only if the file cannot be read as a 64-bit ELF file.
bool LookUpFunctions(const V8Module& module, const std::vector<std::string>& names,
                     std::vector<FunctionSymbol>* found, std::string* error);

}  // namespace stackless
