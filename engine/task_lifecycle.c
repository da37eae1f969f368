/*
** task_lifecycle.c — the task lifecycle decision (open, keep, escalate,
** reopen, clear; backlog open, keep, promote; done is final for its
** episode), pure C: the
** rules of DESIGN.md "Task store contract" and nothing else.
*/
#include "task_lifecycle.h"

#include <stddef.h>
#include <string.h>

int kz_task_overdue(int open, int backlog, kz_day due_on, kz_day as_of) {
  return open && !backlog && due_on != KZ_DAY_NONE && as_of != KZ_DAY_NONE && due_on < as_of;
}

int kz_task_overdue_text(const char *status, int backlog, const char *due_on, kz_day as_of) {
  kz_day due;
  if (!status || !due_on || kz_date_parse(due_on, &due)) return 0;
  return kz_task_overdue(strcmp(status, "open") == 0, backlog, due, as_of);
}

int kz_lifecycle_stale(const struct kz_lc_finding *f, kz_day today) {
  return !f->never_backlog && today - f->since > f->open_within_days;
}

struct kz_lc_decision kz_lifecycle_decide(const struct kz_lc_task *task,
                                          const struct kz_lc_finding *f, kz_day today) {
  struct kz_lc_decision dec = {KZ_LC_NOTHING, 0};
  /* Done is not reopened for the same episode; an episode whose since is
  ** after the day staff closed it is another one (the condition went away
  ** and came back): a rule keyed by the child (child.not_seen) otherwise
  ** never told of her again once one task was done. It reopens. */
  if (task && task->status == KZ_TASK_DONE &&
      !(f && task->done_on != KZ_DAY_NONE && f->since > task->done_on)) {
    dec.action = f ? KZ_LC_DONE : KZ_LC_NOTHING;
    return dec;
  }
  if (!f) {
    if (task && task->status == KZ_TASK_OPEN) dec.action = KZ_LC_CLEAR;
    return dec;
  }
  int stale = kz_lifecycle_stale(f, today);
  if (!task) {
    dec.action = KZ_LC_OPEN;
    dec.backlog = stale;
    return dec;
  }
  if (task->status != KZ_TASK_OPEN) {   /* cleared, or done for an earlier episode */
    dec.action = KZ_LC_REOPEN;
    dec.backlog = stale;
    return dec;
  }
  /* Open. A backlog task whose trigger turned fresh is promoted. */
  if (task->backlog && !stale) {
    dec.action = KZ_LC_PROMOTE;
    return dec;
  }
  if (task->last_seen_on == today) dec.action = KZ_LC_SEEN;
  else if (kz_task_overdue(1, task->backlog, task->due_on, today)) dec.action = KZ_LC_ESCALATE;
  else dec.action = KZ_LC_KEEP;
  return dec;
}
