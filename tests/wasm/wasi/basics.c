/* basics.c - argv, environment, exit status, stdin and stderr.  The mode is
 * argv[1]: args | env | exit N | cat | stderr | isatty. */
#include "check.h"

#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "hello";
	if (!strcmp(mode, "args")) {
		printf("argc=%d\n", argc);
		for (int i = 0; i < argc; i++)
			printf("argv[%d]=%s\n", i, argv[i]);
	} else if (!strcmp(mode, "env")) {
		int n = 0;
		for (char **e = environ; *e; e++, n++)
			printf("env %s\n", *e);
		printf("nenv=%d\n", n);
	} else if (!strcmp(mode, "exit") && argc > 2) {
		printf("exiting with %s\n", argv[2]);
		fflush(stdout);
		exit(atoi(argv[2]));
	} else if (!strcmp(mode, "cat")) {
		char buf[1000];
		size_t n, total = 0, lines = 0;
		while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
			for (size_t i = 0; i < n; i++)
				lines += buf[i] == '\n';
			fwrite(buf, 1, n, stdout);
			total += n;
		}
		CHECK(!ferror(stdin));
		fprintf(stderr, "cat: %zu bytes, %zu lines\n", total, lines);
	} else if (!strcmp(mode, "stderr")) {
		fprintf(stderr, "to stderr\n");
		printf("to stdout\n");
	} else if (!strcmp(mode, "isatty")) {
		printf("isatty %d %d %d\n", isatty(0), isatty(1), isatty(2));
	} else {
		printf("hello, world\n");
	}
	return 0;
}
