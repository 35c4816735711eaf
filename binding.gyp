{
  "targets": [
    {
      "target_name": "berth_native",
      "sources": [
        "native/addon/addon.cc",
        "native/addon/errors.cc",
        "native/addon/args.cc",
        "native/addon/mounts.cc",
        "native/addon/files.cc",
        "native/addon/locks.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-O2"]
    },
    {
      "target_name": "berth-helper",
      "type": "executable",
      "sources": [
        "native/helper/main.c",
        "native/helper/spec.c",
        "native/helper/report.c",
        "native/helper/io.c",
        "native/helper/rootfs.c",
        "native/helper/devices.c",
        "native/helper/container.c",
        "native/helper/exec.c",
        "native/helper/monitor.c",
        "native/helper/cleanup.c"
      ],
      "defines": ["_GNU_SOURCE"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Werror=implicit-function-declaration", "-O2"],
      "ldflags": []
    }
  ]
}
