/*
** task_internal.h — what the files of the task DB module (task_store.c,
** task_read.c, task_query.c) share and nobody else may use: the store's
** connection.
*/
#ifndef KZ_TASK_INTERNAL_H
#define KZ_TASK_INTERNAL_H

#include <sqlite3.h>

struct kz_tasks;

/* The store's connection (not owned by the caller). */
sqlite3 *kz_tasks_db(struct kz_tasks *ts);

#endif
