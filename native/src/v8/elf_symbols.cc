#include "v8/elf_symbols.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <unordered_map>

namespace stackless {

namespace {

// A read-only view of the whole file; every offset read from it is checked.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      error_ = errno;
      return;
    }
    struct stat status;
    if (fstat(fd, &status) == 0 && status.st_size > 0) {
      void* data = mmap(nullptr, static_cast<size_t>(status.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
      if (data != MAP_FAILED) {
        data_ = static_cast<const char*>(data);
        size_ = static_cast<size_t>(status.st_size);
      } else {
        error_ = errno;
      }
    } else {
      error_ = errno != 0 ? errno : EINVAL;
    }
    close(fd);
  }
  ~MappedFile() {
    if (data_ != nullptr) munmap(const_cast<char*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  int error() const { return error_; }
  bool Contains(uint64_t offset, uint64_t length) const {
    return offset <= size_ && length <= size_ - offset;
  }
  template <typename T>
  const T* At(uint64_t offset) const {
    return Contains(offset, sizeof(T)) ? reinterpret_cast<const T*>(data_ + offset) : nullptr;
  }
  const char* data() const { return data_; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
  int error_ = 0;
};

// Fills found[i] for every still-missing name defined as a function in the
// symbol table `table`.
void Scan(const MappedFile& file, const Elf64_Ehdr& header, const Elf64_Shdr& table,
          const std::unordered_map<std::string_view, size_t>& wanted, uintptr_t load_bias,
          std::vector<FunctionSymbol>* found_symbols) {
  if (table.sh_entsize != sizeof(Elf64_Sym) || table.sh_link >= header.e_shnum) return;
  const auto* strings =
      file.At<Elf64_Shdr>(header.e_shoff + uint64_t{table.sh_link} * sizeof(Elf64_Shdr));
  if (strings == nullptr || !file.Contains(table.sh_offset, table.sh_size) ||
      !file.Contains(strings->sh_offset, strings->sh_size)) {
    return;
  }
  const char* names = file.data() + strings->sh_offset;
  const size_t names_size = strings->sh_size;
  const auto* symbols = reinterpret_cast<const Elf64_Sym*>(file.data() + table.sh_offset);
  const size_t count = table.sh_size / sizeof(Elf64_Sym);
  for (size_t i = 0; i < count; ++i) {
    const Elf64_Sym& symbol = symbols[i];
    if (ELF64_ST_TYPE(symbol.st_info) != STT_FUNC || symbol.st_shndx == SHN_UNDEF ||
        symbol.st_value == 0 || symbol.st_name >= names_size) {
      continue;
    }
    const char* name = names + symbol.st_name;
    const size_t length = strnlen(name, names_size - symbol.st_name);
    auto found = wanted.find(std::string_view(name, length));
    if (found == wanted.end() || (*found_symbols)[found->second].address != nullptr) continue;
    (*found_symbols)[found->second] = {reinterpret_cast<void*>(load_bias + symbol.st_value),
                                       static_cast<size_t>(symbol.st_size)};
  }
}

}  // namespace

bool LookUpFunctions(const V8Module& module, const std::vector<std::string>& names,
                     std::vector<FunctionSymbol>* found, std::string* error) {
  found->assign(names.size(), FunctionSymbol{});
  MappedFile file(module.path);
  if (file.error() != 0) {
    *error = "cannot read " + module.path + ": " + std::strerror(file.error());
    return false;
  }
  const auto* header = file.At<Elf64_Ehdr>(0);
  if (header == nullptr || std::memcmp(header->e_ident, ELFMAG, SELFMAG) != 0 ||
      header->e_ident[EI_CLASS] != ELFCLASS64 || header->e_shentsize != sizeof(Elf64_Shdr) ||
      !file.Contains(header->e_shoff, uint64_t{header->e_shnum} * sizeof(Elf64_Shdr))) {
    *error = module.path + " is not a 64-bit ELF file with section headers";
    return false;
  }
  std::unordered_map<std::string_view, size_t> wanted;
  for (size_t i = 0; i < names.size(); ++i) wanted.emplace(names[i], i);
  const auto* sections = file.At<Elf64_Shdr>(header->e_shoff);
  for (uint32_t type : {SHT_SYMTAB, SHT_DYNSYM}) {
    for (size_t i = 0; i < header->e_shnum; ++i) {
      if (sections[i].sh_type == type) {
        Scan(file, *header, sections[i], wanted, module.load_bias, found);
      }
    }
  }
  return true;
}

}  // namespace stackless
