// Two system calls Node does not offer (docs/dependencies.md, "Our own native addon"):
//
//   utimensat / futimens with exact nanoseconds: Node's utimes takes a double of seconds, which
//     cannot hold today's times to the nanosecond, and libuv rounds to microseconds.
//   syncfs: a restore makes its new files durable with one call per filesystem, not one fsync
//     per file.
//   flock(LOCK_EX | LOCK_NB): the state-directory lock, released by the kernel when the process
//     dies (no stale PID file after a crash or SIGKILL, no reused PID that blocks).
//
// Errors are thrown as Error objects with `code` set to the errno name ("ENOENT", …) and `errno`,
// `syscall` like Node's own fs errors.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <node_api.h>
#include <uv.h>

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, "p2pbak_native: N-API call failed: " #call); return NULL; } } while (0)

static napi_value throw_errno (napi_env env, int err, const char *syscall) {
  char msg[256];
  const char *name = uv_err_name(-err);
  snprintf(msg, sizeof msg, "%s: %s, %s", name, strerror(err), syscall);
  napi_value code, message, error, errnum, sc;
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &error);
  napi_create_int32(env, -err, &errnum);
  napi_set_named_property(env, error, "errno", errnum);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sc);
  napi_set_named_property(env, error, "syscall", sc);
  napi_throw(env, error);
  return NULL;
}

// Nanoseconds since the epoch (a BigInt, may be negative) to a timespec.
static int to_timespec (napi_env env, napi_value v, struct timespec *ts) {
  int64_t ns;
  bool lossless;
  if (napi_get_value_bigint_int64(env, v, &ns, &lossless) != napi_ok || !lossless) {
    napi_throw_type_error(env, NULL, "a time must be a BigInt of nanoseconds that fits in 64 bits");
    return 0;
  }
  int64_t sec = ns / 1000000000;
  int64_t nsec = ns % 1000000000;
  if (nsec < 0) { nsec += 1000000000; sec -= 1; }
  ts->tv_sec = (time_t)sec;
  ts->tv_nsec = (long)nsec;
  return 1;
}

// utimensat(path: Buffer, atimeNs: bigint, mtimeNs: bigint, noFollow: boolean): undefined
static napi_value js_utimensat (napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 4) { napi_throw_type_error(env, NULL, "utimensat(path, atimeNs, mtimeNs, noFollow)"); return NULL; }
  void *data;
  size_t len;
  bool isBuffer;
  CHECK(napi_is_buffer(env, argv[0], &isBuffer));
  if (!isBuffer) { napi_throw_type_error(env, NULL, "the path must be a Buffer"); return NULL; }
  CHECK(napi_get_buffer_info(env, argv[0], &data, &len));
  char path[4097];
  if (len == 0 || len >= sizeof path || memchr(data, 0, len) != NULL) { napi_throw_type_error(env, NULL, "bad path"); return NULL; }
  memcpy(path, data, len);
  path[len] = 0;
  struct timespec ts[2];
  if (!to_timespec(env, argv[1], &ts[0]) || !to_timespec(env, argv[2], &ts[1])) return NULL;
  bool noFollow;
  CHECK(napi_get_value_bool(env, argv[3], &noFollow));
  if (utimensat(AT_FDCWD, path, ts, noFollow ? AT_SYMLINK_NOFOLLOW : 0) != 0) return throw_errno(env, errno, "utimensat");
  return NULL;
}

// futimens(fd: number, atimeNs: bigint, mtimeNs: bigint): undefined
static napi_value js_futimens (napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 3) { napi_throw_type_error(env, NULL, "futimens(fd, atimeNs, mtimeNs)"); return NULL; }
  int32_t fd;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  struct timespec ts[2];
  if (!to_timespec(env, argv[1], &ts[0]) || !to_timespec(env, argv[2], &ts[1])) return NULL;
  if (futimens(fd, ts) != 0) return throw_errno(env, errno, "futimens");
  return NULL;
}

// flockExclusive(fd: number): boolean — true when taken, false when another open file holds it.
static napi_value js_flock_exclusive (napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 1) { napi_throw_type_error(env, NULL, "flockExclusive(fd)"); return NULL; }
  int32_t fd;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  int r;
  do { r = flock(fd, LOCK_EX | LOCK_NB); } while (r != 0 && errno == EINTR);
  napi_value out;
  if (r == 0) { CHECK(napi_get_boolean(env, true, &out)); return out; }
  if (errno == EWOULDBLOCK) { CHECK(napi_get_boolean(env, false, &out)); return out; }
  return throw_errno(env, errno, "flock");
}

// syncFs(fd): syncfs(2), every dirty page and inode of the filesystem that holds fd, at once.
static napi_value js_syncfs (napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 1) { napi_throw_type_error(env, NULL, "syncFs(fd)"); return NULL; }
  int32_t fd;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  if (syncfs(fd) != 0) return throw_errno(env, errno, "syncfs");
  return NULL;
}

static napi_value init (napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "utimensat", NULL, js_utimensat, NULL, NULL, NULL, napi_default, NULL },
    { "futimens", NULL, js_futimens, NULL, NULL, NULL, napi_default, NULL },
    { "flockExclusive", NULL, js_flock_exclusive, NULL, NULL, NULL, napi_default, NULL },
    { "syncFs", NULL, js_syncfs, NULL, NULL, NULL, napi_default, NULL }
  };
  CHECK(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
