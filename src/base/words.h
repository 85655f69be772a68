/* words.h - a string split into words the way a POSIX shell splits a
 * command line, with nothing expanded: `cairn hv --vm "OPTIONS"` and a
 * config file's options take a `cairn vm` command line unchanged. */
#ifndef CAIRN_BASE_WORDS_H
#define CAIRN_BASE_WORDS_H

#include <stddef.h>

#include "base/base.h"

/* Split s into *argc words in *argv (NULL-terminated, one allocation: free
 * it with words_free).  The rules are sh's quote removal (POSIX 2.2):
 *   - spaces, tabs and newlines separate words;
 *   - '...' keeps everything inside literally (a backslash too);
 *   - "..." keeps everything except that a backslash before $ ` " \ or a
 *     newline escapes it (a backslash-newline disappears);
 *   - outside quotes a backslash escapes the next character, a
 *     backslash-newline disappears, and a backslash at the end stays;
 *   - quoted pieces join the word around them: a'b'"c" is abc, '' is an
 *     empty word; an empty or all-blank string is no words.
 * Nothing is expanded ($HOME, ~, *, `...` stay as written) and ; | & < >
 * ( ) # are ordinary characters (there is no command to end, no comment).
 * An unterminated quote fails with ERR_FORMAT and a message naming the
 * column (and line, past a newline) where it opened. */
int words_split(const char *s, int *argc, char ***argv, cairn_errbuf *e) MUST_CHECK;
/* The same; on an unterminated quote also *where = its offset in s (a
 * caller that knows where s came from can point at the quote itself). */
int words_split_at(const char *s, int *argc, char ***argv, size_t *where, cairn_errbuf *e) MUST_CHECK;
void words_free(char **argv);

#endif
