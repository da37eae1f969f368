/*
** report_out.h — the report's output folder as one generation: every page
** is written into a fresh private folder beside the target, which is then
** swapped into place, so a reader (or a kill) sees the whole old set or the
** whole new set, never a mix, and no temporary is ever left in the target.
*/
#ifndef KZ_REPORT_OUT_H
#define KZ_REPORT_OUT_H

#include "diag.h"

/* One generation being written. */
struct kz_report_out {
  char target[4096];   /* the folder readers open (symlinks resolved) */
  char fresh[4200];    /* TARGET.new-XXXXXX: where the pages go now */
  int lock_fd;         /* the parent folder, flock'ed while we write */
};

/* Prepare to write the folder out. Refuses (returns -2, d says why) when out
** is not a folder kizuki could replace without losing anything: a file,
** a folder holding anything but pages (*.html), an entry that is a SQLite
** database, or a folder holding protected_path (the task DB; may be NULL).
** Waits for another report writing the same parent, removes leftovers of a
** killed report (TARGET.new-* / TARGET.old-* folders), then makes the fresh
** folder (mode 0700). Returns 0 with o->fresh ready, or -1 when the folder
** cannot be made (d says why). */
int kz_report_out_begin(struct kz_report_out *o, const char *out, const char *protected_path,
                        struct kz_diag *d);

/* Put the fresh folder in the target's place: an atomic exchange of the two
** folders (renameat2 RENAME_EXCHANGE on Linux; elsewhere two renames), then
** the old generation is removed. Returns 0, or -1 with d (the fresh folder
** is then removed and the old generation left as it was). */
int kz_report_out_commit(struct kz_report_out *o, struct kz_diag *d);

/* Give up: remove the fresh folder and its pages, release the lock. Safe
** after commit (then it only releases the lock). */
void kz_report_out_abort(struct kz_report_out *o);

#endif
