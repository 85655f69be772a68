/* wasi_path.h - the WASI sandbox's path lookup (used by wasi.c): a guest
 * path becomes (directory fd, one name) beneath a preopen's fd, with openat2
 * RESOLVE_BENEATH where the kernel has it and an fd-relative O_NOFOLLOW walk
 * elsewhere; errors are WASI errno values. */
#ifndef CAIRN_WASM_WASI_PATH_H
#define CAIRN_WASM_WASI_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* WASI errno values in witx order (0, 1, ...), each with the host errno
 * that maps to it (NOTCAPABLE has none: only the sandbox returns it). */
#define WA_WASI_ERRNOS(X) \
	X(SUCCESS, 0) X(2BIG, E2BIG) X(ACCES, EACCES) X(ADDRINUSE, EADDRINUSE) \
	X(ADDRNOTAVAIL, EADDRNOTAVAIL) X(AFNOSUPPORT, EAFNOSUPPORT) X(AGAIN, EAGAIN) \
	X(ALREADY, EALREADY) X(BADF, EBADF) X(BADMSG, EBADMSG) X(BUSY, EBUSY) X(CANCELED, ECANCELED) \
	X(CHILD, ECHILD) X(CONNABORTED, ECONNABORTED) X(CONNREFUSED, ECONNREFUSED) \
	X(CONNRESET, ECONNRESET) X(DEADLK, EDEADLK) X(DESTADDRREQ, EDESTADDRREQ) X(DOM, EDOM) \
	X(DQUOT, EDQUOT) X(EXIST, EEXIST) X(FAULT, EFAULT) X(FBIG, EFBIG) X(HOSTUNREACH, EHOSTUNREACH) \
	X(IDRM, EIDRM) X(ILSEQ, EILSEQ) X(INPROGRESS, EINPROGRESS) X(INTR, EINTR) X(INVAL, EINVAL) \
	X(IO, EIO) X(ISCONN, EISCONN) X(ISDIR, EISDIR) X(LOOP, ELOOP) X(MFILE, EMFILE) \
	X(MLINK, EMLINK) X(MSGSIZE, EMSGSIZE) X(MULTIHOP, EMULTIHOP) X(NAMETOOLONG, ENAMETOOLONG) \
	X(NETDOWN, ENETDOWN) X(NETRESET, ENETRESET) X(NETUNREACH, ENETUNREACH) X(NFILE, ENFILE) \
	X(NOBUFS, ENOBUFS) X(NODEV, ENODEV) X(NOENT, ENOENT) X(NOEXEC, ENOEXEC) X(NOLCK, ENOLCK) \
	X(NOLINK, ENOLINK) X(NOMEM, ENOMEM) X(NOMSG, ENOMSG) X(NOPROTOOPT, ENOPROTOOPT) \
	X(NOSPC, ENOSPC) X(NOSYS, ENOSYS) X(NOTCONN, ENOTCONN) X(NOTDIR, ENOTDIR) \
	X(NOTEMPTY, ENOTEMPTY) X(NOTRECOVERABLE, ENOTRECOVERABLE) X(NOTSOCK, ENOTSOCK) \
	X(NOTSUP, EOPNOTSUPP) X(NOTTY, ENOTTY) X(NXIO, ENXIO) X(OVERFLOW, EOVERFLOW) \
	X(OWNERDEAD, EOWNERDEAD) X(PERM, EPERM) X(PIPE, EPIPE) X(PROTO, EPROTO) \
	X(PROTONOSUPPORT, EPROTONOSUPPORT) X(PROTOTYPE, EPROTOTYPE) X(RANGE, ERANGE) X(ROFS, EROFS) \
	X(SPIPE, ESPIPE) X(SRCH, ESRCH) X(STALE, ESTALE) X(TIMEDOUT, ETIMEDOUT) X(TXTBSY, ETXTBSY) \
	X(XDEV, EXDEV) X(NOTCAPABLE, -1)
enum {
#define X(name, host) WE_##name,
	WA_WASI_ERRNOS(X)
#undef X
};

#define WA_WPATH_MAX 4096       /* longest guest path and symlink target */

/* A resolved path: name (one component, never "..", no '/') inside the
 * directory dir, which lies beneath the root the lookup started from. */
typedef struct wa_wpath {
	int dir;
	bool own;               /* dir is ours to close (not the root itself) */
	bool must_dir;          /* the path ended in '/' */
	char name[256];
} wa_wpath;

/* Resolve path[0..len) beneath root.  follow: a symlink as the last
 * component is followed (never out of root).  no_openat2: use the walk.
 * Returns 0 or a WASI errno; on success release with wa_wpath_done. */
int wa_wpath_resolve(int root, const char *path, size_t len, bool follow, bool no_openat2,
		     wa_wpath *out);
void wa_wpath_done(wa_wpath *p);

/* A host errno as a WASI errno. */
int wa_wasi_errno(int host_errno);

#endif
