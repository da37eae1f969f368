/*
** sandbox.h — the Lua state rules run in.
**
** Rules get the kizuki library (kz) and the safe parts of Lua's standard
** library, named in one allow list in sandbox.c; each rule file has its own
** sealed copies. The state has a memory cap, and every protected call made
** through kz_sandbox_call has an instruction budget (C work charged to it)
** and a wall-clock limit. An error is reported with the rule file and line
** where it happened.
*/
#ifndef KZ_SANDBOX_H
#define KZ_SANDBOX_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>
#include <lua.h>
#include "pool.h"

struct kz_trace;

struct kz_sandbox {
  lua_State *L;               /* owned */
  size_t mem_used, mem_limit; /* bytes */
  long long budget;           /* instructions per kz_sandbox_call */
  long long budget_left;
  int budget_hit;             /* the last call ran out of instructions */
  int capped;                 /* the memory cap applies (only inside kz_sandbox_call, so
                                 the engine's own pushes between calls cannot fail) */
  int mem_hit;                /* the last call ran into the memory cap */
  size_t refused;             /* the size the cap last refused (Lua collects and retries) */
  /* Where the last error happened: the innermost frame in a rule file. */
  char err_file[256];
  int err_line;
  int profile_ref;            /* KZ_PROFILE set: registry ref of the sample counts */
  struct kz_pool pool;        /* owned: where the state's small blocks come from */
  /* Wall clock and signals. A ticker (a POSIX timer aimed at the thread that
  ** opened the sandbox) counts periods while a call runs; at the limit, or
  ** when *stop is set, it makes the hook run at the next Lua instruction. */
  volatile sig_atomic_t in_call;   /* inside kz_sandbox_call */
  volatile sig_atomic_t ticks;     /* ticker periods since the call began */
  int ticks_limit;                 /* periods a call may take (0: no limit) */
  long long call_t0;               /* ns: the call's first hook (0: not yet) */
  volatile sig_atomic_t *stop;     /* the command's SIGTERM/SIGINT flag, or NULL */
  int deadline_hit;                /* the last call ran past its wall-clock limit */
  int stopped;                     /* the last call was interrupted by *stop */
  int has_timer;
  timer_t timer;
  struct kz_trace *trace;          /* borrowed; NULL (a nightly run): kz.log does nothing
                                      and no word is traced (kz_sandbox_trace) */
};

/* Create the state: capped allocator, safe libraries, read-only shared
** tables, a per-file environment maker. Returns 0, or -1 (out of memory). */
int kz_sandbox_open(struct kz_sandbox *sb, long long instructions, size_t memory);

void kz_sandbox_close(struct kz_sandbox *sb);

/* Give every call a wall-clock limit of seconds (0: none; counted in ticks of
** 0.1 s, so a call ends between seconds - 0.1 and seconds) and start the ticker, on the calling thread
** (the one that will make the calls). Setting sb->stop afterwards to a flag
** that a signal handler sets makes a call in progress end with an error
** within a tick of the signal (sb->stopped then says why). Returns 0, or -1
** when the timer cannot be made (the instruction budget and memory cap
** still hold). */
int kz_sandbox_limit_time(struct kz_sandbox *sb, double seconds);

/* Charge n units of work (one unit ~ one Lua instruction) to the call in
** progress, for C functions whose work the instruction count does not see;
** raises the budget error when the budget runs out. */
void kz_sandbox_charge(lua_State *L, lua_Unsigned n);

/* With KZ_PROFILE set in the environment, print where the rules' Lua
** instructions went (the 30 busiest source lines) to f. */
void kz_sandbox_print_profile(struct kz_sandbox *sb, FILE *f);

/* The sandbox owning L. */
struct kz_sandbox *kz_sandbox_of(lua_State *L);

/* Call the function below nargs arguments on the stack, like lua_pcall, with
** the instruction budget armed and a handler that records err_file/err_line.
** On error the message is left on the stack and the Lua status returned. */
int kz_sandbox_call(struct kz_sandbox *sb, int nargs, int nresults);

/* Push a new environment for a rule file: the allowed globals, writes
** refused, unknown names an error. */
void kz_sandbox_push_env(struct kz_sandbox *sb);

/* Replace the table at idx (absolute) by a read-only proxy of it, left on the
** top of the stack: writes, rawset-through and setmetatable all fail. */
void kz_sandbox_push_readonly(lua_State *L, int idx);

/* Pop the value on top of the stack into kz.<name> as rules see it (e.g.
** kz.today at the start of each run). A table is sealed first: every rule
** file's kz gets one read-only deep copy of it (the real kz keeps it as
** given, so copies made later are sealed the same way). */
void kz_sandbox_set(struct kz_sandbox *sb, const char *name);

/* Attach recorder tr (trace.h; NULL detaches) to sb: kz.log writes to it
** from now on. When tr records calls (`kizuki trace`), every rule file's kz
** copy and the household and record views are wrapped so that each word
** called and each record field read is recorded too; that cannot be undone
** (a state for tracing only). A nightly run never calls this: its words and
** views are the plain ones. */
void kz_sandbox_trace(struct kz_sandbox *sb, struct kz_trace *tr);

/* The names rules may use: the allow lists, for `kizuki check` and tests. */
extern const char *const kz_sandbox_allowed_globals[];
extern const char *const kz_sandbox_denied_names[];

#endif
