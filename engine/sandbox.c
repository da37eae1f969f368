/*
** sandbox.c — the Lua state rules run in: allow lists, sealed per-file
** libraries, memory cap, instruction budget, wall-clock limit and signals.
**
** What a rule may touch is the allow list below, readable in one screen.
** Everything else of Lua's standard library is never loaded into the rules'
** environment: no io, os, package, require, debug, dofile, loadfile, print,
** string.dump, math.random (rules must be deterministic), and load only for
** text chunks. Each rule file gets its own environment and its own copies of
** the libraries (string, table, math, utf8, kz), built once when the file
** loads; each copy reaches the rule as a sealed read-only proxy: no write,
** no metatable, and iterating it yields values, never the table behind it.
** The one table all files share, the strings' metatable, is such a proxy too.
** So no rule can reach state that another rule's findings depend on
** (docs/security.md, "Why no rule can reach another's findings").
**
** Every call is bounded: an instruction budget counted by a hook, work done
** in C charged to the same budget (bytes allocated, elements moved or
** searched), the memory cap checked before a C function starts work, and a
** wall-clock limit kept by a ticker signal that makes the hook run at the
** next instruction — which is also how SIGTERM stops a call at once.
*/
#define _GNU_SOURCE        /* memmem, SIGEV_THREAD_ID, gettid */
#include "sandbox.h"
#include "i18n.h"

#include <lauxlib.h>
#include <limits.h>
#include <stdint.h>
#include <lualib.h>

#include "i18n.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace.h"

/* {====== Allow lists ====== */

/* Base functions a rule may call. */
const char *const kz_sandbox_allowed_globals[] = {
  "assert", "error", "ipairs", "next", "pairs", "select", "tonumber",
  "tostring", "type", "rawequal", "rawlen", "rawget", "setmetatable",
  "getmetatable", "_VERSION",
  /* replaced by safe versions below */
  "load", "collectgarbage", "pcall", "xpcall",
  /* libraries: a sealed copy for each rule file */
  "string", "table", "math", "utf8", "kz",
  NULL
};

/* The members of each standard library a rule may use; the rest never reach
** a rule. Lua patterns (string.match, gmatch, gsub) are out: they can
** backtrack for hours inside one C call; string.find searches plain text
** only. No string.dump, string.pack (binary data), math.random. */
static const char *const string_members[] = {
  "byte", "char", "find", "format", "len", "lower", "rep", "reverse", "sub", "upper", NULL
};
static const char *const table_members[] = {
  "concat", "insert", "move", "pack", "remove", "sort", "unpack", NULL
};
static const char *const math_members[] = {
  "abs", "acos", "asin", "atan", "ceil", "cos", "exp", "floor", "fmod", "huge", "log", "max",
  "maxinteger", "min", "mininteger", "modf", "pi", "sin", "sqrt", "tan", "tointeger", "type",
  "ult", NULL
};
static const char *const utf8_members[] = {
  "char", "charpattern", "codepoint", "codes", "len", "offset", NULL
};

static const struct { const char *name; const char *const *members; } libraries[] = {
  {"string", string_members}, {"table", table_members}, {"math", math_members},
  {"utf8", utf8_members}, {NULL, NULL}
};

/* Names that exist in standard Lua but never in a rule's world (for `check`
** and for the tests that prove each is absent). */
const char *const kz_sandbox_denied_names[] = {
  "io", "os", "package", "require", "debug", "dofile", "loadfile", "print",
  "rawset", "loadstring", "coroutine", NULL
};

/* Metatable fields a rule may not set: __gc would run rule code where no
** budget, cap or deadline reaches (in the collector, at lua_close); __mode
** makes what a rule sees depend on when the collector runs. */
static const char *const denied_metafields[] = {"__gc", "__mode", NULL};

/* }====== */

#define HOOK_EVERY 1000  /* instructions between budget checks */
#define PROFILE_EVERY 50 /* ... when KZ_PROFILE samples where they go */
#define ALLOC_PER_UNIT 32     /* bytes allocated that cost one instruction */
#define SCAN_PER_UNIT 32      /* bytes read by one C call (a search, a scan) that cost one */
#define CHARGE_FROM 64        /* allocations up to this size are free (short strings are
                                 interned: whether they allocate depends on the past) */
#define TICK_NS 100000000L    /* the ticker's period: 0.1 s */

struct kz_sandbox *kz_sandbox_of(lua_State *L) {
  return *(struct kz_sandbox **)lua_getextraspace(L);
}

static void note_where(lua_State *L, struct kz_sandbox *sb, int from);
static void budget_hook(lua_State *L, lua_Debug *ar);
static int doomed(const struct kz_sandbox *sb);

/* Make the hook run at the next Lua instruction. Async-signal-safe (as in
** lua.c's SIGINT handler): the ticker calls it from a signal handler. */
static void force_hook(struct kz_sandbox *sb) {
  lua_sethook(sb->L, budget_hook, LUA_MASKCOUNT, 1);
}

static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  struct kz_sandbox *sb = ud;
  if (nsize == 0) {
    if (ptr) sb->mem_used -= osize;
    kz_pool_free(&sb->pool, ptr, osize);
    return NULL;
  }
  size_t old = ptr ? osize : 0;
  if (sb->capped && nsize > old) {
    if (sb->mem_used + (nsize - old) > sb->mem_limit) {
      /* Lua raises memory errors without calling the message handler: note
      ** the rule's line here (reading the call stack does not allocate).
      ** Lua first collects and tries again: only when that fails too is it
      ** the error (LUA_ERRMEM, which sets mem_hit). */
      if (!sb->err_line) {
        note_where(sb->L, sb, 0);
        sb->refused = nsize;
      }
      return NULL;
    }
    if (sb->refused == nsize) {            /* the retry after a collection worked */
      sb->refused = 0;
      if (!doomed(sb)) sb->err_line = 0;
    }
    /* Making big things is work the instruction count does not see (a loop
    ** of 40 MB string.rep calls is a few instructions a turn): charge it. */
    if (nsize - old > CHARGE_FROM) {
      sb->budget_left -= (long long)((nsize - old) / ALLOC_PER_UNIT);
      if (sb->budget_left <= 0) force_hook(sb);
    }
  }
  void *p = kz_pool_realloc(&sb->pool, ptr, old, nsize);
  if (p) sb->mem_used = sb->mem_used - old + nsize;
  return p;
}

/* Record the innermost frame that runs in a file (a rule or kz.lua). Chunks
** made by load() are named "=(load)", never "@...", so they cannot pass
** for a rule file. */
static void note_where(lua_State *L, struct kz_sandbox *sb, int from) {
  lua_Debug ar;
  for (int level = from; lua_getstack(L, level, &ar); level++) {
    if (!lua_getinfo(L, "Sl", &ar)) break;
    if (ar.currentline > 0 && ar.source[0] == '@') {
      snprintf(sb->err_file, sizeof sb->err_file, "%s", ar.source + 1);
      sb->err_line = ar.currentline;
      /* Prefer a rule file over the kizuki library that it called. */
      if (strstr(ar.source, "=kz") == NULL && strcmp(ar.source, "@kz.lua") != 0) return;
    }
  }
}

/* KZ_PROFILE=1: count where the instructions go, by source line (a sample
** every HOOK_EVERY instructions), for `kizuki run`'s profile on stderr. */
static void profile_sample(lua_State *L, struct kz_sandbox *sb) {
  lua_Debug ar;
  if (!lua_getstack(L, 0, &ar) || !lua_getinfo(L, "Sl", &ar)) return;
  char key[300];
  lua_Debug up;
  int upline = 0;
  char upsrc[120] = "";
  if (lua_getstack(L, 1, &up) && lua_getinfo(L, "Sl", &up)) {
    upline = up.currentline;
    snprintf(upsrc, sizeof upsrc, "%s", up.short_src);
  }
  snprintf(key, sizeof key, "%s:%d (from %s:%d)", ar.short_src, ar.currentline, upsrc, upline);
  lua_rawgeti(L, LUA_REGISTRYINDEX, sb->profile_ref);
  lua_getfield(L, -1, key);
  lua_Integer n = lua_tointeger(L, -1);
  lua_pop(L, 1);
  lua_pushinteger(L, n + 1);
  lua_setfield(L, -2, key);
  lua_pop(L, 1);
}

/* Has the call in progress met a limit that no pcall may catch? */
static int doomed(const struct kz_sandbox *sb) {
  return sb->budget_hit || sb->mem_hit || sb->deadline_hit || sb->stopped;
}

/* The budget is spent: note where, and from now on make every instruction
** fail (so __close handlers and message handlers end at once). */
static int budget_error(lua_State *L, struct kz_sandbox *sb, const char *why) {
  if (!doomed(sb)) note_where(L, sb, 0);
  sb->budget_hit = 1;
  force_hook(sb);
  /* No "file:line:" in front (luaL_where would name the caller's line from a
  ** hook): the place is err_file:err_line. */
  lua_pushfstring(L, _("instruction budget of %I exceeded (%s)"), (lua_Integer)sb->budget, why);
  return lua_error(L);
}

/* The clock read by the hook itself, as well as the ticker (whose signal a
** thread may get late: under ThreadSanitizer, only at its next intercepted
** call). The call's time counts from its first hook; one read of the coarse
** monotonic clock every HOOK_EVERY instructions costs next to nothing. */
static int clock_says_late(struct kz_sandbox *sb) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
  long long now = (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
  if (!sb->call_t0) {
    sb->call_t0 = now;
    return 0;
  }
  return now - sb->call_t0 >= (long long)sb->ticks_limit * TICK_NS;
}

static void budget_hook(lua_State *L, lua_Debug *ar) {
  struct kz_sandbox *sb = kz_sandbox_of(L);
  (void)ar;
  if (sb->profile_ref) profile_sample(L, sb);
  sb->budget_left -= sb->profile_ref ? PROFILE_EVERY : HOOK_EVERY;
  if (sb->stop && *sb->stop) {
    if (!doomed(sb)) note_where(L, sb, 0);
    sb->stopped = 1;
    force_hook(sb);
    lua_pushliteral(L, "the run was interrupted (SIGTERM or SIGINT); nothing is written");
    lua_error(L);
  }
  if (sb->ticks_limit && (sb->ticks >= sb->ticks_limit || clock_says_late(sb))) {
    if (!doomed(sb)) note_where(L, sb, 0);
    sb->deadline_hit = 1;
    force_hook(sb);
    lua_pushfstring(L, _("wall-clock limit of %f s per call exceeded (an endless loop, or slow "
                    "calls on huge strings?)"), (lua_Number)sb->ticks_limit * (TICK_NS / 1e9));
    lua_error(L);
  }
  if (sb->budget_left > 0) return;
  budget_error(L, sb, "an endless loop, or big strings and tables made again and again?");
}

void kz_sandbox_charge(lua_State *L, lua_Unsigned n) {
  struct kz_sandbox *sb = kz_sandbox_of(L);
  if (!sb->capped) return;                 /* the engine's own call, not a rule's */
  if (n >= (lua_Unsigned)sb->budget_left || sb->budget_left <= 0) {
    sb->budget_left = 0;
    budget_error(L, sb, "one call that would do too much work");
  }
  sb->budget_left -= (long long)n;
}

/* Refuse, before any work, a result of bytes that the memory left cannot
** hold (reported as the memory cap, like an allocation that fails). */
static void need_memory(lua_State *L, lua_Unsigned bytes) {
  struct kz_sandbox *sb = kz_sandbox_of(L);
  if (!sb->capped) return;
  size_t left = sb->mem_used < sb->mem_limit ? sb->mem_limit - sb->mem_used : 0;
  if (bytes <= left) return;
  lua_gc(L, LUA_GCCOLLECT);                /* what is garbage is not in the way */
  left = sb->mem_used < sb->mem_limit ? sb->mem_limit - sb->mem_used : 0;
  if (bytes <= left) return;
  if (!sb->mem_hit && !sb->err_line) note_where(L, sb, 0);
  sb->mem_hit = 1;
  luaL_error(L, "memory cap reached");
}

/* {====== Hints: what to do about Lua's own error messages ====== */

/* The name in "(field 'x')", "(local 'x')", ... of msg into out; 0 if none. */
static int named_operand(const char *msg, char *out, size_t cap) {
  static const char *const kinds[] = {"(field '", "(local '", "(upvalue '", "(global '", NULL};
  for (const char *const *k = kinds; *k; k++) {
    const char *s = strstr(msg, *k), *e;
    if (s && (e = strchr(s += strlen(*k), '\'')) != NULL && (size_t)(e - s) < cap) {
      memcpy(out, s, (size_t)(e - s));
      out[e - s] = '\0';
      return 1;
    }
  }
  return 0;
}

static int word_ch(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.';
}

/* "attempt to compare nil with string" at err_file:err_line: the operand
** that was nil, read from the line (Lua turns a > b into b < a, so the side
** depends on the operator). 0 when the line does not say. */
static int nil_operand(const struct kz_sandbox *sb, int nil_first, char *out, size_t cap) {
  char line[512] = "";
  FILE *f = sb->err_file[0] ? fopen(sb->err_file, "r") : NULL;
  for (int n = 1; f && fgets(line, sizeof line, f) && n < sb->err_line; n++) line[0] = '\0';
  if (f) fclose(f);
  char q = 0;
  for (char *c = line; *c; c++) {
    if (q) { if (*c == '\\' && c[1]) c++; else if (*c == q) q = 0; continue; }
    if (*c == '"' || *c == '\'') { q = *c; continue; }
    if (c[0] == '-' && c[1] == '-') break;
    if ((*c != '<' && *c != '>') || (c > line && (c[-1] == '<' || c[-1] == '>'))) continue;
    int greater = *c == '>';
    char *opend = c + 1 + (c[1] == '=');
    int left = nil_first != greater;          /* a < b: the first type is a's */
    char *b, *e;
    if (left) {
      e = c;
      while (e > line && e[-1] == ' ') e--;
      b = e;
      while (b > line && word_ch(b[-1])) b--;
    } else {
      b = opend;
      while (*b == ' ') b++;
      e = b;
      while (word_ch(*e)) e++;
    }
    if (e > b && (size_t)(e - b) < cap && !(*b >= '0' && *b <= '9')) {
      memcpy(out, b, (size_t)(e - b));
      out[e - b] = '\0';
      return 1;
    }
    return 0;
  }
  return 0;
}

/* Append to the message on top what to do about it, when Lua's words are
** one of the common mistakes of rule writers (authoring.md, よくある間違い). */
static void add_hint(lua_State *L, const struct kz_sandbox *sb) {
  const char *msg = lua_tostring(L, -1);
  char x[128] = "x";
  const char *hint = NULL;
  if (strstr(msg, "a 'string' with a 'number'") || strstr(msg, "a 'number' with a 'string'") ||
      strstr(msg, "perform arithmetic on a string value")) {
    hint = _("dates are text (YYYY-MM-DD): for the day n days later use kz.add_days(date, n), "
             "for the days between two dates kz.days(from, to)");
  } else if (strstr(msg, "attempt to compare nil with") || strstr(msg, " with nil")) {
    if (!nil_operand(sb, strstr(msg, "compare nil with") != NULL, x, sizeof x)) strcpy(x, "x");
    hint = _("this record's field may be empty: check %s ~= nil first");
  } else if (strstr(msg, "attempt to call a nil value") &&
             (strstr(msg, "'match')") || strstr(msg, "'gmatch')") || strstr(msg, "'gsub')"))) {
    hint = _("Lua patterns are not available in rules: search plain text with s:find(\"text\"), "
             "compare with ==, or cut with s:sub(i, j)");
  } else if (strstr(msg, "a nil value") && (strstr(msg, "attempt to perform arithmetic") ||
             strstr(msg, "attempt to concatenate") || strstr(msg, "attempt to index"))) {
    if (!named_operand(msg, x, sizeof x)) strcpy(x, "x");
    hint = _("this record's field may be empty: check %s ~= nil first");
  }
  if (!hint) return;
  lua_pushliteral(L, " — ");
  lua_pushfstring(L, hint, x);
  lua_concat(L, 3);
}

/* }====== */

static int message_handler(lua_State *L) {
  struct kz_sandbox *sb = kz_sandbox_of(L);
  if (!sb->err_line) note_where(L, sb, 1);
  if (!lua_isstring(L, 1)) {
    if (!doomed(sb) && luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
      return 1;
    lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  } else if (!doomed(sb) && lua_type(L, 1) == LUA_TSTRING) {
    add_hint(L, sb);
  }
  return 1;
}

/* Call with the limits armed. Per call this is a few stores: the budget is
** counted by the hook every HOOK_EVERY instructions, and the wall clock by
** the ticker, which runs anyway. */
int kz_sandbox_call(struct kz_sandbox *sb, int nargs, int nresults) {
  lua_State *L = sb->L;
  int base = lua_gettop(L) - nargs;
  lua_pushcfunction(L, message_handler);
  lua_insert(L, base);
  sb->budget_left = sb->budget;
  sb->budget_hit = 0;
  sb->mem_hit = 0;
  sb->refused = 0;
  sb->deadline_hit = 0;
  sb->stopped = 0;
  sb->err_file[0] = '\0';
  sb->err_line = 0;
  lua_sethook(L, budget_hook, LUA_MASKCOUNT, sb->profile_ref ? PROFILE_EVERY : HOOK_EVERY);
  sb->capped = 1;
  sb->ticks = 0;
  sb->call_t0 = 0;
  sb->in_call = 1;
  int status = lua_pcall(L, nargs, nresults, base);
  sb->in_call = 0;
  sb->capped = 0;
  lua_sethook(L, NULL, 0, 0);
  lua_remove(L, base);
  if (status == LUA_ERRMEM) sb->mem_hit = 1;
  if (status != LUA_OK && sb->mem_hit) {   /* "not enough memory" says too little */
    lua_pop(L, 1);
    lua_gc(L, LUA_GCCOLLECT);
    lua_pushfstring(L, _("memory cap of %d MiB reached (a table or string that grows without end?)"),
                    (int)(sb->mem_limit >> 20));
  }
  return status;
}

/* {====== The ticker ====== */

#define TICK_SIGNAL (SIGRTMIN)

/* Count a period of the call in progress; at the limit, or once the stop
** flag is up, make the hook run now. The sandbox comes with the signal
** (sigev_value), so no global state is needed. */
static void on_tick(int sig, siginfo_t *si, void *uc) {
  (void)sig;
  (void)uc;
  if (si->si_code != SI_TIMER) return;
  struct kz_sandbox *sb = si->si_value.sival_ptr;
  if (!sb || !sb->in_call) return;
  if (sb->ticks < INT_MAX) sb->ticks++;
  if ((sb->ticks_limit && sb->ticks >= sb->ticks_limit) || (sb->stop && *sb->stop))
    force_hook(sb);
}

int kz_sandbox_limit_time(struct kz_sandbox *sb, double seconds) {
  double t = seconds * (1e9 / TICK_NS);
  sb->ticks_limit = seconds <= 0 ? 0 : t >= INT_MAX ? INT_MAX : (int)t + (t > (int)t);
  if (sb->has_timer) return 0;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_tick;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;   /* the task DB's reads and writes just go on */
  sigemptyset(&sa.sa_mask);
  if (sigaction(TICK_SIGNAL, &sa, NULL)) return -1;
  struct sigevent ev;
  memset(&ev, 0, sizeof ev);
  ev.sigev_notify = SIGEV_THREAD_ID;       /* the rules' thread, never the loader's */
  ev.sigev_signo = TICK_SIGNAL;
  ev.sigev_value.sival_ptr = sb;
  ev._sigev_un._tid = gettid();          /* glibc 2.36 spells sigev_notify_thread_id so */
  if (timer_create(CLOCK_MONOTONIC, &ev, &sb->timer)) return -1;
  sb->has_timer = 1;
  struct itimerspec it = {{0, TICK_NS}, {0, TICK_NS}};
  if (timer_settime(sb->timer, 0, &it, NULL)) return -1;
  return 0;
}

/* Stop the ticker and take away any tick still pending, so no handler ever
** sees this sandbox again. */
static void stop_ticker(struct kz_sandbox *sb) {
  if (!sb->has_timer) return;
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, TICK_SIGNAL);
  pthread_sigmask(SIG_BLOCK, &set, &old);
  sb->in_call = 0;
  timer_delete(sb->timer);
  struct timespec now = {0, 0};
  while (sigtimedwait(&set, NULL, &now) > 0) {}
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  sb->has_timer = 0;
}

/* }====== */

/* {====== Safe replacements ====== */

/* load(chunk [, name [, mode [, env]]]): text chunks only; the environment
** defaults to a fresh rule environment, never the real globals. The chunk is
** always named "(load)": a name such as "@rules/casework.lua" would make its
** errors point at another rule's file. */
static int safe_load(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  luaL_optstring(L, 2, NULL);
  const char *mode = luaL_optstring(L, 3, "t");
  if (strcmp(mode, "t") != 0) return luaL_error(L, "load: only text chunks (mode \"t\") are allowed");
  if (len > 0 && s[0] == LUA_SIGNATURE[0]) return luaL_error(L, "load: binary chunks are not allowed");
  kz_sandbox_charge(L, (lua_Unsigned)len);   /* parsing is C work: a unit a byte */
  if (luaL_loadbufferx(L, s, len, "=(load)", "t") != LUA_OK) {
    luaL_pushfail(L);
    lua_insert(L, -2);
    return 2;
  }
  /* The default environment is a fresh rule environment, never the caller's
  ** first upvalue: a kz.lua function that calls load for a rule has the real
  ** globals there. */
  if (!lua_isnoneornil(L, 4)) lua_pushvalue(L, 4);
  else kz_sandbox_push_env(kz_sandbox_of(L));
  if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
  return 1;
}

/* pcall and xpcall that cannot catch the end of the instruction budget, the
** memory cap, the wall-clock limit or a stop: `while true do pcall(loop) end`
** would otherwise never stop. */
static int finish_pcall(lua_State *L, int status, int extra) {
  if (status == LUA_OK) return lua_gettop(L) - extra;
  struct kz_sandbox *sb = kz_sandbox_of(L);
  if (status == LUA_ERRMEM) sb->mem_hit = 1;
  if (doomed(sb)) return lua_error(L);   /* re-raise */
  lua_pushboolean(L, 0);
  lua_pushvalue(L, -2);
  return 2;
}

static int safe_pcall(lua_State *L) {
  luaL_checkany(L, 1);
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  return finish_pcall(L, lua_pcall(L, lua_gettop(L) - 2, LUA_MULTRET, 0), 0);
}

/* The message handler xpcall really installs: the rule's handler (upvalue 1)
** runs only for an ordinary error, where the hook counts its instructions. An
** error raised by the hook itself (budget, wall clock, stop) is raised where
** Lua runs no hooks, so a looping handler would never end: it is passed on
** as it is. */
static int xpcall_handler(lua_State *L) {
  if (doomed(kz_sandbox_of(L))) return 1;
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

static int safe_xpcall(lua_State *L) {
  int n = lua_gettop(L);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_pushvalue(L, 2);
  lua_pushcclosure(L, xpcall_handler, 1);
  lua_replace(L, 2);
  lua_pushboolean(L, 1);
  lua_pushvalue(L, 1);
  lua_rotate(L, 3, 2);
  return finish_pcall(L, lua_pcall(L, n - 2, LUA_MULTRET, 2), 2);
}

/* setmetatable(t, mt) without __gc or __mode (see denied_metafields). */
static int safe_setmetatable(lua_State *L) {
  int t = lua_type(L, 2);
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
  if (t == LUA_TTABLE)
    for (const char *const *f = denied_metafields; *f; f++) {
      lua_pushstring(L, *f);
      if (lua_rawget(L, 2) != LUA_TNIL)
        return luaL_error(L, _("setmetatable: metatable field '%s' is not allowed in rules"), *f);
      lua_pop(L, 1);
    }
  if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
    return luaL_error(L, _("cannot change a protected metatable"));
  lua_settop(L, 2);
  lua_setmetatable(L, 1);
  return 1;
}

/* string.find(s, text [, init]): plain-text search only (no patterns), in
** linear time (memmem), the bytes searched charged to the budget. */
static int safe_find(lua_State *L) {
  size_t ls, lp;
  const char *s = luaL_checklstring(L, 1, &ls);
  const char *p = luaL_checklstring(L, 2, &lp);
  lua_Integer init = luaL_optinteger(L, 3, 1);
  if (!lua_isnoneornil(L, 4) && !lua_toboolean(L, 4))
    return luaL_error(L, _("string.find searches plain text only in rules (patterns are not available)"));
  if (init < 0) init = (lua_Integer)ls + init + 1;
  if (init < 1) init = 1;
  if ((size_t)init > ls + 1) { luaL_pushfail(L); return 1; }
  kz_sandbox_charge(L, (lua_Unsigned)(ls - (size_t)(init - 1) + lp) / SCAN_PER_UNIT);
  const char *hit = memmem(s + init - 1, ls - (size_t)(init - 1), p, lp);
  if (!hit) { luaL_pushfail(L); return 1; }
  lua_pushinteger(L, (lua_Integer)(hit - s) + 1);
  lua_pushinteger(L, (lua_Integer)(hit - s) + (lua_Integer)lp);
  return 2;
}

/* string.rep(s, n [, sep]): the size is known before the work; it must fit
** in the memory left. An empty result is made at once
** (("").rep(s, math.maxinteger) would loop 2^63 times copying nothing). */
static int safe_rep(lua_State *L) {
  size_t l, lsep;
  const char *s = luaL_checklstring(L, 1, &l);
  lua_Integer n = luaL_checkinteger(L, 2);
  const char *sep = luaL_optlstring(L, 3, "", &lsep);
  if (n <= 0 || (l == 0 && (lsep == 0 || n == 1))) {
    lua_pushliteral(L, "");
    return 1;
  }
  if (l + lsep < l || (lua_Unsigned)n > ((lua_Unsigned)(SIZE_MAX / 2)) / (l + lsep)) {
    need_memory(L, (lua_Unsigned)-1);
    return luaL_error(L, "resulting string too large");
  }
  size_t total = (size_t)n * l + (size_t)(n - 1) * lsep;
  need_memory(L, (lua_Unsigned)total * 2);     /* the buffer, then the string */
  luaL_Buffer b;
  char *p = luaL_buffinitsize(L, &b, total);
  /* One period (s, sep), then the filled part doubled: O(log n) copies, so the
  ** work is the bytes, which the allocator has charged. */
  memcpy(p, s, l);
  size_t filled = l;
  if (n > 1) {
    memcpy(p + l, sep, lsep);
    filled += lsep;
    while (filled < total) {
      size_t chunk = filled < total - filled ? filled : total - filled;
      memcpy(p + filled, p, chunk);
      filled += chunk;
    }
  }
  luaL_pushresultsize(&b, total);
  return 1;
}

/* The length of the table at idx, asked once (a __len that answers
** differently each time cannot make a loop longer than it was charged). */
static lua_Integer table_len(lua_State *L, int idx) {
  luaL_checktype(L, idx, LUA_TTABLE);
  return luaL_len(L, idx);
}

/* table.insert(t, [pos,] v): the elements shifted are charged first. */
static int safe_insert(lua_State *L) {
  lua_Integer e = (lua_Integer)((lua_Unsigned)table_len(L, 1) + 1);   /* first empty */
  lua_Integer pos;
  switch (lua_gettop(L)) {
    case 2: pos = e; break;
    case 3:
      pos = luaL_checkinteger(L, 2);
      luaL_argcheck(L, (lua_Unsigned)pos - 1u < (lua_Unsigned)e, 2, "position out of bounds");
      kz_sandbox_charge(L, (lua_Unsigned)e - (lua_Unsigned)pos);
      for (lua_Integer i = e; i > pos; i--) {
        lua_geti(L, 1, i - 1);
        lua_seti(L, 1, i);
      }
      break;
    default: return luaL_error(L, "wrong number of arguments to 'insert'");
  }
  lua_seti(L, 1, pos);
  return 0;
}

/* table.remove(t [, pos]) */
static int safe_remove(lua_State *L) {
  lua_Integer size = table_len(L, 1);
  lua_Integer pos = luaL_optinteger(L, 2, size);
  if (pos != size)
    luaL_argcheck(L, (lua_Unsigned)pos - 1u <= (lua_Unsigned)size, 2, "position out of bounds");
  lua_geti(L, 1, pos);
  if (pos < size) kz_sandbox_charge(L, (lua_Unsigned)size - (lua_Unsigned)pos);
  for (; pos < size; pos++) {
    lua_geti(L, 1, pos + 1);
    lua_seti(L, 1, pos);
  }
  lua_pushnil(L);
  lua_seti(L, 1, pos);
  return 1;
}

/* table.move(a1, f, e, t [, a2]) */
static int safe_move(lua_State *L) {
  lua_Integer f = luaL_checkinteger(L, 2);
  lua_Integer e = luaL_checkinteger(L, 3);
  lua_Integer t = luaL_checkinteger(L, 4);
  int tt = !lua_isnoneornil(L, 5) ? 5 : 1;
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checktype(L, tt, LUA_TTABLE);
  if (e >= f) {
    luaL_argcheck(L, f > 0 || e < LUA_MAXINTEGER + f, 3, "too many elements to move");
    lua_Integer n = e - f + 1;
    luaL_argcheck(L, t <= LUA_MAXINTEGER - n + 1, 4, "destination wrap around");
    kz_sandbox_charge(L, (lua_Unsigned)n);
    if (t > e || t <= f || (tt != 1 && !lua_compare(L, 1, tt, LUA_OPEQ))) {
      for (lua_Integer i = 0; i < n; i++) {
        lua_geti(L, 1, f + i);
        lua_seti(L, tt, t + i);
      }
    } else {
      for (lua_Integer i = n - 1; i >= 0; i--) {
        lua_geti(L, 1, f + i);
        lua_seti(L, tt, t + i);
      }
    }
  }
  lua_pushvalue(L, tt);
  return 1;
}

/* table.concat(list [, sep [, i [, j]]]) */
static int safe_concat(lua_State *L) {
  size_t lsep;
  luaL_checktype(L, 1, LUA_TTABLE);
  const char *sep = luaL_optlstring(L, 2, "", &lsep);
  lua_Integer i = luaL_optinteger(L, 3, 1);
  lua_Integer last = lua_isnoneornil(L, 4) ? table_len(L, 1) : luaL_checkinteger(L, 4);
  luaL_Buffer b;
  if (i <= last) kz_sandbox_charge(L, (lua_Unsigned)last - (lua_Unsigned)i + 1);
  luaL_buffinit(L, &b);
  for (; i <= last; i++) {
    lua_geti(L, 1, i);
    if (!lua_isstring(L, -1))
      return luaL_error(L, "invalid value (at index %I) in table for 'concat'", (LUAI_UACINT)i);
    luaL_addvalue(&b);
    if (i == last) break;
    luaL_addlstring(&b, sep, lsep);
  }
  luaL_pushresult(&b);
  return 1;
}

/* table.unpack(list [, i [, j]]) */
static int safe_unpack(lua_State *L) {
  lua_Integer i = luaL_optinteger(L, 2, 1);
  lua_Integer e = lua_isnoneornil(L, 3) ? luaL_len(L, 1) : luaL_checkinteger(L, 3);
  if (i > e) return 0;
  lua_Unsigned n = (lua_Unsigned)e - (lua_Unsigned)i;
  if (n >= (unsigned int)INT_MAX || !lua_checkstack(L, (int)(++n)))
    return luaL_error(L, "too many results to unpack");
  kz_sandbox_charge(L, n);
  for (; i < e; i++) lua_geti(L, 1, i);
  lua_geti(L, 1, e);
  return (int)n;
}

/* table.sort(list [, comp]): Lua's own sort (upvalue 1), n log n charged
** first. A table whose __len could claim what it does not hold is refused. */
static int safe_sort(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  if (luaL_getmetafield(L, 1, "__len") != LUA_TNIL)
    return luaL_error(L, _("table.sort: a table with a __len metamethod cannot be sorted in rules"));
  lua_Unsigned n = (lua_Unsigned)lua_rawlen(L, 1), work = n;
  for (lua_Unsigned m = n; m > 1; m >>= 1) work += n;
  kz_sandbox_charge(L, work);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 0);
  return 0;
}

/* A library function (upvalue 1) that scans its first argument, a string,
** without allocating (utf8.len, tonumber ...): the bytes are charged first. */
static int charged_scan(lua_State *L) {
  if (lua_type(L, 1) == LUA_TSTRING)
    kz_sandbox_charge(L, (lua_Unsigned)lua_rawlen(L, 1) / SCAN_PER_UNIT);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

static int safe_collectgarbage(lua_State *L) {
  const char *opt = luaL_optstring(L, 1, "count");
  if (strcmp(opt, "count") != 0)
    return luaL_error(L, _("collectgarbage: only \"count\" is allowed in rules"));
  lua_pushnumber(L, (lua_Number)lua_gc(L, LUA_GCCOUNT, 0) + lua_gc(L, LUA_GCCOUNTB, 0) / 1024.0);
  return 1;
}

/* }====== */

/* {====== Sealed tables ====== */

static int refuse_write(lua_State *L) {
  const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?";
  return luaL_error(L, _("attempt to change read-only table (field '%s')"), k);
}

/* The iterator pairs() gives for a proxy: the table behind it is its upvalue,
** never handed to the rule; the state argument (the proxy) is ignored. */
static int proxy_next(lua_State *L) {
  lua_settop(L, 2);
  if (lua_next(L, lua_upvalueindex(1))) return 2;
  lua_pushnil(L);
  return 1;
}

static int proxy_pairs(lua_State *L) {
  if (!lua_getmetatable(L, 1)) return luaL_error(L, "not a read-only table");
  lua_pushliteral(L, "__index");
  lua_rawget(L, -2);
  lua_pushcclosure(L, proxy_next, 1);
  lua_pushvalue(L, 1);           /* the state: the proxy itself */
  lua_pushnil(L);
  return 3;
}

static int proxy_len(lua_State *L) {
  if (!lua_getmetatable(L, 1)) return 0;
  lua_pushliteral(L, "__index");
  lua_rawget(L, -2);
  lua_pushinteger(L, (lua_Integer)lua_rawlen(L, -1));
  return 1;
}

void kz_sandbox_push_readonly(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  lua_newtable(L);                    /* proxy */
  lua_createtable(L, 0, 5);           /* its metatable */
  lua_pushcfunction(L, proxy_len);
  lua_setfield(L, -2, "__len");
  lua_pushvalue(L, idx);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, refuse_write);
  lua_setfield(L, -2, "__newindex");
  lua_pushcfunction(L, proxy_pairs);
  lua_setfield(L, -2, "__pairs");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
}

/* A copy of the table at idx whose nested tables are sealed copies of their
** own, at any depth (memo: original -> proxy, so shared and cyclic tables
** stay shared and cyclic within the copy). Leaves the unsealed copy on top. */
static void push_deep_copy(lua_State *L, int idx, int memo) {
  lua_newtable(L);
  int copy = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    if (lua_type(L, -1) == LUA_TTABLE) {
      int v = lua_gettop(L);
      lua_pushvalue(L, v);
      if (lua_rawget(L, memo) == LUA_TNIL) {
        lua_pop(L, 1);
        push_deep_copy(L, v, memo);
        kz_sandbox_push_readonly(L, lua_gettop(L));
        lua_remove(L, -2);
        lua_pushvalue(L, v);
        lua_pushvalue(L, -2);
        lua_rawset(L, memo);
      }
      lua_replace(L, v);
    }
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, copy);
  }
}

static int kz_unknown_field(lua_State *L) {
  const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?";
  return luaL_error(L, _("kz has no field '%s'"), k);
}

/* Registry keys. */
static const char K_BASE = 0;     /* the allowed base functions */
static const char K_LIBS = 0;     /* name -> the allowed members of each library */
static const char K_COPIES = 0;   /* every rule file's copy of kz (weak keys), for kz_sandbox_set */

/* Push a sealed copy of library name (a member of K_LIBS, or the real kz). */
static void push_library(lua_State *L, const char *name) {
  if (strcmp(name, "kz") == 0) {
    lua_getglobal(L, "kz");
    lua_newtable(L);                           /* memo */
    push_deep_copy(L, lua_gettop(L) - 1, lua_gettop(L));
    lua_remove(L, -2);
    lua_remove(L, -2);
    lua_createtable(L, 0, 1);                  /* kz.todya is a typo, not nil */
    lua_pushcfunction(L, kz_unknown_field);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    /* Traced (kizuki trace): its words record each call (trace_lua.c). */
    struct kz_trace *tr = kz_sandbox_of(L)->trace;
    int wrap = tr && tr->calls;
    if (wrap) kz_trace_wrap_kz(L, lua_gettop(L));
    lua_rawgetp(L, LUA_REGISTRYINDEX, &K_COPIES);
    lua_pushvalue(L, -2);
    lua_pushinteger(L, wrap ? 2 : 1);  /* 2: wrapped */
    lua_rawset(L, -3);
    lua_pop(L, 1);
  } else {
    lua_rawgetp(L, LUA_REGISTRYINDEX, &K_LIBS);
    lua_getfield(L, -1, name);
    lua_newtable(L);
    lua_pushnil(L);
    while (lua_next(L, -3)) {
      lua_pushvalue(L, -2);
      lua_insert(L, -2);
      lua_rawset(L, -4);
    }
    lua_remove(L, -2);
    lua_remove(L, -2);
  }
  kz_sandbox_push_readonly(L, lua_gettop(L));
  lua_remove(L, -2);
}

/* Replace member name of the library table on the top of the stack by f,
** with the member as it was as f's one upvalue when up is set. */
static void replace_member(lua_State *L, const char *name, lua_CFunction f, int up) {
  if (up) {
    lua_getfield(L, -1, name);
    lua_pushcclosure(L, f, 1);
  } else {
    lua_pushcfunction(L, f);
  }
  lua_setfield(L, -2, name);
}

/* The base table and the allowed libraries, in the registry. Expects the
** real globals filled by luaL_openlibs and kz loaded under global "kz". */
static void build_base(lua_State *L) {
  lua_newtable(L);                         /* weak-keyed: copies made by load() may go */
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &K_COPIES);

  lua_newtable(L);
  int libs = lua_gettop(L);
  for (int i = 0; libraries[i].name; i++) {
    lua_getglobal(L, libraries[i].name);
    int real = lua_gettop(L);
    lua_newtable(L);
    for (const char *const *m = libraries[i].members; *m; m++) {
      lua_getfield(L, real, *m);
      lua_setfield(L, -2, *m);
    }
    if (strcmp(libraries[i].name, "string") == 0) {
      replace_member(L, "find", safe_find, 0);
      replace_member(L, "rep", safe_rep, 0);
    } else if (strcmp(libraries[i].name, "table") == 0) {
      replace_member(L, "insert", safe_insert, 0);
      replace_member(L, "remove", safe_remove, 0);
      replace_member(L, "move", safe_move, 0);
      replace_member(L, "concat", safe_concat, 0);
      replace_member(L, "unpack", safe_unpack, 0);
      replace_member(L, "sort", safe_sort, 1);
    } else if (strcmp(libraries[i].name, "utf8") == 0) {
      replace_member(L, "len", charged_scan, 1);
      replace_member(L, "offset", charged_scan, 1);
      replace_member(L, "codepoint", charged_scan, 1);
    }
    lua_setfield(L, libs, libraries[i].name);
    lua_pop(L, 1);
  }
  lua_rawsetp(L, LUA_REGISTRYINDEX, &K_LIBS);

  lua_newtable(L);
  int base = lua_gettop(L);
  for (const char *const *n = kz_sandbox_allowed_globals; *n; n++) {
    lua_getglobal(L, *n);
    if (lua_type(L, -1) == LUA_TTABLE) lua_pop(L, 1);   /* a library: copied per file */
    else lua_setfield(L, base, *n);
  }
  lua_getglobal(L, "tonumber");
  lua_pushcclosure(L, charged_scan, 1);
  lua_setfield(L, base, "tonumber");
  lua_pushcfunction(L, safe_load);
  lua_setfield(L, base, "load");
  lua_pushcfunction(L, safe_collectgarbage);
  lua_setfield(L, base, "collectgarbage");
  lua_pushcfunction(L, safe_pcall);
  lua_setfield(L, base, "pcall");
  lua_pushcfunction(L, safe_xpcall);
  lua_setfield(L, base, "xpcall");
  lua_pushcfunction(L, safe_setmetatable);
  lua_setfield(L, base, "setmetatable");
  lua_rawsetp(L, LUA_REGISTRYINDEX, &K_BASE);

  /* Strings index a sealed copy of the string library (the one table every
  ** file shares, and it cannot be changed), and their metatable is hidden. */
  lua_pushliteral(L, "");
  lua_getmetatable(L, -1);
  push_library(L, "string");
  lua_setfield(L, -2, "__index");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 2);
}

/* }====== */

static int env_unknown(lua_State *L) {
  const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?";
  return luaL_error(L, _("unknown name '%s' (not part of the rule sandbox)"), k);
}

static int env_refuse(lua_State *L) {
  const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?";
  return luaL_error(L, _("rules may not set global '%s' (use local)"), k);
}

void kz_sandbox_push_env(struct kz_sandbox *sb) {
  lua_State *L = sb->L;
  lua_newtable(L);
  int env = lua_gettop(L);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &K_BASE);
  lua_pushnil(L);
  while (lua_next(L, -2)) {          /* copy: known names are plain hits */
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, env);
  }
  lua_pop(L, 1);
  for (int i = 0; libraries[i].name; i++) {
    push_library(L, libraries[i].name);
    lua_setfield(L, env, libraries[i].name);
  }
  push_library(L, "kz");
  lua_setfield(L, env, "kz");
  lua_pushvalue(L, env);
  lua_setfield(L, env, "_G");
  lua_createtable(L, 0, 3);
  lua_pushcfunction(L, env_unknown);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, env_refuse);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, env);
}

int kz_luaopen_kz(lua_State *L);  /* kzlib.c */

void kz_sandbox_trace(struct kz_sandbox *sb, struct kz_trace *tr) {
  static const char K_TRACED = 0;     /* registry: the views are wrapped already */
  lua_State *L = sb->L;
  sb->trace = tr;
  if (!tr || !tr->calls) return;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &K_COPIES);
  lua_pushnil(L);
  while (lua_next(L, -2)) {            /* every rule file's copy of kz not yet wrapped */
    int done = lua_tointeger(L, -1) == 2;
    lua_pop(L, 1);
    if (done) continue;
    kz_trace_wrap_kz(L, lua_gettop(L));
    lua_pushvalue(L, -1);
    lua_pushinteger(L, 2);
    lua_rawset(L, -4);                 /* an existing key: next() goes on */
  }
  lua_pop(L, 1);
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &K_TRACED) == LUA_TNIL) {
    lua_pushboolean(L, 1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &K_TRACED);
    kz_trace_wrap_views(L);
  }
  lua_pop(L, 1);
}

void kz_sandbox_set(struct kz_sandbox *sb, const char *name) {
  lua_State *L = sb->L;                /* value on top of the stack */
  int v = lua_gettop(L);
  lua_getglobal(L, "kz");
  lua_pushvalue(L, v);
  lua_setfield(L, -2, name);
  lua_pop(L, 1);
  if (lua_type(L, v) == LUA_TTABLE) {   /* the copies get it sealed */
    lua_newtable(L);                   /* memo */
    push_deep_copy(L, v, lua_gettop(L));
    kz_sandbox_push_readonly(L, lua_gettop(L));
    lua_replace(L, v);
    lua_settop(L, v);
  }
  lua_rawgetp(L, LUA_REGISTRYINDEX, &K_COPIES);
  lua_pushnil(L);
  while (lua_next(L, -2)) {            /* every rule file's copy */
    lua_pop(L, 1);
    lua_pushstring(L, name);
    lua_pushvalue(L, v);
    lua_rawset(L, -3);
  }
  lua_settop(L, v - 1);
}

static int open_all(lua_State *L) {
  luaL_openlibs(L);
  luaL_requiref(L, "kz", kz_luaopen_kz, 1);
  lua_pop(L, 1);
  build_base(L);
  return 0;
}

int kz_sandbox_open(struct kz_sandbox *sb, long long instructions, size_t memory) {
  memset(sb, 0, sizeof *sb);
  sb->mem_limit = memory;
  sb->budget = instructions;
  sb->L = lua_newstate(capped_alloc, sb);
  if (!sb->L) return -1;
  *(struct kz_sandbox **)lua_getextraspace(sb->L) = sb;
  if (getenv("KZ_PROFILE")) {
    lua_newtable(sb->L);
    sb->profile_ref = luaL_ref(sb->L, LUA_REGISTRYINDEX);
  }
  /* A run makes many small objects that die with their household: the
  ** generational collector handles those with less work. */
  lua_gc(sb->L, LUA_GCGEN, 0, 0);
  lua_pushcfunction(sb->L, open_all);
  if (lua_pcall(sb->L, 0, 0, 0) != LUA_OK) {
    lua_close(sb->L);
    sb->L = NULL;
    return -1;
  }
  return 0;
}

void kz_sandbox_print_profile(struct kz_sandbox *sb, FILE *f) {
  lua_State *L = sb->L;
  if (!sb->profile_ref) return;
  struct { char key[300]; long long n; } top[30];
  int ntop = 0;
  long long total = 0;
  lua_rawgeti(L, LUA_REGISTRYINDEX, sb->profile_ref);
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    long long n = lua_tointeger(L, -1);
    total += n;
    int i = ntop < 30 ? ntop++ : 29;
    if (ntop == 30 && i == 29 && top[29].n >= n) { lua_pop(L, 1); continue; }
    for (; i > 0 && top[i - 1].n < n; i--) top[i] = top[i - 1];
    snprintf(top[i].key, sizeof top[i].key, "%s", lua_tostring(L, -2));
    top[i].n = n;
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  fprintf(f, "profile: %lld samples, one every %d Lua instructions\n", total, PROFILE_EVERY);
  for (int i = 0; i < ntop; i++)
    fprintf(f, "%6.2f%%  %s\n", total ? 100.0 * top[i].n / total : 0, top[i].key);
}

void kz_sandbox_close(struct kz_sandbox *sb) {
  stop_ticker(sb);
  if (sb->L) lua_close(sb->L);
  kz_pool_destroy(&sb->pool);
  sb->L = NULL;
}
