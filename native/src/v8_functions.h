// V8's internal functions that the switch shortcuts call or read, looked up
// once per process in the binary's symbol tables, on a background thread:
// reading a table of ~150,000 symbols takes tens of milliseconds, which
// module loading should not wait for.
#pragma once

#include <cstddef>
#include <string>

#include "elf_symbols.h"

namespace stackless {

enum class V8Function : int {
  // The debugger-walk bypass.
  kHandleScopeArchiveSize,   // HandleScopeImplementer::ArchiveSpacePerThread()
  kDebugIsActiveAddress,     // ExternalReference::debug_is_active_address(Isolate*)
  kAddressFromId,            // Isolate::get_address_from_id (cross-check only; not in V8 14)
  // The direct restore.
  kGetFreeThreadState,       // ThreadManager::GetFreeThreadState()
  kEagerlyArchiveThread,     // ThreadManager::EagerlyArchiveThread() (read; called whole if unexpected)
  kRestoreThread,            // ThreadManager::RestoreThread() (read, not called)
  kThreadStateUnlink,        // ThreadState::Unlink()
  kThreadStateLinkInto,      // ThreadState::LinkInto(List)
  kHandleScopeRestore,       // HandleScopeImplementer::RestoreThread(char*)
  kIsolateRestore,           // Isolate::RestoreThread(char*)
  kRelocatableRestore,       // Relocatable::RestoreState(Isolate*, char*)
  kStackGuardRestore,        // StackGuard::RestoreStackGuard(char*)
  kDebugRestore,             // Debug::RestoreDebug(char*)
  kDebugArchiveSize,         // Debug::ArchiveSpacePerThread()
  kRegExpStackRestore,       // RegExpStack::RestoreStack(char*)
  kBootstrapperRestore,      // Bootstrapper::RestoreState(char*)
  kRecursiveMutexLock,       // base::RecursiveMutex::Lock()
  kRecursiveMutexUnlock,     // base::RecursiveMutex::Unlock()
  kHandleScopeArchive,       // HandleScopeImplementer::ArchiveThread(char*)
  kIsolateArchive,           // Isolate::ArchiveThread(char*)
  kRelocatableArchive,       // Relocatable::ArchiveState(Isolate*, char*)
  kStackGuardArchive,        // StackGuard::ArchiveStackGuard(char*) (only looked for in the above)
  kDebugArchive,             // Debug::ArchiveDebug(char*)
  kRegExpStackArchive,       // RegExpStack::ArchiveStack(char*)
  kBootstrapperArchive,      // Bootstrapper::ArchiveState(char*)
  kHandleScopeImplementerAddress,  // ExternalReference::handle_scope_implementer_address(Isolate*)
  kRegExpStackLimitAddress,  // ExternalReference::address_of_regexp_stack_limit_address(Isolate*)
  // The debugger-step guard (read or called with the Debug object).
  kDebugClearStepping,       // Debug::ClearStepping() (read; called where the guard cannot verify itself)
  kDebugUpdateHook,          // Debug::UpdateHookOnFunctionCall()
  kDebugSetBreakOnNextCall,  // Debug::SetBreakOnNextFunctionCall()
  kDebugApiClearStepping,    // v8::debug::ClearStepping(Isolate*) (the fallback needs no Debug object)
  kDebugSetBreakPointForScript,        // Debug::SetBreakPointForScript(Handle<Script>, Handle<String>, int*, int*) (read)
  kDebugSetBreakPointForScriptDirect,  // the same from V8 13 (DirectHandle<String>) (read)
  kCount
};

struct V8Functions {
  FunctionSymbol symbol[static_cast<int>(V8Function::kCount)];
  std::string error;  // set if the symbol tables could not be read at all

  const FunctionSymbol& operator[](V8Function which) const {
    return symbol[static_cast<int>(which)];
  }
  template <typename Pointer>
  Pointer As(V8Function which) const {
    return reinterpret_cast<Pointer>((*this)[which].address);
  }
};

// Starts the lookup if it has not started. Returns the table once it is done.
const V8Functions* V8FunctionsIfReady();
// Blocks until the lookup has finished.
const V8Functions& WaitForV8Functions();

}  // namespace stackless
