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
        "native/addon/locks.cc",
        "native/addon/rtnl.cc",
        "native/addon/net.cc",
        "native/addon/inroot.cc",
        "native/addon/proxy.cc",
        "native/addon/spawn.cc",
        "native/addon/write-file.cc"
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
        "native/helper/cleanup.c",
        "native/helper/caps.c",
        "native/helper/rlimits.c",
        "native/helper/mountspec.c",
        "native/helper/inroot.c",
        "native/helper/remount.c",
        "native/helper/mounts.c",
        "native/helper/view.c",
        "native/helper/masks.c",
        "native/helper/passwd.c",
        "native/helper/user.c",
        "native/helper/seccomp.c",
        "native/helper/seccomp_allow.c",
        "native/helper/privileges.c",
        "native/helper/launch.c",
        "native/helper/init.c",
        "native/helper/signals.c",
        "native/helper/cgroups.c",
        "native/helper/cgjoin.c",
        "native/helper/nsjoin.c",
        "native/helper/pty.c",
        "native/helper/ttyrelay.c",
        "native/helper/execwait.c",
        "native/helper/execsession.c"
      ],
      "defines": ["_GNU_SOURCE"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Werror=implicit-function-declaration", "-O2"],
      "ldflags": []
    }
  ]
}
