;; rare.wat - the WASI calls C programs seldom make, called raw: fd_advise,
;; fd_allocate, fd_filestat_set_times, path_filestat_set_times, fd_renumber,
;; rights (fd_fdstat_set_rights), prestat, sock_* on fds that are no
;; sockets.  Run with one preopened directory (fd 3), empty.  A failed check
;; exits with its number; all passed prints "rare: all ok" and exits 0.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_advise" (func $fd_advise (param i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_allocate" (func $fd_allocate (param i32 i64 i64) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func $fd_filestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_set_times"
    (func $fd_filestat_set_times (param i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_set_size" (func $fd_filestat_set_size (param i32 i64) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get"
    (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_set_times"
    (func $path_filestat_set_times (param i32 i32 i32 i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_renumber" (func $fd_renumber (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_rights"
    (func $fd_fdstat_set_rights (param i32 i64 i64) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_flags" (func $fd_fdstat_set_flags (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name"
    (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_tell" (func $fd_tell (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_sync" (func $fd_sync (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_datasync" (func $fd_datasync (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir" (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_unlink_file" (func $path_unlink_file (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_res_get" (func $clock_res_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sched_yield" (func $sched_yield (result i32)))
  (import "wasi_snapshot_preview1" "sock_accept" (func $sock_accept (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_recv" (func $sock_recv (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_send" (func $sock_send (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_shutdown" (func $sock_shutdown (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; 0..255 results, 256 iovec, 512 names, 600 message, 1024 filestat/fdstat
  (data (i32.const 512) "f")
  (data (i32.const 520) "g")
  (data (i32.const 528) "hello")
  (data (i32.const 600) "rare: all ok\n")

  (func $check (param $got i32) (param $want i32) (param $id i32)
    (if (i32.ne (local.get $got) (local.get $want)) (then (call $proc_exit (local.get $id)))))
  (func $check64 (param $got i64) (param $want i64) (param $id i32)
    (if (i64.ne (local.get $got) (local.get $want)) (then (call $proc_exit (local.get $id)))))

  ;; path_open(3, name) with every right the directory passes on; the new fd
  (func $open (param $name i32) (param $oflags i32) (result i32)
    (call $check (call $path_open (i32.const 3) (i32.const 0) (local.get $name) (i32.const 1)
      (local.get $oflags) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 0)) (i32.const 0) (i32.const 1))
    (i32.load (i32.const 0)))

  (func (export "_start")
    (local $f i32) (local $g i32)
    (local.set $f (call $open (i32.const 512) (i32.const 1)))          ;; create "f"
    (i32.store (i32.const 256) (i32.const 528))
    (i32.store (i32.const 260) (i32.const 5))
    (call $check (call $fd_write (local.get $f) (i32.const 256) (i32.const 1) (i32.const 8)) (i32.const 0) (i32.const 2))
    (call $check (i32.load (i32.const 8)) (i32.const 5) (i32.const 3))
    ;; fd_advise: every advice value, a bad one
    (call $check (call $fd_advise (local.get $f) (i64.const 0) (i64.const 5) (i32.const 1)) (i32.const 0) (i32.const 4))
    (call $check (call $fd_advise (local.get $f) (i64.const 0) (i64.const 0) (i32.const 4)) (i32.const 0) (i32.const 5))
    (call $check (call $fd_advise (local.get $f) (i64.const 0) (i64.const 5) (i32.const 6)) (i32.const 28) (i32.const 6))
    ;; fd_allocate grows the file; a zero length is EINVAL
    (call $check (call $fd_allocate (local.get $f) (i64.const 0) (i64.const 8192)) (i32.const 0) (i32.const 7))
    (call $check (call $fd_filestat_get (local.get $f) (i32.const 1024)) (i32.const 0) (i32.const 8))
    (call $check64 (i64.load (i32.const 1056)) (i64.const 8192) (i32.const 9))       ;; size
    (call $check (i32.load8_u (i32.const 1040)) (i32.const 4) (i32.const 10))          ;; regular file
    (call $check (call $fd_allocate (local.get $f) (i64.const 0) (i64.const 0)) (i32.const 28) (i32.const 11))
    (call $check (call $fd_filestat_set_size (local.get $f) (i64.const 100)) (i32.const 0) (i32.const 12))
    ;; times: set both, read back; "set" and "now" together are EINVAL
    (call $check (call $fd_filestat_set_times (local.get $f) (i64.const 100000000000) (i64.const 200000000007)
      (i32.const 5)) (i32.const 0) (i32.const 13))
    (drop (call $fd_filestat_get (local.get $f) (i32.const 1024)))
    (call $check64 (i64.load (i32.const 1064)) (i64.const 100000000000) (i32.const 14)) ;; atim
    (call $check64 (i64.load (i32.const 1072)) (i64.const 200000000007) (i32.const 15)) ;; mtim
    (call $check (call $fd_filestat_set_times (local.get $f) (i64.const 0) (i64.const 0) (i32.const 3))
      (i32.const 28) (i32.const 16))
    (call $check (call $path_filestat_set_times (i32.const 3) (i32.const 0) (i32.const 512) (i32.const 1)
      (i64.const 0) (i64.const 300000000000) (i32.const 4)) (i32.const 0) (i32.const 17))
    (call $check (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 512) (i32.const 1) (i32.const 1024))
      (i32.const 0) (i32.const 18))
    (call $check64 (i64.load (i32.const 1072)) (i64.const 300000000000) (i32.const 19))
    (call $check64 (i64.load (i32.const 1064)) (i64.const 100000000000) (i32.const 20)) ;; atim kept
    ;; fd_renumber: g's number now means f; f's number is free; targets must be open
    (local.set $g (call $open (i32.const 520) (i32.const 1)))
    (call $check (call $fd_renumber (local.get $f) (local.get $g)) (i32.const 0) (i32.const 21))
    (call $check (call $fd_close (local.get $f)) (i32.const 8) (i32.const 22))
    (drop (call $fd_filestat_get (local.get $g) (i32.const 1024)))
    (call $check64 (i64.load (i32.const 1056)) (i64.const 100) (i32.const 23))
    (call $check (call $fd_renumber (local.get $g) (i32.const 99)) (i32.const 8) (i32.const 24))
    (call $check (call $fd_renumber (i32.const 77) (local.get $g)) (i32.const 8) (i32.const 25))
    (call $check (call $fd_renumber (local.get $g) (local.get $g)) (i32.const 0) (i32.const 26))
    ;; rights only shrink, and are enforced
    (call $check (call $fd_fdstat_get (local.get $g) (i32.const 1024)) (i32.const 0) (i32.const 27))
    (call $check (i32.load8_u (i32.const 1024)) (i32.const 4) (i32.const 28))
    (call $check (call $fd_fdstat_set_rights (local.get $g)
      (i64.and (i64.load (i32.const 1032)) (i64.const -65)) (i64.const 0)) (i32.const 0) (i32.const 29)) ;; no fd_write
    (call $check (call $fd_write (local.get $g) (i32.const 256) (i32.const 1) (i32.const 8)) (i32.const 76) (i32.const 30))
    (call $check (call $fd_fdstat_set_rights (local.get $g) (i64.const -1) (i64.const 0)) (i32.const 76) (i32.const 31))
    (call $check (call $fd_fdstat_set_flags (local.get $g) (i32.const 4)) (i32.const 0) (i32.const 32)) ;; nonblock
    (drop (call $fd_fdstat_get (local.get $g) (i32.const 1024)))
    (call $check (i32.load16_u (i32.const 1026)) (i32.const 4) (i32.const 33))
    ;; seek and tell, sync
    (call $check (call $fd_seek (local.get $g) (i64.const 10) (i32.const 0) (i32.const 16)) (i32.const 0) (i32.const 34))
    (call $check (call $fd_tell (local.get $g) (i32.const 24)) (i32.const 0) (i32.const 35))
    (call $check64 (i64.load (i32.const 24)) (i64.const 10) (i32.const 36))
    (call $check (call $fd_seek (local.get $g) (i64.const 0) (i32.const 3) (i32.const 16)) (i32.const 28) (i32.const 37))
    (call $check (call $fd_sync (local.get $g)) (i32.const 0) (i32.const 38))
    (call $check (call $fd_datasync (local.get $g)) (i32.const 0) (i32.const 39))
    ;; sockets: none here; each call names the problem
    (call $check (call $sock_accept (local.get $g) (i32.const 0) (i32.const 0)) (i32.const 57) (i32.const 40))
    (call $check (call $sock_recv (local.get $g) (i32.const 256) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 4))
      (i32.const 57) (i32.const 41))
    (call $check (call $sock_send (local.get $g) (i32.const 256) (i32.const 1) (i32.const 0) (i32.const 0))
      (i32.const 57) (i32.const 42))
    (call $check (call $sock_shutdown (local.get $g) (i32.const 3)) (i32.const 57) (i32.const 43))
    (call $check (call $sock_shutdown (i32.const 3) (i32.const 3)) (i32.const 57) (i32.const 44))
    (call $check (call $sock_accept (i32.const 77) (i32.const 0) (i32.const 0)) (i32.const 8) (i32.const 45))
    (call $check (call $sock_recv (i32.const 77) (i32.const 256) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 4))
      (i32.const 8) (i32.const 46))
    ;; preopens: fd 3 is one, stdin is not
    (call $check (call $fd_prestat_get (i32.const 3) (i32.const 32)) (i32.const 0) (i32.const 47))
    (call $check (i32.load8_u (i32.const 32)) (i32.const 0) (i32.const 48))               ;; dir
    (call $check (call $fd_prestat_dir_name (i32.const 3) (i32.const 64) (i32.const 0)) (i32.const 37) (i32.const 49))
    (call $check (call $fd_prestat_dir_name (i32.const 3) (i32.const 64) (i32.load (i32.const 36))) (i32.const 0) (i32.const 50))
    (call $check (call $fd_prestat_get (i32.const 0) (i32.const 32)) (i32.const 8) (i32.const 51))
    ;; readdir wants a directory; clocks; yield
    (call $check (call $fd_readdir (local.get $g) (i32.const 1024) (i32.const 100) (i64.const 0) (i32.const 0))
      (i32.const 54) (i32.const 52))
    (call $check (call $clock_res_get (i32.const 1) (i32.const 40)) (i32.const 0) (i32.const 53))
    (call $check (call $clock_res_get (i32.const 9) (i32.const 40)) (i32.const 28) (i32.const 54))
    (call $check (call $sched_yield) (i32.const 0) (i32.const 55))
    ;; O_DIRECTORY on a file; clean up
    (call $check (call $path_open (i32.const 3) (i32.const 0) (i32.const 512) (i32.const 1) (i32.const 2)
      (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 0)) (i32.const 54) (i32.const 56))
    (call $check (call $fd_close (local.get $g)) (i32.const 0) (i32.const 57))
    (call $check (call $path_unlink_file (i32.const 3) (i32.const 512) (i32.const 1)) (i32.const 0) (i32.const 58))
    (call $check (call $path_unlink_file (i32.const 3) (i32.const 520) (i32.const 1)) (i32.const 0) (i32.const 59))
    (call $check (call $path_unlink_file (i32.const 3) (i32.const 520) (i32.const 1)) (i32.const 44) (i32.const 60))
    (i32.store (i32.const 256) (i32.const 600))
    (i32.store (i32.const 260) (i32.const 13))
    (drop (call $fd_write (i32.const 1) (i32.const 256) (i32.const 1) (i32.const 8))))
)
