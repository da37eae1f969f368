/*
** report.h — `kizuki report`: a snapshot of the open tasks of a task DB
** after one run, and the static HTML pages made from it (the city's
** index.html and one <unit>.html per unit), for agencies and supervisors.
*/
#ifndef KZ_REPORT_H
#define KZ_REPORT_H

#include <sqlite3.h>
#include <stddef.h>

#include "date.h"
#include "diag.h"
#include "profile.h"
#include "ruleset.h"
#include "task_snapshot.h"

/* Write dir/index.html and dir/<unit>.html for every unit of prof and every
** other unit the snapshot names (dir must exist). prof gives ward, agency
** and ladder names, rules the rule labels (a rule it lacks is shown by its
** id). *pages receives the number of files written. Returns 0, or -1 with
** the reason in d. */
int kz_report_write(const struct kz_report *r, const struct kz_profile *prof,
                    const struct kz_ruleset *rules, const char *dir, size_t *pages,
                    struct kz_diag *d);


#endif
