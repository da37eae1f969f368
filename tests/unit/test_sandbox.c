/*
** test_sandbox.c — hostile rules against the sandbox, through a real run.
**
** tests/rules/hostile/ holds one rule per attack (os.execute, io.open,
** bytecode, writes to shared tables, endless loops, memory without end, views
** kept past their household ...) and one rule that behaves. One nightly run
** over two households must finish with KZ_EXIT_RULE_ERROR, report each
** attack as its rule's error naming the rule, file:line (the line marked
** `--!` in the rule file) and subject, and still write the good rule's tasks.
** Run from the repo root.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <dirent.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kizuki.h"
#include "run.h"
#include "sandbox.h"

#define PROFILE "rules/kizuki.yaml"
#define HOSTILE "tests/rules/hostile"
#define AS_OF "2024-08-05"

/* {====== Helpers ====== */



/* Two households, each with a child, in two wards. */
static const char TWO_HOUSEHOLDS[] =
  "INSERT INTO persons (id, birth_on, sex) VALUES ('C1','2023-01-10','F'), ('C2','2022-06-01','M');"
  "INSERT INTO households (id) VALUES ('H1'), ('H2');"
  "INSERT INTO members (household_id, person_id, relation, start_on) VALUES"
  " ('H1','C1','child','2023-01-10'), ('H2','C2','child','2022-06-01');"
  "INSERT INTO residences (id, household_id, municipality, ward, start_on) VALUES"
  " ('R1','H1','sapporo','chuo','2023-01-10'), ('R2','H2','sapporo','kita','2022-06-01');";

static long long query_int(sqlite3 *db, const char *sql, const char *arg) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) fail_msg("prepare: %s", sqlite3_errmsg(db));
  if (arg) sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
  long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
  sqlite3_finalize(st);
  return v;
}

/* The 1-based line of the first "--!" marker in file, or 0. */
static int marked_line(const char *file) {
  FILE *f = fopen(file, "r");
  char buf[1024];
  int line = 0, found = 0;
  if (!f) fail_msg("cannot open %s", file);
  while (fgets(buf, sizeof buf, f)) {
    line++;
    if (strncmp(buf, "--", 2) != 0 && strstr(buf, "--!")) { found = line; break; }
  }
  fclose(f);
  return found;
}

static kz_day day(const char *s) {
  kz_day d;
  if (kz_date_parse(s, &d)) fail_msg("bad date %s", s);
  return d;
}

/* A run of engine e over cases into tasks; errors told into *errtext. */
static int run_once(struct kz_engine *e, sqlite3 *cases, struct kz_tasks *ts, const char *as_of,
                    char **errtext) {
  size_t len = 0;
  FILE *errs = open_memstream(errtext, &len);
  struct kz_run_opts ro = {0};
  struct kz_run_stats st = {0};
  struct kz_diag d = {0};
  ro.errors = errs;
  int rc = kz_run(e, cases, ts, day(as_of), &ro, &st, &d);
  kz_diag_print(&d, stderr);
  kz_diag_clear(&d);
  kz_run_stats_free(&st);
  fclose(errs);
  return rc;
}

/* The engine on dir. Its calls get a wall-clock limit of a minute, not the
** profile's seconds: what stops a hostile rule here must be the budget or
** the cap, whatever the machine's load (test_deadline tests the clock). */
static void open_engine(struct kz_engine *e, const char *dir) {
  struct kz_diag d = {0};
  if (kz_engine_open(e, dir, PROFILE, &d)) {
    kz_diag_print(&d, stderr);
    fail_msg("cannot open the engine on %s", dir);
  }
  kz_diag_clear(&d);
  assert_int_equal(kz_sandbox_limit_time(&e->sb, 60), 0);
}

/* An engine on the rules of dir with an in-memory task store: what the
** tests of one run or a few runs start from. */
struct rig {
  struct kz_engine e;
  sqlite3 *tdb;
  struct kz_tasks *ts;
};

static void rig_open(struct rig *k, const char *dir) {
  struct kz_diag d = {0};
  open_engine(&k->e, dir);
  k->tdb = NULL;
  k->ts = NULL;
  assert_int_equal(sqlite3_open(":memory:", &k->tdb), SQLITE_OK);
  assert_int_equal(kz_tasks_attach(&k->ts, k->tdb, &k->e.prof, &d), KZ_EXIT_OK);
}

static void rig_close(struct rig *k) {
  kz_tasks_close(k->ts);
  sqlite3_close(k->tdb);
  kz_engine_close(&k->e);
}

/* }====== */

/* {====== The hostile run ====== */

static struct {
  struct kz_engine e;
  sqlite3 *cases, *tasks_db;
  struct kz_tasks *ts;
  char *errtext;
  int rc;
  double seconds;        /* how long the hostile run took */
} hostile;

static int hostile_setup(void **state) {
  (void)state;
  unlink("/tmp/kizuki-hostile");
  open_engine(&hostile.e, HOSTILE);
  hostile.cases = kzt_cases_db(TWO_HOUSEHOLDS);
  struct kz_diag d = {0};
  if (sqlite3_open(":memory:", &hostile.tasks_db) != SQLITE_OK ||
      kz_tasks_attach(&hostile.ts, hostile.tasks_db, &hostile.e.prof, &d) != KZ_EXIT_OK) {
    kz_diag_print(&d, stderr);
    return -1;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  hostile.rc = run_once(&hostile.e, hostile.cases, hostile.ts, AS_OF, &hostile.errtext);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  hostile.seconds = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
  return 0;
}

static int hostile_teardown(void **state) {
  (void)state;
  kz_tasks_close(hostile.ts);
  sqlite3_close(hostile.tasks_db);
  sqlite3_close(hostile.cases);
  kz_engine_close(&hostile.e);
  free(hostile.errtext);
  return 0;
}

struct attack {
  const char *name;      /* tests/rules/hostile/<name>.lua, rule hostile.<name> */
  const char *message;   /* a fragment the error must carry */
  const char *subjects;  /* the subjects it errs on, in run order, ',' separated */
};

static const struct attack attacks[] = {
  {"os_execute", "unknown name 'os'", "H1,H2"},
  {"io_open", "unknown name 'io'", "H1,H2"},
  {"require", "unknown name 'require'", "H1,H2"},
  {"load_bytecode", "binary chunks are not allowed", "H1,H2"},
  {"load_mode_b", "only text chunks", "H1,H2"},
  {"string_dump", "field 'dump'", "H1,H2"},
  {"dofile", "unknown name 'dofile'", "H1,H2"},
  {"print", "unknown name 'print'", "H1,H2"},
  {"rawset", "unknown name 'rawset'", "H1,H2"},
  {"setmetatable_string", "protected metatable", "H1,H2"},
  {"string_format_nil", "read-only table (field 'format')", "H1,H2"},
  {"global", "may not set global 'counter'", "H1,H2"},
  {"debug", "unknown name 'debug'", "H1,H2"},
  {"collectgarbage", "only \"count\"", "H1,H2"},
  {"loop", "instruction budget", "H1,H2"},
  {"pcall_loop", "instruction budget", "H1,H2"},
  {"memory_string", "memory cap", "H1,H2"},
  /* It makes three 4 KB strings a turn: the bytes made are charged to the
  ** budget, which runs out before the cap. */
  {"memory_table", "instruction budget", "H1,H2"},
  {"record_write", "read-only (field 'birth_on')", "C1,C2"},
  {"kz_write", "read-only table (field 'low')", "H1,H2"},
  {"kz_today", "read-only table (field 'today')", "H1,H2"},
  {"undeclared_param", "param 'not_seen_days'", "H1,H2"},
  {"kept_view", "evaluation has ended", "H2"},
  {"kept_record", "evaluation has ended", "C2"},
  {"evidence_stale", "evaluation has ended", "H2"},
  {"due_trap", "due", "H1,H2"},
  {"pattern", "method 'match'", "H1,H2"},
  {"find_pattern", "plain text only", "H1,H2"},
  {"field_typo", "a residences record has no field 'wrad' (did you mean 'ward'?)", "H1,H2"},
  {"list_typo", "household has no field 'report' (did you mean 'reports'?)", "H1,H2"},
  /* Shared libraries: nothing reachable is shared and writable. */
  {"pairs_kz", "read-only table (field 'finding')", "H1,H2"},
  {"pairs_string", "read-only table (field 'format')", "H1,H2"},
  {"pairs_next", "read-only table (field 'max')", "H1,H2"},
  {"getmetatable_lib", "attempt to index a boolean value", "H1,H2"},
  {"rawequal_state", "read-only table (field 'char')", "H1,H2"},
  {"finding_kz", "a new table expected", "H1,H2"},
  {"finding_params", "a new table expected", "H1,H2"},
  /* Code where no hook reaches: finalizers, message handlers, __close. */
  {"gc_loop", "metatable field '__gc' is not allowed", "H1,H2"},
  {"gc_hoard", "metatable field '__gc' is not allowed", "H1,H2"},
  {"gc_at_close", "metatable field '__gc' is not allowed", "H1,H2"},
  {"mode_weak", "metatable field '__mode' is not allowed", "H1,H2"},
  {"xpcall_loop", "instruction budget", "H1,H2"},
  {"xpcall_recursive", "xpcall gave false", "H1,H2"},
  {"xpcall_budget", "instruction budget", "H1,H2"},
  {"close_loop", "instruction budget", "H1,H2"},
  {"error_tostring", "instruction budget", "H1,H2"},
  /* One C call, or a few instructions, doing unbounded work. */
  {"rep_empty", "rep gave 0 bytes at once", "H1,H2"},
  {"rep_huge", "memory cap", "H1,H2"},
  {"rep_loop", "instruction budget", "H1,H2"},
  {"concat_loop", "instruction budget", "H1,H2"},
  {"move_bomb", "instruction budget", "H1,H2"},
  {"insert_len", "instruction budget", "H1,H2"},
  {"remove_len", "instruction budget", "H1,H2"},
  {"concat_bomb", "instruction budget", "H1,H2"},
  {"unpack_bomb", "too many results", "H1,H2"},
  {"sort_len", "__len metamethod cannot be sorted", "H1,H2"},
  {"find_bomb", "find gave nil", "H1,H2"},
  {"scan_loop", "instruction budget", "H1,H2"},
  /* Chunk names that pass for a rule file. */
  {"load_at_name", "(load):1: boom", "H1,H2"},
  {"load_eq_name", "(load):1: attempt to index a nil value", "H1,H2"},
  {"load_huge", "instruction budget", "H1,H2"},
};

static void test_attack(void **state) {
  const struct attack *a = *state;
  char rule[128], file[256], told[512];
  snprintf(rule, sizeof rule, "hostile.%s", a->name);
  snprintf(file, sizeof file, HOSTILE "/%s.lua", a->name);
  int line = marked_line(file);
  assert_true(line > 0);

  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(hostile.tasks_db,
      "SELECT file, line, subject, message FROM run_errors WHERE rule = ?1 ORDER BY id", -1, &st, NULL),
      SQLITE_OK);
  sqlite3_bind_text(st, 1, rule, -1, SQLITE_STATIC);
  char subjects[128] = "";
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *f = (const char *)sqlite3_column_text(st, 0);
    int l = sqlite3_column_int(st, 1);
    const char *s = (const char *)sqlite3_column_text(st, 2);
    const char *m = (const char *)sqlite3_column_text(st, 3);
    if (!f || strcmp(f, file) != 0 || l != line || !m || !strstr(m, a->message))
      fail_msg("%s: expected %s:%d '...%s...', got %s:%d '%s'", rule, file, line, a->message,
               f ? f : "(null)", l, m ? m : "(null)");
    if (subjects[0]) strcat(subjects, ",");
    strncat(subjects, s ? s : "(null)", sizeof subjects - strlen(subjects) - 1);
    /* Told on the error stream too: file:line, the rule and the subject. */
    snprintf(told, sizeof told, "%s:%d: rule %s, subject %s", file, line, rule, s);
    if (!strstr(hostile.errtext, told)) fail_msg("not told on stderr: %s", told);
  }
  sqlite3_finalize(st);
  assert_string_equal(subjects, a->subjects);
  /* A rule that erred writes no task. */
  assert_int_equal(query_int(hostile.tasks_db, "SELECT count(*) FROM tasks WHERE rule = ?1", rule), 0);
}

static void test_run_goes_on(void **state) {
  (void)state;
  sqlite3 *db = hostile.tasks_db;
  assert_int_equal(hostile.rc, KZ_EXIT_RULE_ERROR);
  /* Bounded: a sanity bound for slow sanitizer builds, not a timing test
  ** (before, gc_at_close, xpcall_loop, rep_empty, move_bomb ... never ended). */
  if (hostile.seconds > 300) fail_msg("the hostile run took %.0f s", hostile.seconds);
  /* The good rule's tasks, one per household, routed by ward. */
  assert_int_equal(query_int(db, "SELECT count(*) FROM tasks WHERE rule = 'hostile.good' AND "
                   "status = 'open' AND ((subject = 'H1' AND unit = 'chuo.health_center') OR "
                   "(subject = 'H2' AND unit = 'kita.health_center'))", NULL), 2);
  /* Its evidence shows the household view and a record. */
  assert_int_equal(query_int(db, "SELECT count(*) FROM tasks WHERE rule = 'hostile.good' AND "
                   "evidence LIKE '[\"household H_\",{\"table\":\"members\"%'", NULL), 2);
  assert_int_equal(query_int(db, "SELECT count(*) FROM tasks", NULL), 2);
  /* Made by string.format and kz.finding, which hostile rules tried to
  ** redefine for everyone (pairs_kz, pairs_string, finding_kz ...). */
  assert_int_equal(query_int(db, "SELECT count(*) FROM tasks WHERE reason = '世帯 ' || subject || "
                   "' を確認'", NULL), 2);
  /* Every error is in run_errors and counted with the run. */
  long long n = 0;
  for (size_t i = 0; i < sizeof attacks / sizeof *attacks; i++)
    n += (long long)(strchr(attacks[i].subjects, ',') ? 2 : 1);
  assert_int_equal(query_int(db, "SELECT count(*) FROM run_errors", NULL), n);
  assert_int_equal(query_int(db, "SELECT errors FROM runs", NULL), n);
  assert_int_equal(query_int(db, "SELECT opened FROM runs", NULL), 2);
  /* os.execute did not run. */
  assert_int_equal(access("/tmp/kizuki-hostile", F_OK), -1);
  /* The state is usable afterwards: nothing is left on the Lua stack. */
  assert_int_equal(lua_gettop(hostile.e.sb.L), 0);
}

/* Every hostile rule file has an entry above (a new file needs one). */
static void test_every_file_listed(void **state) {
  (void)state;
  DIR *dir = opendir(HOSTILE);
  struct dirent *ent;
  assert_non_null(dir);
  while ((ent = readdir(dir))) {
    size_t n = strlen(ent->d_name);
    if (n < 5 || strcmp(ent->d_name + n - 4, ".lua") || strcmp(ent->d_name, "good.lua") == 0) continue;
    int found = 0;
    for (size_t i = 0; i < sizeof attacks / sizeof *attacks; i++)
      found |= strlen(attacks[i].name) == n - 4 && strncmp(attacks[i].name, ent->d_name, n - 4) == 0;
    if (!found) fail_msg("%s has no entry in attacks[]", ent->d_name);
  }
  closedir(dir);
}

/* }====== */

/* {====== The sandbox's environment ====== */

/* Walk the table at idx (depth-limited), looking through read-only proxies,
** for a value raw-equal to the one at target. */
static int reaches(lua_State *L, int idx, int target, int depth) {
  if (depth > 3) return 0;
  int found = 0;
  lua_pushnil(L);
  while (!found && lua_next(L, idx)) {
    int v = lua_gettop(L);
    if (lua_rawequal(L, v, target)) found = 1;
    else if (lua_type(L, v) == LUA_TTABLE) {
      found = reaches(L, v, target, depth + 1);
      if (!found && lua_getmetatable(L, v)) {   /* a proxy: the table behind it */
        if (lua_getfield(L, -1, "__index") == LUA_TTABLE) found = reaches(L, lua_gettop(L), target, depth + 1);
        lua_pop(L, 2);
      }
    }
    lua_pop(L, 1);
  }
  if (found) lua_pop(L, 1);   /* the key lua_next left */
  return found;
}

/* Run `src` in a fresh rule environment; return the Lua status, message in msg. */
static int run_in_env(struct kz_sandbox *sb, const char *src, char *msg, size_t n) {
  lua_State *L = sb->L;
  msg[0] = '\0';
  if (luaL_loadbufferx(L, src, strlen(src), "@test.lua", "t") != LUA_OK) {
    snprintf(msg, n, "%s", lua_tostring(L, -1));
    lua_pop(L, 1);
    return LUA_ERRSYNTAX;
  }
  kz_sandbox_push_env(sb);
  lua_setupvalue(L, -2, 1);
  int status = kz_sandbox_call(sb, 0, 1);
  if (status != LUA_OK) snprintf(msg, n, "%s", lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
  else if (lua_type(L, -1) == LUA_TSTRING) snprintf(msg, n, "%s", lua_tostring(L, -1));
  lua_pop(L, 1);
  return status;
}

static void test_denied_names_absent(void **state) {
  (void)state;
  struct kz_sandbox sb;
  char src[256], msg[512];
  assert_int_equal(kz_sandbox_open(&sb, 1000000, 64u << 20), 0);
  lua_State *L = sb.L;
  int count = 0;
  for (const char *const *n = kz_sandbox_denied_names; *n; n++, count++) {
    /* Naming it is an error. */
    snprintf(src, sizeof src, "return %s", *n);
    assert_int_equal(run_in_env(&sb, src, msg, sizeof msg), LUA_ERRRUN);
    snprintf(src, sizeof src, "unknown name '%s'", *n);
    if (!strstr(msg, src)) fail_msg("reading %s: %s", *n, msg);
    /* It is not in the environment, under any name, nor inside any library. */
    kz_sandbox_push_env(&sb);
    int env = lua_gettop(L);
    lua_pushstring(L, *n);
    assert_int_equal(lua_rawget(L, env), LUA_TNIL);
    lua_pop(L, 1);
    if (lua_getglobal(L, *n) != LUA_TNIL && reaches(L, env, lua_gettop(L), 0))
      fail_msg("'%s' is reachable from a rule's environment", *n);
    lua_settop(L, 0);
  }
  assert_true(count >= 10);
  /* Library members removed before sharing. */
  assert_int_equal(run_in_env(&sb, "return tostring(string.dump) .. tostring(math.random) .. "
                               "tostring(math.randomseed)", msg, sizeof msg), LUA_OK);
  assert_string_equal(msg, "nilnilnil");
  /* What is allowed is there. */
  for (const char *const *n = kz_sandbox_allowed_globals; *n; n++) {
    snprintf(src, sizeof src, "return type(%s)", *n);
    assert_int_equal(run_in_env(&sb, src, msg, sizeof msg), LUA_OK);
    assert_string_not_equal(msg, "nil");
  }
  /* The string metatable is hidden, and strings index the safe library. */
  assert_int_equal(run_in_env(&sb, "return tostring(getmetatable('')) .. ('%d'):format(7) .. "
                               "tostring(('').dump)", msg, sizeof msg), LUA_OK);
  assert_string_equal(msg, "false7nil");
  kz_sandbox_close(&sb);
}

static void test_load_stays_in_sandbox(void **state) {
  (void)state;
  struct kz_sandbox sb;
  char msg[512];
  assert_int_equal(kz_sandbox_open(&sb, 1000000, 64u << 20), 0);
  /* A loaded text chunk sees the sandbox, not the real globals. */
  assert_int_equal(run_in_env(&sb, "return load('return os')()", msg, sizeof msg), LUA_ERRRUN);
  assert_non_null(strstr(msg, "unknown name 'os'"));
  assert_int_equal(run_in_env(&sb, "return load('return type(string.format)')()", msg, sizeof msg), LUA_OK);
  assert_string_equal(msg, "function");
  /* Through pcall (a C caller) it gets no environment at all. */
  assert_int_equal(run_in_env(&sb, "local ok, f = pcall(load, 'return os') return f()", msg, sizeof msg),
                   LUA_ERRRUN);
  assert_null(strstr(msg, "table"));
  /* Through a library function written in Lua (whose _ENV is the real
  ** globals) it gets the sandbox still: kz.first calls pred(x) = load(x). */
  assert_int_equal(run_in_env(&sb,
      "local f = nil\n"
      "kz.first({'return os'}, function(x) f = load(x) return true end)\n"
      "return f()", msg, sizeof msg), LUA_ERRRUN);
  assert_non_null(strstr(msg, "unknown name 'os'"));
  kz_sandbox_close(&sb);
}

/* load() called by a function whose _ENV is the real globals (as every
** kz.lua function is) must still give the chunk a sandbox environment. */
static void test_load_from_library_frame(void **state) {
  (void)state;
  struct kz_sandbox sb;
  char msg[512];
  assert_int_equal(kz_sandbox_open(&sb, 1000000, 64u << 20), 0);
  lua_State *L = sb.L;
  /* A library-style helper, compiled with the real globals as _ENV: it
  ** returns what its callback returns (like a map would). */
  const char *lib = "return function(f, x) local _ = type return f(x) end";
  assert_int_equal(luaL_loadbufferx(L, lib, strlen(lib), "@kz.lua", "t"), LUA_OK);
  assert_int_equal(lua_pcall(L, 0, 1, 0), LUA_OK);
  kz_sandbox_push_env(&sb);
  lua_pushliteral(L, "apply");
  lua_pushvalue(L, -3);
  lua_rawset(L, -3);
  int env = lua_gettop(L);
  const char *src = "local f = apply(load, 'return os') return type(f())";
  assert_int_equal(luaL_loadbufferx(L, src, strlen(src), "@test.lua", "t"), LUA_OK);
  lua_pushvalue(L, env);
  lua_setupvalue(L, -2, 1);
  int status = kz_sandbox_call(&sb, 0, 1);
  snprintf(msg, sizeof msg, "%s", lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
  if (status == LUA_OK) fail_msg("a chunk loaded from a library frame reached os: type %s", msg);
  assert_non_null(strstr(msg, "unknown name 'os'"));
  lua_settop(L, 0);
  kz_sandbox_close(&sb);
}

/* }====== */

/* {====== Views kept past their household, across runs ====== */

static void test_kept_view_across_runs(void **state) {
  (void)state;
  struct rig k;
  char *errtext = NULL;
  rig_open(&k, "tests/rules/keeper");
  /* Day 1: one household; the rule keeps its view. */
  sqlite3 *c1 = kzt_cases_db(TWO_HOUSEHOLDS);
  kzt_exec_sql(c1, "DELETE FROM members WHERE household_id = 'H2'; DELETE FROM residences WHERE "
               "household_id = 'H2'; DELETE FROM persons WHERE id = 'C2'; DELETE FROM households "
               "WHERE id = 'H2'");
  assert_int_equal(run_once(&k.e, c1, k.ts, "2024-08-05", &errtext), KZ_EXIT_OK);
  free(errtext);
  /* Day 2, the same engine (as replay does): the kept view of day 1 must
  ** fail, not show the household now under evaluation. */
  assert_int_equal(run_once(&k.e, c1, k.ts, "2024-08-06", &errtext), KZ_EXIT_RULE_ERROR);
  assert_non_null(strstr(errtext, "evaluation has ended"));
  assert_non_null(strstr(errtext, "rule keeper.kept, subject H1"));
  free(errtext);
  assert_int_equal(query_int(k.tdb, "SELECT count(*) FROM tasks WHERE reason LIKE 'leak:%'", NULL), 0);
  sqlite3_close(c1);
  rig_close(&k);
}

/* Views kept from the first household, read at every later one, with and
** without the prefetch thread: after the households have gone round the ring
** (KZ_PREFETCH_DEPTH slots), the kept view's slot holds another family, and
** every read must still be an error, never that family's data. */
static void test_kept_view_across_ring(void **state) {
  (void)state;
  enum { N = 2 * KZ_PREFETCH_DEPTH + 5 };
  sqlite3 *cases = kzt_cases_db(NULL);
  kzt_exec_sql(cases, "BEGIN");
  for (int i = 1; i <= N; i++) {
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO households (id) VALUES ('H%02d');"
             "INSERT INTO persons (id, birth_on) VALUES ('C%02d','2023-01-%02d');"
             "INSERT INTO members (household_id, person_id, relation, start_on)"
             " VALUES ('H%02d','C%02d','child','2023-01-10');", i, i, 1 + i % 28, i, i);
    kzt_exec_sql(cases, sql);
  }
  kzt_exec_sql(cases, "COMMIT");
  for (int threaded = 0; threaded <= 1; threaded++) {
    struct rig k;
    char *errtext = NULL;
    rig_open(&k, "tests/rules/keeper");
    k.e.threaded = threaded;
    k.e.prof.rule_error_limit = N;   /* every household read, no circuit breaker */
    assert_int_equal(run_once(&k.e, cases, k.ts, AS_OF, &errtext), KZ_EXIT_RULE_ERROR);
    free(errtext);
    for (const char *const *r = (const char *const[]){"keeper.first", "keeper.first_child",
                                                       "keeper.kept", NULL}; *r; r++) {
      assert_int_equal(query_int(k.tdb, "SELECT count(*) FROM run_errors WHERE rule = ?1 AND "
                                 "message LIKE '%evaluation has ended%'", *r), N - 1);
    }
    assert_int_equal(query_int(k.tdb, "SELECT count(*) FROM tasks WHERE reason LIKE 'leak:%'", NULL), 0);
    rig_close(&k);
  }
  sqlite3_close(cases);
}

/* A rule that fills the state's memory and keeps it (an upvalue) must not
** starve the rules after it, nor crash the run. */
static void test_memory_hoarder(void **state) {
  (void)state;
  struct rig k;
  char *errtext = NULL;
  rig_open(&k, "tests/rules/hoard");
  k.e.sb.mem_limit = 48u << 20;     /* keep the test quick: a 48 MiB state */
  sqlite3 *tdb = k.tdb;
  sqlite3 *c = kzt_cases_db(TWO_HOUSEHOLDS);
  assert_int_equal(run_once(&k.e, c, k.ts, AS_OF, &errtext), KZ_EXIT_RULE_ERROR);
  assert_int_equal(query_int(tdb, "SELECT count(*) FROM run_errors WHERE rule = 'hoard.memory' "
                             "AND message LIKE '%memory cap%'", NULL), 2);
  /* The good rule after it still runs: each household gives a task, or at
  ** worst an error of its own (the state is full), never a crash. */
  assert_int_equal(query_int(tdb, "SELECT count(*) FROM tasks WHERE rule = 'hoard.good'", NULL) +
                   query_int(tdb, "SELECT count(*) FROM run_errors WHERE rule = 'hoard.good'", NULL), 2);
  assert_int_equal(query_int(tdb, "SELECT households FROM runs", NULL), 2);
  free(errtext);
  sqlite3_close(c);
  rig_close(&k);
}

/* }====== */

/* {====== Load-time errors ====== */

/* Write files (name, text, name, text, ..., NULL) into a fresh folder. */
static char *rules_dir(const char *first, ...) {
  char *dir = strdup("/tmp/kz_rules_XXXXXX");
  assert_non_null(mkdtemp(dir));
  va_list ap;
  va_start(ap, first);
  for (const char *name = first; name; name = va_arg(ap, const char *)) {
    const char *text = va_arg(ap, const char *);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
  }
  va_end(ap);
  return dir;
}

static void remove_dir(char *dir) {
  DIR *dp = opendir(dir);
  struct dirent *ent;
  while (dp && (ent = readdir(dp))) {
    if (ent->d_name[0] == '.') continue;
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
    unlink(path);
  }
  if (dp) closedir(dp);
  rmdir(dir);
  free(dir);
}

#define RULE_HEAD(id) "rule {\n  id = \"" id "\", label = \"l\", title = \"t\", subject = \"household\",\n"
#define RULE_TAIL "  check = function(hh, p) end,\n}\n"
#define RULE_OK(id) RULE_HEAD(id) "  agency = \"health_center\", severity = \"low\", due = 1,\n" RULE_TAIL

/* kz_engine_open on dir must fail with a message containing each fragment. */
static void expect_load_error(char *dir, const char *const *fragments) {
  struct kz_engine e;
  struct kz_diag d = {0};
  assert_int_equal(kz_engine_open(&e, dir, PROFILE, &d), -1);
  size_t all = 0;
  for (size_t i = 0; i < d.n; i++) all += strlen(d.msgs[i]) + 1;
  char *text = calloc(1, all + 1);
  for (size_t i = 0; i < d.n; i++) { strcat(text, d.msgs[i]); strcat(text, "\n"); }
  for (const char *const *f = fragments; *f; f++) {
    char want[600];
    snprintf(want, sizeof want, *f, dir, dir);     /* %s: the folder */
    if (!strstr(text, want)) fail_msg("expected '%s' in:\n%s", want, text);
  }
  free(text);
  kz_diag_clear(&d);
  remove_dir(dir);
}

static void test_load_syntax_error(void **state) {
  (void)state;
  char *dir = rules_dir("a.lua", RULE_OK("ok.one"), "b.lua", "-- a comment\n\nrule { id = \"x\",, }\n", NULL);
  expect_load_error(dir, (const char *const[]){"%s/b.lua:3:", "unexpected symbol", NULL});
}

static void test_load_unknown_field(void **state) {
  (void)state;
  char *dir = rules_dir("a.lua", "-- line 1\n" RULE_HEAD("x.y")
                        "  agency = \"health_center\", sevrity = \"low\", due = 1,\n" RULE_TAIL, NULL);
  expect_load_error(dir, (const char *const[]){"%s/a.lua:2: unknown rule field 'sevrity' "
                                               "(did you mean 'severity'?)", NULL});
}

static void test_load_duplicate_id(void **state) {
  (void)state;
  char *dir = rules_dir("a.lua", RULE_OK("same.id"), "b.lua", "\n\n" RULE_OK("same.id"), NULL);
  expect_load_error(dir, (const char *const[]){"%s/b.lua:3: duplicate rule id 'same.id' "
                                               "(first defined at %s/a.lua:1)", NULL});
}

static void test_load_unknown_param(void **state) {
  (void)state;
  char *dir = rules_dir("a.lua", RULE_HEAD("x.y") "  agency = \"health_center\", severity = \"low\", "
                        "due = 1, params = { \"young_age\", \"yung_age\" },\n" RULE_TAIL, NULL);
  expect_load_error(dir, (const char *const[]){"%s/a.lua:1: rule x.y: unknown param 'yung_age'", NULL});
}

static void test_load_unknown_agency(void **state) {
  (void)state;
  char *dir = rules_dir("a.lua", RULE_HEAD("x.y") "  agency = \"health_centre\", severity = \"low\", "
                        "due = 1,\n" RULE_TAIL, NULL);
  expect_load_error(dir, (const char *const[]){"%s/a.lua:1: rule x.y: unknown agency 'health_centre'", NULL});
}

static void test_load_runtime_error_in_file(void **state) {
  (void)state;
  char *dir = rules_dir("a.lua", "local x = nil\nlocal y = x.field\n" RULE_OK("x.y"), NULL);
  expect_load_error(dir, (const char *const[]){"%s/a.lua:2: attempt to index a nil value (local 'x')", NULL});
}

/* }====== */


/* {====== Sealed, per-file libraries ====== */

/* The safe replacements answer as Lua's own functions do. */
static void test_library_semantics(void **state) {
  (void)state;
  struct kz_sandbox sb;
  char msg[512];
  assert_int_equal(kz_sandbox_open(&sb, 1000000, 64u << 20), 0);
  static const char *const cases[][2] = {
    {"return ('ab'):rep(3, ',')", "ab,ab,ab"},
    {"return ('ab'):rep(1, ',') .. '|' .. ('ab'):rep(0) .. '|' .. (''):rep(3, '-')", "ab||--"},
    {"return ('abc'):rep(5)", "abcabcabcabcabc"},
    {"return table.concat({('xyz'):rep(1000, '.'):byte(1, 9)}, ' ')", "120 121 122 46 120 121 122 46 120"},
    {"return tostring(#('x'):rep(100001, 'yz'))", "300001"},
    {"return table.concat({('hello world'):find('o w', 1, true)}, ',')", "5,7"},
    {"return table.concat({('hello'):find('l', -2, true)}, ',') .. tostring(('a'):find('b', 1, true))", "4,4nil"},
    {"return table.concat({('abc'):find('', 10, true) or 'nil', ('abc'):find('', 4, true)}, ',')", "nil,4,3"},
    {"local t = {1, 2, 3} table.insert(t, 1, 0) table.insert(t, 9) return table.concat(t, ',')", "0,1,2,3,9"},
    {"local t = {1, 2, 3, 4} local r = table.remove(t, 2) .. table.remove(t) return r .. ':' .. table.concat(t, ',')", "24:1,3"},
    {"local t = {} return tostring(table.remove(t)) .. #t", "nil0"},
    {"local t = {1, 2, 3, 4, 5} table.move(t, 1, 3, 3) return table.concat(t, ',')", "1,2,1,2,3"},
    {"local t = {1, 2, 3, 4, 5} table.move(t, 3, 5, 1) return table.concat(t, ',')", "3,4,5,4,5"},
    {"return table.concat(table.move({1, 2}, 1, 2, 2, {9}), ',')", "9,1,2"},
    {"return table.concat({1, 2, 3}, '-', 2) .. table.concat({}, 'x') .. table.concat({1, 2, 3}, '', 2, 3)", "2-323"},
    {"return select('#', table.unpack({1, nil, 3})) .. table.concat({table.unpack({1, 2, 3}, 2)}, ',')", "32,3"},
    {"local t = {5, 3, 9, 1} table.sort(t) local u = {5, 3, 9} table.sort(u, function(a, b) return a > b end) "
     "return table.concat(t, ',') .. '/' .. table.concat(u, ',')", "1,3,5,9/9,5,3"},
    {"return utf8.len('子ども') .. tostring(tonumber(' 42 ')) .. utf8.offset('子ども', 2) .. utf8.codepoint('子')", "342423376"},
    {"return tostring(pcall(table.insert, {}, 5, 1)) .. tostring(pcall(table.insert, {}, 1, 2, 3))", "falsefalse"},
    {"local seen = 0 for k, v in pairs(string) do seen = seen + 1 end return tostring(seen)", "10"},
    {"return tostring(string.pack) .. tostring(string.gsub) .. tostring(math.random)", "nilnilnil"},
    {"local t = setmetatable({}, { __index = function(_, k) return 'v' .. k end, __close = nil }) return t[1]", "v1"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    if (run_in_env(&sb, cases[i][0], msg, sizeof msg) != LUA_OK) fail_msg("%s: %s", cases[i][0], msg);
    if (strcmp(msg, cases[i][1]) != 0) fail_msg("%s: expected '%s', got '%s'", cases[i][0], cases[i][1], msg);
  }
  kz_sandbox_close(&sb);
}

/* Everything a rule reaches from its environment — through pairs, through
** getmetatable, at any depth — refuses a write: there is no table a rule can
** change that it did not make. */
static void test_nothing_reachable_is_writable(void **state) {
  (void)state;
  struct kz_sandbox sb;
  char msg[4096];
  assert_int_equal(kz_sandbox_open(&sb, 100000000, 64u << 20), 0);
  const char *src =
    "local seen, writable, n = {}, {}, 0\n"
    "local function walk(t, path, depth)\n"
    "  if type(t) ~= 'table' or seen[t] or depth > 8 then return end\n"
    "  seen[t] = true n = n + 1\n"
    "  if pcall(function() t.__kz_probe = 1 end) then writable[#writable + 1] = path end\n"
    "  for k, v in pairs(t) do walk(v, path .. '.' .. tostring(k), depth + 1) end\n"
    "  walk(getmetatable(t), path .. '<mt>', depth + 1)\n"
    "  local _, s = pairs(t) walk(s, path .. '<pairs>', depth + 1)\n"
    "end\n"
    "walk(_G, '_G', 0)\n"
    "walk(getmetatable(''), '<string mt>', 0)\n"
    "walk(kz.business_days(3), 'due', 0)\n"
    "return n .. ' tables; writable: ' .. table.concat(writable, ' ')\n";
  assert_int_equal(run_in_env(&sb, src, msg, sizeof msg), LUA_OK);
  /* The due table is the rule's own (made for it): the only writable one. */
  if (!strstr(msg, "writable: due") || strstr(msg, "writable: due ")) fail_msg("writable: %s", msg);
  if (atoi(msg) < 20) fail_msg("walked too little: %s", msg);
  kz_sandbox_close(&sb);
}

/* Each rule file has its own copies: the same names, other tables; and
** kz_sandbox_set reaches every copy. */
static void test_files_have_own_libraries(void **state) {
  (void)state;
  struct kz_sandbox sb;
  assert_int_equal(kz_sandbox_open(&sb, 1000000, 64u << 20), 0);
  lua_State *L = sb.L;
  kz_sandbox_push_env(&sb);
  kz_sandbox_push_env(&sb);
  for (const char *const *n = (const char *const[]){"kz", "string", "table", "math", "utf8", NULL}; *n; n++) {
    lua_getfield(L, 1, *n);
    lua_getfield(L, 2, *n);
    if (lua_rawequal(L, -1, -2)) fail_msg("two rule files share their '%s'", *n);
    lua_pop(L, 2);
  }
  lua_pushliteral(L, "2024-08-05");
  kz_sandbox_set(&sb, "today");
  for (int env = 1; env <= 2; env++) {
    lua_getfield(L, env, "kz");
    lua_getfield(L, -1, "today");
    assert_string_equal(lua_tostring(L, -1), "2024-08-05");
    lua_pop(L, 2);
  }
  lua_settop(L, 0);
  kz_sandbox_close(&sb);
}

/* }====== */

/* {====== The wall clock ====== */

static double seconds_since(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* With an instruction budget that never ends, the wall-clock limit stops a
** loop, and a loop of string comparisons that take milliseconds each (where
** the count hook would come only every thousand of them): the ticker makes
** the hook run at the next instruction. The good rule's tasks are written. */
static void test_deadline(void **state) {
  (void)state;
  char *dir = rules_dir(
    "a_loop.lua", "rule { id = 'slow.loop', label = 'l', title = 't', subject = 'household',\n"
                  "  agency = 'health_center', severity = 'low', due = 1,\n"
                  "  check = function(hh, p) while true do end end }\n",
    "b_compare.lua", "local a, b = ('x'):rep(8000000) .. 'a', ('x'):rep(8000000) .. 'b'\n"
                     "rule { id = 'slow.compare', label = 'l', title = 't', subject = 'household',\n"
                     "  agency = 'health_center', severity = 'low', due = 1,\n"
                     "  check = function(hh, p) local n = 0 while a ~= b and a < b do n = n + 1 end end }\n",
    "c_good.lua", "rule { id = 'slow.good', label = 'l', title = 't', subject = 'household',\n"
                  "  agency = 'health_center', severity = 'low', due = 1,\n"
                  "  check = function(hh, p) return kz.finding { since = kz.today, reason = 'ok' } end }\n",
    NULL);
  struct rig k;
  char *errtext = NULL;
  rig_open(&k, dir);
  k.e.sb.budget = (long long)1 << 60;
  assert_int_equal(kz_sandbox_limit_time(&k.e.sb, 0.3), 0);
  sqlite3 *c = kzt_cases_db(TWO_HOUSEHOLDS);
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  assert_int_equal(run_once(&k.e, c, k.ts, AS_OF, &errtext), KZ_EXIT_RULE_ERROR);
  double took = seconds_since(&t0);
  assert_true(took < 30);                   /* a sanity bound, not a timing test */
  for (const char *const *r = (const char *const[]){"slow.loop", "slow.compare", NULL}; *r; r++)
    if (query_int(k.tdb, "SELECT count(*) FROM run_errors WHERE rule = ?1 AND message LIKE "
                  "'%wall-clock limit of 0.3 s per call%'", *r) != 2)
      fail_msg("%s not stopped by the clock: %s", *r, errtext);
  assert_int_equal(query_int(k.tdb, "SELECT count(*) FROM tasks WHERE rule = 'slow.good'", NULL), 2);
  free(errtext);
  sqlite3_close(c);
  rig_close(&k);
  remove_dir(dir);
}

/* }====== */

int main(void) {
  struct CMUnitTest run_tests[sizeof attacks / sizeof *attacks + 2];
  size_t n = 0;
  run_tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_run_goes_on);
  run_tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_every_file_listed);
  for (size_t i = 0; i < sizeof attacks / sizeof *attacks; i++) {
    struct CMUnitTest t = cmocka_unit_test_prestate(test_attack, (void *)&attacks[i]);
    t.name = attacks[i].name;
    run_tests[n++] = t;
  }
  const struct CMUnitTest other[] = {
    cmocka_unit_test(test_denied_names_absent),
    cmocka_unit_test(test_load_stays_in_sandbox),
    cmocka_unit_test(test_load_from_library_frame),
    cmocka_unit_test(test_kept_view_across_runs),
    cmocka_unit_test(test_kept_view_across_ring),
    cmocka_unit_test(test_memory_hoarder),
    cmocka_unit_test(test_load_syntax_error),
    cmocka_unit_test(test_load_unknown_field),
    cmocka_unit_test(test_load_duplicate_id),
    cmocka_unit_test(test_load_unknown_param),
    cmocka_unit_test(test_load_unknown_agency),
    cmocka_unit_test(test_load_runtime_error_in_file),
    cmocka_unit_test(test_library_semantics),
    cmocka_unit_test(test_nothing_reachable_is_writable),
    cmocka_unit_test(test_files_have_own_libraries),
    cmocka_unit_test(test_deadline),
  };
  int failed = _cmocka_run_group_tests("hostile run", run_tests, n, hostile_setup, hostile_teardown);
  failed += cmocka_run_group_tests_name("sandbox", other, NULL, NULL);
  return failed ? 1 : 0;
}
