/*
** kizuki.h — what every module shares: the version, the exit codes of the
** CLI contract, and the files compiled into the binary.
*/
#ifndef KZ_KIZUKI_H
#define KZ_KIZUKI_H

#define KZ_VERSION "0.1.0"

/* Exit codes (DESIGN.md "CLI contract"; 5-8 are kizuki's own). */
enum {
  KZ_EXIT_OK = 0,
  KZ_EXIT_FIXTURE_FAILED = 1,  /* kizuki test: some fixture failed */
  KZ_EXIT_USAGE = 2,           /* usage, config or rule-load error; nothing written */
  KZ_EXIT_RULE_ERROR = 3,      /* run finished, some rule raised an error */
  KZ_EXIT_CASES = 4,           /* case DB unreadable or not the expected schema */
  KZ_EXIT_TASKS = 5,           /* task DB cannot be opened, created or written */
  KZ_EXIT_BUSY = 6,            /* another run holds the task DB */
  KZ_EXIT_INTERRUPTED = 7,     /* stopped by SIGINT/SIGTERM; nothing written */
  KZ_EXIT_QUARANTINE = 8,      /* run finished, some households quarantined (bad case
                               ** data: not evaluated, tasks kept; run_issues). A rule
                               ** error in the same run wins: 3 */
  KZ_EXIT_NOT_FOUND = 9        /* kizuki trace: no such household in the case DB */
};

/* Files compiled in from the source tree (build/embedded.c, made by xxd).
** Each is followed by a NUL, so it is also a C string; _len excludes it. */
extern const unsigned char engine_kz_lua[];
extern const unsigned int engine_kz_lua_len;
extern const unsigned char schema_cases_sql[];
extern const unsigned int schema_cases_sql_len;
extern const unsigned char schema_tasks_sql[];
extern const unsigned int schema_tasks_sql_len;

/* Subcommands (engine/cmd_*.c): argv[0] is the subcommand's name. Each
** returns an exit code from the enum above. */
int kz_cmd_run(int argc, char **argv);
int kz_cmd_gen(int argc, char **argv);
int kz_cmd_test(int argc, char **argv);
int kz_cmd_replay(int argc, char **argv);
int kz_cmd_check(int argc, char **argv);
int kz_cmd_rules(int argc, char **argv);
int kz_cmd_tasks(int argc, char **argv);
int kz_cmd_done(int argc, char **argv);
int kz_cmd_explain(int argc, char **argv);
int kz_cmd_export(int argc, char **argv);
int kz_cmd_report(int argc, char **argv);
int kz_cmd_diff(int argc, char **argv);
int kz_cmd_trace(int argc, char **argv);

#endif
