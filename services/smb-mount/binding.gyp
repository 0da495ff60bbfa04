# The libsmbclient addon, built by hack/build-smb-addon.sh into build/Release/smbclient.node.
{
  "targets": [
    {
      "target_name": "smbclient",
      "sources": ["native/smbclient.cc"],
      # The headers only: node-addon-api's own gyp targets would write their makefiles next to
      # node_modules, outside build/.
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "cflags_cc!": ["-fno-exceptions"],
      # A worker terminated while it waits in libsmbclient gets its call's error afterwards, in
      # an environment that can no longer throw: that must drop the error, not abort the process.
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "<!@(pkg-config --cflags smbclient)"],
      # libsamba-util for smb_thread_set_functions (see native/smbclient.cc).
      "libraries": ["<!@(pkg-config --libs smbclient)", "-l:libsamba-util.so.0"]
    }
  ]
}
