/* sock.c - a TCP echo of one line on the socket cairn run preopened with
 * --tcplisten (fd 3, no directories): sock_accept (on a nonblocking listener
 * first: EAGAIN while nobody connects), sock_recv, sock_send, sock_shutdown. */
#include "check.h"

#include <wasi/api.h>

int main(void)
{
	__wasi_fdstat_t st;
	__wasi_fd_t c;
	char buf[256] = "echo: ";
	size_t have = 6;
	CHECK(__wasi_fd_fdstat_get(3, &st) == 0 && st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM);
	CHECK(__wasi_fd_fdstat_set_flags(3, __WASI_FDFLAGS_NONBLOCK) == 0);
	CHECK(__wasi_sock_accept(3, 0, &c) == __WASI_ERRNO_AGAIN);
	CHECK(__wasi_fd_fdstat_set_flags(3, 0) == 0);
	printf("ready\n");
	fflush(stdout);
	CHECK(__wasi_sock_accept(3, 0, &c) == 0);
	CHECK(__wasi_fd_fdstat_get(c, &st) == 0 && st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM);
	CHECK(!(st.fs_flags & __WASI_FDFLAGS_NONBLOCK) && (st.fs_rights_base & __WASI_RIGHTS_SOCK_SHUTDOWN));
	while (!memchr(buf + 6, '\n', have - 6) && have < sizeof buf) {
		__wasi_iovec_t iov = { (uint8_t *)buf + have, sizeof buf - have };
		__wasi_size_t n;
		__wasi_roflags_t fl;
		CHECK(__wasi_sock_recv(c, &iov, 1, 0, &n, &fl) == 0 && fl == 0);
		if (!n)
			break;
		have += n;
	}
	__wasi_ciovec_t out = { (const uint8_t *)buf, have };
	__wasi_size_t sent;
	CHECK(__wasi_sock_send(c, &out, 1, 0, &sent) == 0 && sent == have);
	CHECK(__wasi_sock_shutdown(c, __WASI_SDFLAGS_WR) == 0);
	CHECK(__wasi_sock_shutdown(c, 9) == __WASI_ERRNO_INVAL);
	CHECK(__wasi_fd_close(c) == 0);
	printf("served %zu bytes\n", have - 6);
	return 0;
}
