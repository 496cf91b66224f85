#include "v8/v8_module.h"

#include <link.h>
#include <v8.h>

namespace stackless {

namespace {

struct ModuleSearch {
  uintptr_t probe = 0;
  bool found = false;
  V8Module* module = nullptr;
};

int VisitModule(struct dl_phdr_info* info, size_t, void* data) {
  auto* search = static_cast<ModuleSearch*>(data);
  bool contains_probe = false;
  const ElfW(Phdr)* tls = nullptr;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& phdr = info->dlpi_phdr[i];
    if (phdr.p_type == PT_TLS) tls = &phdr;
    if (phdr.p_type != PT_LOAD) continue;
    uintptr_t start = info->dlpi_addr + phdr.p_vaddr;
    if (search->probe >= start && search->probe < start + phdr.p_memsz) contains_probe = true;
  }
  if (!contains_probe) return 0;
  search->found = true;
  V8Module* module = search->module;
  // The executable is listed with an empty name.
  module->path = info->dlpi_name != nullptr && info->dlpi_name[0] != '\0' ? info->dlpi_name
                                                                          : "/proc/self/exe";
  module->load_bias = info->dlpi_addr;
  if (tls != nullptr) {
    module->tls_block = static_cast<char*>(info->dlpi_tls_data);
    module->tls_size = tls->p_memsz;
  }
  return 1;
}

}  // namespace

bool FindV8Module(V8Module* module, std::string* error) {
  *module = V8Module{};
  ModuleSearch search;
  search.probe = reinterpret_cast<uintptr_t>(&v8::Isolate::GetCurrent);
  search.module = module;
  dl_iterate_phdr(VisitModule, &search);
  if (!search.found) {
    *error = "cannot find the module that contains V8 (dl_iterate_phdr)";
    return false;
  }
  return true;
}

}  // namespace stackless
