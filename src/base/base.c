/* base.c - error messages and diagnostics shared by every module. */
#include "base/base.h"

#include <stdarg.h>
#include <stdio.h>

const char *cairn_strerror(int err)
{
	static const char *const msgs[] = {
#define X(name, msg) msg,
		CAIRN_ERRORS(X)
#undef X
	};
	if (err < 0)
		err = -err;
	return (size_t)err < ARRAY_SIZE(msgs) ? msgs[err] : "unknown error";
}

static void vmsg(const char *kind, const char *fmt, va_list ap)
{
	fputs("cairn: ", stderr);
	if (kind)
		fputs(kind, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cairn_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(NULL, fmt, ap);
	va_end(ap);
}

void cairn_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}
