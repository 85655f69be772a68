;; hostile.wat - a guest passing bad pointers, huge lengths, bad fds, bad
;; whence and flag values: each call must answer with an errno (EFAULT for
;; memory it may not touch), never crash cairn, and never act before its
;; arguments are checked (nothing reaches stdout but the final line).
;; One page of memory; run with one preopened directory (fd 3).  A failed
;; check exits with its number; all passed prints "hostile: all ok".
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pread" (func $fd_pread (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_flags" (func $fd_fdstat_set_flags (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_renumber" (func $fd_renumber (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir" (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name"
    (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink" (func $path_symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_set_times"
    (func $path_filestat_set_times (param i32 i32 i32 i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory"
    (func $path_create_directory (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_shutdown" (func $sock_shutdown (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; 256: a good iovec {512, 3}; 512 "ok\n"; 600 "x\00y"; 700 message
  (data (i32.const 256) "\00\02\00\00\03\00\00\00")
  (data (i32.const 512) "ok\n")
  (data (i32.const 600) "x\00y")
  (data (i32.const 700) "hostile: all ok\n")

  (func $check (param $got i32) (param $want i32) (param $id i32)
    (if (i32.ne (local.get $got) (local.get $want)) (then (call $proc_exit (local.get $id)))))

  (func $open (param $path i32) (param $len i32) (param $oflags i32) (param $fdflags i32) (result i32)
    (call $path_open (i32.const 3) (i32.const 0) (local.get $path) (local.get $len) (local.get $oflags)
      (i64.const -1) (i64.const -1) (local.get $fdflags) (i32.const 0)))

  (func (export "_start")
    ;; iovec arrays and buffers out of memory, or ending past it
    (call $check (call $fd_write (i32.const 1) (i32.const 0xfffffff8) (i32.const 2) (i32.const 0)) (i32.const 21) (i32.const 1))
    (call $check (call $fd_write (i32.const 1) (i32.const 65532) (i32.const 1) (i32.const 0)) (i32.const 21) (i32.const 2))
    (call $check (call $fd_write (i32.const 1) (i32.const 256) (i32.const 0x20000000) (i32.const 0)) (i32.const 21) (i32.const 3))
    (i32.store (i32.const 264) (i32.const 65000))
    (i32.store (i32.const 268) (i32.const 1000))                ;; 65000 + 1000 > 65536
    (call $check (call $fd_write (i32.const 1) (i32.const 264) (i32.const 1) (i32.const 0)) (i32.const 21) (i32.const 4))
    (i32.store (i32.const 268) (i32.const 0xffffffff))
    (call $check (call $fd_write (i32.const 1) (i32.const 264) (i32.const 1) (i32.const 0)) (i32.const 21) (i32.const 5))
    (call $check (call $fd_write (i32.const 1) (i32.const 256) (i32.const 2) (i32.const 0)) (i32.const 21) (i32.const 6))
    (call $check (call $fd_write (i32.const 1) (i32.const 256) (i32.const 1) (i32.const 65534)) (i32.const 21) (i32.const 7))
    (call $check (call $fd_write (i32.const 1) (i32.const 256) (i32.const 1) (i32.const -1)) (i32.const 21) (i32.const 8))
    (call $check (call $fd_read (i32.const 0) (i32.const 264) (i32.const 1) (i32.const 0)) (i32.const 21) (i32.const 9))
    ;; bad fds
    (call $check (call $fd_write (i32.const 12345) (i32.const 256) (i32.const 1) (i32.const 0)) (i32.const 8) (i32.const 10))
    (call $check (call $fd_write (i32.const -1) (i32.const 256) (i32.const 1) (i32.const 0)) (i32.const 8) (i32.const 11))
    (call $check (call $fd_close (i32.const -1)) (i32.const 8) (i32.const 12))
    (call $check (call $fd_renumber (i32.const -1) (i32.const 1)) (i32.const 8) (i32.const 13))
    (call $check (call $fd_fdstat_get (i32.const 4096) (i32.const 0)) (i32.const 8) (i32.const 14))
    (call $check (call $sock_shutdown (i32.const 99) (i32.const 3)) (i32.const 8) (i32.const 15))
    ;; bad whence, flags, offsets
    (call $check (call $fd_seek (i32.const 3) (i64.const 0) (i32.const 7) (i32.const 0)) (i32.const 76) (i32.const 16)) ;; dir: no seek
    (call $check (call $fd_fdstat_set_flags (i32.const 1) (i32.const 0xffff)) (i32.const 28) (i32.const 17))
    (call $check (call $fd_pread (i32.const 0) (i32.const 256) (i32.const 1) (i64.const 0x8000000000000000) (i32.const 0))
      (i32.const 28) (i32.const 18))
    (call $check (call $open (i32.const 512) (i32.const 2) (i32.const 0x100) (i32.const 0)) (i32.const 28) (i32.const 19))
    (call $check (call $open (i32.const 512) (i32.const 2) (i32.const 0) (i32.const 0x100)) (i32.const 28) (i32.const 20))
    (call $check (call $path_filestat_set_times (i32.const 3) (i32.const 0) (i32.const 512) (i32.const 2)
      (i64.const 0) (i64.const 0) (i32.const 0xffff)) (i32.const 28) (i32.const 21))
    ;; paths: out of memory, empty, an embedded NUL, too long, absolute
    (call $check (call $open (i32.const 0xffffff00) (i32.const 0x1000) (i32.const 0) (i32.const 0)) (i32.const 21) (i32.const 22))
    (call $check (call $open (i32.const 65530) (i32.const 7) (i32.const 0) (i32.const 0)) (i32.const 21) (i32.const 23))
    (call $check (call $open (i32.const 512) (i32.const 0) (i32.const 0) (i32.const 0)) (i32.const 44) (i32.const 24))
    (call $check (call $open (i32.const 600) (i32.const 3) (i32.const 1) (i32.const 0)) (i32.const 28) (i32.const 25))
    (call $check (call $path_create_directory (i32.const 3) (i32.const 0) (i32.const 5000)) (i32.const 37) (i32.const 26))
    (i32.store8 (i32.const 800) (i32.const 47))                ;; "/"
    (call $check (call $path_create_directory (i32.const 3) (i32.const 800) (i32.const 1)) (i32.const 76) (i32.const 27))
    (call $check (call $path_symlink (i32.const -16) (i32.const 32) (i32.const 3) (i32.const 512) (i32.const 1))
      (i32.const 21) (i32.const 28))
    (call $check (call $path_open (i32.const 3) (i32.const 0) (i32.const 512) (i32.const 1) (i32.const 0)
      (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 65534)) (i32.const 21) (i32.const 29))
    ;; results and strings past the end
    (call $check (call $args_get (i32.const -1) (i32.const 0)) (i32.const 21) (i32.const 30))
    (call $check (call $args_sizes_get (i32.const 65535) (i32.const 0)) (i32.const 21) (i32.const 31))
    (call $check (call $args_sizes_get (i32.const 0) (i32.const 65536)) (i32.const 21) (i32.const 32))
    (call $check (call $environ_get (i32.const 0) (i32.const 65536)) (i32.const 0) (i32.const 33)) ;; no env: 0 bytes fit
    (call $check (call $clock_time_get (i32.const 0) (i64.const 0) (i32.const 65532)) (i32.const 21) (i32.const 34))
    (call $check (call $random_get (i32.const 0) (i32.const -1)) (i32.const 21) (i32.const 35))
    (call $check (call $random_get (i32.const 65536) (i32.const 0)) (i32.const 0) (i32.const 36))
    (call $check (call $random_get (i32.const 65536) (i32.const 1)) (i32.const 21) (i32.const 37))
    (call $check (call $fd_readdir (i32.const 3) (i32.const 0) (i32.const 0x10000000) (i64.const 0) (i32.const 0))
      (i32.const 21) (i32.const 38))
    (call $check (call $fd_readdir (i32.const 3) (i32.const 0) (i32.const 100) (i64.const -1) (i32.const 200))
      (i32.const 0) (i32.const 39))                            ;; a cookie past the end: no entries
    (call $check (i32.load (i32.const 200)) (i32.const 0) (i32.const 40))
    (call $check (call $fd_prestat_dir_name (i32.const 3) (i32.const -1) (i32.const 100)) (i32.const 21) (i32.const 41))
    ;; poll_oneoff: none, too many, out of memory, a bad event type
    (call $check (call $poll_oneoff (i32.const 0) (i32.const 1024) (i32.const 0) (i32.const 0)) (i32.const 28) (i32.const 42))
    (call $check (call $poll_oneoff (i32.const 0) (i32.const 1024) (i32.const 0x7fffffff) (i32.const 0)) (i32.const 28) (i32.const 43))
    (call $check (call $poll_oneoff (i32.const 65500) (i32.const 1024) (i32.const 1) (i32.const 0)) (i32.const 21) (i32.const 44))
    (call $check (call $poll_oneoff (i32.const 0) (i32.const 65530) (i32.const 1) (i32.const 0)) (i32.const 21) (i32.const 45))
    (i32.store8 (i32.const 2056) (i32.const 9))
    (call $check (call $poll_oneoff (i32.const 2048) (i32.const 3000) (i32.const 1) (i32.const 0)) (i32.const 28) (i32.const 46))
    ;; events overwriting later subscriptions (out = in + 48): each event still
    ;; describes its own subscription, read before any event was written
    (i64.store (i32.const 4096) (i64.const 0x1111))            ;; clock, relative 0
    (i32.store8 (i32.const 4104) (i32.const 0))
    (i64.store (i32.const 4144) (i64.const 0x5555))            ;; fd_read on fd 3
    (i32.store8 (i32.const 4152) (i32.const 1))
    (i32.store (i32.const 4160) (i32.const 3))
    (call $check (call $poll_oneoff (i32.const 4096) (i32.const 4144) (i32.const 2) (i32.const 4400)) (i32.const 0) (i32.const 47))
    (call $check (i32.load (i32.const 4400)) (i32.const 2) (i32.const 48))
    (call $check (i32.wrap_i64 (i64.load (i32.const 4144))) (i32.const 0x1111) (i32.const 49))
    (call $check (i32.wrap_i64 (i64.load (i32.const 4176))) (i32.const 0x5555) (i32.const 50))
    (call $check (i32.load8_u (i32.const 4186)) (i32.const 1) (i32.const 51))  ;; type fd_read
    ;; all this wrote nothing: now the one line
    (i32.store (i32.const 256) (i32.const 700))
    (i32.store (i32.const 260) (i32.const 16))
    (call $check (call $fd_write (i32.const 1) (i32.const 256) (i32.const 1) (i32.const 0)) (i32.const 0) (i32.const 52)))
)
