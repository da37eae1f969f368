/*
** task_view.c — opening what tasks, export and explain read with (task_view.h).
*/
#include "task_view.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"
#include "kizuki.h"
#include "task_query.h"

const struct kz_profile *kz_task_view_profile(const struct kz_task_view *v) {
  return v->have_engine ? &v->e.prof : NULL;
}

const struct kz_ruleset *kz_task_view_rules(const struct kz_task_view *v) {
  return v->have_engine ? &v->e.rules : NULL;
}

int kz_task_view_open(struct kz_task_view *v, const char *cmd, const char *tasks,
                      const char *rules_dir, const char *profile, int loud, kz_day as_of,
                      struct kz_diag *d) {
  char profile_path[1024];
  struct kz_diag why = {0};
  int rc;
  memset(v, 0, sizeof *v);
  if ((rc = kz_taskq_open(tasks, &v->db, d)) != KZ_EXIT_OK) return rc;
  v->as_of = as_of;
  v->as_of_why = "--as-of";
  if (as_of == KZ_DAY_NONE) {
    if (kz_taskq_last_run(v->db, &v->as_of, d)) {
      sqlite3_close(v->db);
      v->db = NULL;
      return KZ_EXIT_TASKS;
    }
    v->as_of_why = _("the last run");
    if (v->as_of == KZ_DAY_NONE) {
      v->as_of = kz_cli_today();
      v->as_of_why = _("today: no run yet");
    }
  }
  /* The rules give titles, labels, names and the ladder; without them the
  ** task DB still tells the whole story, in codes. */
  char rules_buf[1024];   /* --rules, $KIZUKI_RULES, ./rules or the installed rules */
  if (kz_cli_rules_dir(cmd, "--rules DIR", rules_dir, rules_buf, sizeof rules_buf) != KZ_EXIT_OK) {
    if (loud) fprintf(stderr, _("kizuki %s: showing codes from the task DB alone\n"), cmd);
    return KZ_EXIT_OK;
  }
  rules_dir = rules_buf;
  kz_cli_profile_path(rules_dir, profile, profile_path, sizeof profile_path);
  if (kz_engine_open(&v->e, rules_dir, profile_path, &why) == 0) v->have_engine = 1;
  else if (loud)
    fprintf(stderr, _("kizuki %s: rules in %s not loaded (%s); showing codes from the task DB alone\n"),
            cmd, rules_dir, why.n && why.msgs[0] ? why.msgs[0] : "see `kizuki check`");
  kz_diag_clear(&why);
  return KZ_EXIT_OK;
}

void kz_task_view_close(struct kz_task_view *v) {
  if (v->have_engine) kz_engine_close(&v->e);
  v->have_engine = 0;
  sqlite3_close(v->db);
  v->db = NULL;
}

int kz_task_view_open_filtered(struct kz_task_view *v, const char *cmd, const char *tasks,
                               const char *rules_dir, const char *profile, int loud,
                               struct kz_taskq_filter *f, struct kz_taskq_names *own,
                               struct kz_diag *d) {
  int rc = kz_task_view_open(v, cmd, tasks, rules_dir, profile, loud, f->as_of, d);
  if (rc != KZ_EXIT_OK) return rc;
  f->as_of = v->as_of;
  if (kz_taskq_resolve_filter(v->db, kz_task_view_profile(v), kz_task_view_rules(v), f, own, d))
    return KZ_EXIT_USAGE;
  return KZ_EXIT_OK;
}
