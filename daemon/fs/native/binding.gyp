{
  "targets": [
    {
      "target_name": "p2pbak_native",
      "sources": ["p2pbak_native.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
