{
  "targets": [
    {
      "target_name": "stackless",
      "sources": [
        "src/addon.cc",
        "src/context.cc",
        "src/continuation_data_shield.cc",
        "src/coroutines.cc",
        "src/debug_walk_bypass.cc",
        "src/direct_restore.cc",
        "src/elf_symbols.cc",
        "src/environment.cc",
        "src/interrupt_probe.cc",
        "src/join_stack.cc",
        "src/read_probe.cc",
        "src/scavenge_skip.cc",
        "src/stack_pool.cc",
        "src/thread_archive_layout.cc",
        "src/thread_identity.cc",
        "src/v8_functions.cc",
        "src/v8_module.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags": ["-Wall", "-Wextra", "-Werror"],
      "cflags_cc": ["-std=c++20", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter"],
      "conditions": [
        ["target_arch == 'x64'", { "sources": ["src/asm/switch_x86_64_sysv.S"] }],
        ["target_arch == 'arm64'", { "sources": ["src/asm/switch_aarch64_aapcs64.S"] }]
      ]
    }
  ]
}
