// V8's internal functions that the switch shortcuts call or read, looked up
// once per process in the binary's symbol tables, on a background thread:
// reading a table of ~150,000 symbols takes tens of milliseconds, which
// module loading should not wait for.
#pragma once

#include <cstddef>
#include <string>

#include "v8/elf_symbols.h"

namespace stackless {

// X(enumerator, mangled name), one line per function: the enum below and the
// table of names the lookup searches for (v8_functions.cc) are both made from
// this list, so they cannot fall out of step.
#define STACKLESS_V8_FUNCTIONS(X) \
  /* The debugger-walk bypass. */ \
  /* HandleScopeImplementer::ArchiveSpacePerThread() */ \
  X(kHandleScopeArchiveSize, "_ZN2v88internal22HandleScopeImplementer21ArchiveSpacePerThreadEv") \
  /* ExternalReference::debug_is_active_address(Isolate*) */ \
  X(kDebugIsActiveAddress, "_ZN2v88internal17ExternalReference23debug_is_active_addressEPNS0_7IsolateE") \
  /* Isolate::get_address_from_id (cross-check only; not in V8 14) */ \
  X(kAddressFromId, "_ZN2v88internal7Isolate19get_address_from_idENS0_16IsolateAddressIdE") \
  /* The direct restore. */ \
  /* ThreadManager::GetFreeThreadState() */ \
  X(kGetFreeThreadState, "_ZN2v88internal13ThreadManager18GetFreeThreadStateEv") \
  /* ThreadManager::EagerlyArchiveThread() (read; called whole if unexpected) */ \
  X(kEagerlyArchiveThread, "_ZN2v88internal13ThreadManager20EagerlyArchiveThreadEv") \
  /* ThreadManager::RestoreThread() (read, not called) */ \
  X(kRestoreThread, "_ZN2v88internal13ThreadManager13RestoreThreadEv") \
  /* ThreadState::Unlink() */ \
  X(kThreadStateUnlink, "_ZN2v88internal11ThreadState6UnlinkEv") \
  /* ThreadState::LinkInto(List) */ \
  X(kThreadStateLinkInto, "_ZN2v88internal11ThreadState8LinkIntoENS1_4ListE") \
  /* HandleScopeImplementer::RestoreThread(char*) */ \
  X(kHandleScopeRestore, "_ZN2v88internal22HandleScopeImplementer13RestoreThreadEPc") \
  /* Isolate::RestoreThread(char*) */ \
  X(kIsolateRestore, "_ZN2v88internal7Isolate13RestoreThreadEPc") \
  /* Relocatable::RestoreState(Isolate*, char*) */ \
  X(kRelocatableRestore, "_ZN2v88internal11Relocatable12RestoreStateEPNS0_7IsolateEPc") \
  /* StackGuard::RestoreStackGuard(char*) */ \
  X(kStackGuardRestore, "_ZN2v88internal10StackGuard17RestoreStackGuardEPc") \
  /* Debug::RestoreDebug(char*) */ \
  X(kDebugRestore, "_ZN2v88internal5Debug12RestoreDebugEPc") \
  /* Debug::ArchiveSpacePerThread() */ \
  X(kDebugArchiveSize, "_ZN2v88internal5Debug21ArchiveSpacePerThreadEv") \
  /* RegExpStack::RestoreStack(char*) */ \
  X(kRegExpStackRestore, "_ZN2v88internal11RegExpStack12RestoreStackEPc") \
  /* Bootstrapper::RestoreState(char*) */ \
  X(kBootstrapperRestore, "_ZN2v88internal12Bootstrapper12RestoreStateEPc") \
  /* base::RecursiveMutex::Lock() */ \
  X(kRecursiveMutexLock, "_ZN2v84base14RecursiveMutex4LockEv") \
  /* base::RecursiveMutex::Unlock() */ \
  X(kRecursiveMutexUnlock, "_ZN2v84base14RecursiveMutex6UnlockEv") \
  /* HandleScopeImplementer::ArchiveThread(char*) */ \
  X(kHandleScopeArchive, "_ZN2v88internal22HandleScopeImplementer13ArchiveThreadEPc") \
  /* Isolate::ArchiveThread(char*) */ \
  X(kIsolateArchive, "_ZN2v88internal7Isolate13ArchiveThreadEPc") \
  /* Relocatable::ArchiveState(Isolate*, char*) */ \
  X(kRelocatableArchive, "_ZN2v88internal11Relocatable12ArchiveStateEPNS0_7IsolateEPc") \
  /* StackGuard::ArchiveStackGuard(char*) (only looked for in the above) */ \
  X(kStackGuardArchive, "_ZN2v88internal10StackGuard17ArchiveStackGuardEPc") \
  /* Debug::ArchiveDebug(char*) */ \
  X(kDebugArchive, "_ZN2v88internal5Debug12ArchiveDebugEPc") \
  /* RegExpStack::ArchiveStack(char*) */ \
  X(kRegExpStackArchive, "_ZN2v88internal11RegExpStack12ArchiveStackEPc") \
  /* Bootstrapper::ArchiveState(char*) */ \
  X(kBootstrapperArchive, "_ZN2v88internal12Bootstrapper12ArchiveStateEPc") \
  /* ExternalReference::handle_scope_implementer_address(Isolate*) */ \
  X(kHandleScopeImplementerAddress, "_ZN2v88internal17ExternalReference32handle_scope_implementer_addressEPNS0_7IsolateE") \
  /* ExternalReference::address_of_regexp_stack_limit_address(Isolate*) */ \
  X(kRegExpStackLimitAddress, "_ZN2v88internal17ExternalReference37address_of_regexp_stack_limit_addressEPNS0_7IsolateE") \
  /* The debugger-step guard (read or called with the Debug object). */ \
  /* Debug::ClearStepping() (read; called where the guard cannot verify itself) */ \
  X(kDebugClearStepping, "_ZN2v88internal5Debug13ClearSteppingEv") \
  /* Debug::UpdateHookOnFunctionCall() */ \
  X(kDebugUpdateHook, "_ZN2v88internal5Debug24UpdateHookOnFunctionCallEv") \
  /* Debug::SetBreakOnNextFunctionCall() */ \
  X(kDebugSetBreakOnNextCall, "_ZN2v88internal5Debug26SetBreakOnNextFunctionCallEv") \
  /* v8::debug::ClearStepping(Isolate*) (the fallback needs no Debug object) */ \
  X(kDebugApiClearStepping, "_ZN2v85debug13ClearSteppingEPNS_7IsolateE") \
  /* Debug::SetBreakPointForScript(Handle<Script>, Handle<String>, int*, int*) (read) */ \
  X(kDebugSetBreakPointForScript, "_ZN2v88internal5Debug22SetBreakPointForScriptENS0_6HandleINS0_6ScriptEEENS2_INS0_6StringEEEPiS7_") \
  /* the same from V8 13 (DirectHandle<String>) (read) */ \
  X(kDebugSetBreakPointForScriptDirect, "_ZN2v88internal5Debug22SetBreakPointForScriptENS0_6HandleINS0_6ScriptEEENS0_12DirectHandleINS0_6StringEEEPiS8_")

enum class V8Function : int {
#define STACKLESS_V8_ENUMERATOR(name, mangled) name,
  STACKLESS_V8_FUNCTIONS(STACKLESS_V8_ENUMERATOR)
#undef STACKLESS_V8_ENUMERATOR
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
