{
  # Warnings are errors in the project's own builds (the workspace build, CI,
  # the prebuilds): `node-gyp configure --stackless_werror=true`. A user's
  # build from source leaves them warnings, so a newer compiler cannot fail an
  # install.
  "variables": { "stackless_werror%": "false" },
  "targets": [
    {
      "target_name": "stackless",
      "sources": [
        "src/base/read_probe.cc",
        "src/binding/addon.cc",
        "src/core/coroutines.cc",
        "src/core/relock_stack.cc",
        "src/core/stack_cache.cc",
        "src/core/watchdog.cc",
        "src/shortcuts/debug_step_guard.cc",
        "src/shortcuts/debug_walk_bypass.cc",
        "src/shortcuts/direct_restore.cc",
        "src/shortcuts/scavenge_skip.cc",
        "src/shortcuts/shortcut.cc",
        "src/stacks/stack_pool.cc",
        "src/switch/context.cc",
        "src/v8/continuation_data_shield.cc",
        "src/v8/elf_symbols.cc",
        "src/v8/interrupt_probe.cc",
        "src/v8/join_stack.cc",
        "src/v8/thread_archive_layout.cc",
        "src/v8/thread_identity.cc",
        "src/v8/v8_functions.cc",
        "src/v8/v8_module.cc"
      ],
      # Includes name their layer from src: #include "v8/thread_identity.h"
      # (src/README.md: which layer may include which).
      "include_dirs": ["src", "<!(node -p \"require('node-addon-api').include_dir\")"],
      # NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS: in a thread being terminated
      # V8 refuses every throw, and node-addon-api would then abort the whole
      # process (a worker.terminate() landing inside a refused call did).
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED",
                  "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags": ["-Wall", "-Wextra"],
      "cflags_cc": ["-std=c++20", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      # Bind every symbol at load: an addon built for another Node ABI then
      # fails inside require() (an error index.js explains) instead of killing
      # the process at the first call of a missing V8 function.
      "ldflags": ["-Wl,-z,now"],
      "conditions": [
        ["stackless_werror == 'true'", { "cflags": ["-Werror"], "cflags_cc": ["-Werror"] }],
        ["target_arch == 'x64'", { "sources": ["src/switch/asm/switch_x86_64_sysv.S"] }],
        ["target_arch == 'arm64'", { "sources": ["src/switch/asm/switch_aarch64_aapcs64.S"] }]
      ]
    }
  ]
}
