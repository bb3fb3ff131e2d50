/* stage — an output folder replaced as a whole, atomically, by one writer at a time.
 *
 * kplan-export writes every file of a run into a new folder beside OUT (the stage,
 * "PARENT/.OUT.kplan-XXXXXX"); committing exchanges the two folders with one
 * renameat2(RENAME_EXCHANGE), so at any instant, even across SIGKILL or a power cut
 * after the final fsync, OUT is either the previous folder or the new one, never a
 * mixture.  Entries of the previous OUT that the run does not write (a README, a
 * folder of the city's own) are carried into the stage as hard links first.
 *
 * Concurrency: OUT itself is locked (flock) for the whole run, and so is the stage; a
 * second run into the same OUT waits for the first, then works on the folder the
 * first left.  A stage no process holds is stale (its run was killed): the next run
 * into that OUT removes it.
 *
 * Where renameat2 cannot exchange (a file system without RENAME_EXCHANGE), OUT is
 * moved aside and the stage renamed into place: two renames, and a run killed between
 * them leaves OUT missing with the previous folder at "PARENT/.OUT.kplan-old-XXXXXX";
 * the next run puts it back before anything else.
 */
#ifndef KP_STAGE_H
#define KP_STAGE_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "diag.h"

typedef struct kp_stage {
	char *out;    /* owned: OUT as given (for messages) */
	char *parent; /* owned: OUT's parent folder */
	char *base;   /* owned: OUT's last name */
	char *name;   /* owned: the stage's name in parent */
	int parent_fd, out_fd, dir_fd; /* parent; OUT (locked); the stage (locked) */
	int made_out; /* OUT did not exist: created to be locked, removed on abort */
	int committed;
} kp_stage;

/* Creates OUT when missing, locks it (waiting for a run that holds it), removes stale
 * stages of earlier runs and creates the stage, with OUT's permissions.  Returns 0, or
 * -1 with err filled (code "io-error"; *s then needs no abort). */
int kp_stage_open(kp_stage *s, const char *out, kp_diag *err);

/* Creates `name` (a plain file name, no '/') in the stage, for writing.  The stream is
 * the caller's; kp_stage_close_file makes it durable.  Returns NULL with err filled. */
FILE *kp_stage_create(kp_stage *s, const char *name, kp_diag *err);

/* fflush, error check, fsync and fclose of a stream from kp_stage_create.  `what`
 * names the file in a message.  Returns 0, or -1 with err filled. */
int kp_stage_close_file(FILE *fp, const char *what, kp_diag *err);

/* True when OUT holds an entry `name` that is a folder (it cannot become a file). */
int kp_stage_out_has_dir(const kp_stage *s, const char *name);

/* Links every entry of OUT into the stage except the names in skip[] (the run's own
 * outputs) and temporary files an earlier kplan left beside them (".NAME.tmpXXXXXX",
 * "NAME.bakXXXXXX").  Returns 0, or -1 with err filled. */
int kp_stage_carry(kp_stage *s, const char *const *skip, size_t nskip, kp_diag *err);

/* Makes the stage durable and exchanges it with OUT, then removes the previous OUT.
 * If *interrupted is set before the exchange, nothing is changed and -1 returned with
 * err saying so.  If the exchange cannot be made durable (fsync of the parent fails),
 * it is undone and -1 returned.  Returns 0 once OUT is the new folder. */
int kp_stage_commit(kp_stage *s, const volatile sig_atomic_t *interrupted, kp_diag *err);

/* Removes the stage (unless committed) and, when this run created OUT and it is still
 * empty, OUT; unlocks and frees.  Safe on a zeroed or released kp_stage. */
void kp_stage_release(kp_stage *s);

/* True when name can be a file kplan writes: 1 to 200 bytes of UTF-8; ASCII letters,
 * digits, '-', '_' and '.', and any other character except spaces, control and
 * invisible formatting characters (bidi controls, zero-width characters, line and
 * paragraph separators); not starting with '.' and not ending with '.'.  So no '/',
 * no "..", nothing hidden.  When it is not, *why (if non-NULL) says what is wrong. */
int kp_stage_safe_name(const char *name, const char **why);

/* name for a message: control and invisible characters shown as "<U+202E>", bytes that
 * are not UTF-8 as "<0xFF>" (so a bidi override cannot reorder the message).  Returns
 * buf, cut to size. */
const char *kp_stage_show_name(const char *name, char *buf, size_t size);

#endif
