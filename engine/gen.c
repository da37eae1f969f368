/*
** gen.c — `kizuki gen`: the synthetic city.
**
** This file owns the PRNG, the household model and the SQL writer of the
** generator. A household is built from its own PRNG stream (seed, household
** number), so households do not depend on one another and the output for a
** seed is the same on every machine.
**
** The model, per household (history starts ~10 years before `until`):
**   - 1-4 children born across 18 years, a mother (sometimes under 20),
**     often a father or a partner, some single mothers, some guardians;
**   - a residence in a ward picked by population, some moves between wards
**     and a few out of the city;
**   - a pregnancy for every child born in the history, some that did not
**     continue, some ongoing; checkups 4m/10m/18m/36m, a few missed, some late;
**   - welfare periods, rare reports from nurseries, schools, police, ...;
**   - for a supported minority: assignments per ward (handed over on moves,
**     with transfer documents), regular contacts that see the children,
**     assessments after every risk event, progress reviews and a council
**     registration — a well-run case that triggers nothing.
** On top of that, in every block of 2,500 households one household is planted
** per scenario (enum scen): a case where one commitment lapses so that one
** rule of RULES.md fires at `until` (trigger within the last 170 days, inside
** the default open_within_days).
*/
#include "gen.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db_open.h"
#include "kizuki.h"

/* ---------------------------------------------------------------- PRNG -- */

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

void kz_gen_rng_seed(struct kz_gen_rng *r, uint64_t seed, uint64_t stream) {
  uint64_t x = seed;
  x = splitmix64(&x) ^ (stream * 0xD1B54A32D192ED03ull);
  for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t kz_gen_rng_next(struct kz_gen_rng *r) {
  uint64_t *s = r->s;
  uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
  s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return out;
}

int kz_gen_rng_range(struct kz_gen_rng *r, int lo, int hi) {
  if (hi <= lo) return lo;
  return lo + (int)(kz_gen_rng_next(r) % (uint64_t)((int64_t)hi - lo + 1));
}

double kz_gen_rng_unit(struct kz_gen_rng *r) {
  return (double)(kz_gen_rng_next(r) >> 11) * 0x1.0p-53;
}

/* ------------------------------------------------------------- tables -- */

static const struct gtable {
  const char *name;
  char prefix;          /* id prefix; 0: the table has no id (members) */
  const char *sql;
} tables[KZ_GEN_NTABLES] = {
  {"households", 'H', "INSERT INTO households(id,recorded_on) VALUES(?,?)"},
  {"persons", 'P', "INSERT INTO persons(id,birth_on,sex,recorded_on) VALUES(?,?,?,?)"},
  {"members", 0, "INSERT INTO members(household_id,person_id,relation,start_on,"
                 "end_on,recorded_on) VALUES(?,?,?,?,?,?)"},
  {"residences", 'R', "INSERT INTO residences(id,household_id,municipality,ward,"
                      "start_on,end_on,recorded_on) VALUES(?,?,?,?,?,?,?)"},
  {"pregnancies", 'G', "INSERT INTO pregnancies(id,mother_id,notified_on,due_on,"
                       "end_on,outcome,child_id,specific,recorded_on) "
                       "VALUES(?,?,?,?,?,?,?,?,?)"},
  {"checkups", 'K', "INSERT INTO checkups(id,child_id,kind,scheduled_on,"
                    "attended_on,recorded_on) VALUES(?,?,?,?,?,?)"},
  {"welfare", 'W', "INSERT INTO welfare(id,household_id,start_on,end_on,"
                   "end_reason,recorded_on) VALUES(?,?,?,?,?,?)"},
  {"assignments", 'A', "INSERT INTO assignments(id,household_id,person_id,agency,"
                       "ward,staff_id,role,start_on,end_on,recorded_on) "
                       "VALUES(?,?,?,?,?,?,?,?,?,?)"},
  {"council", 'U', "INSERT INTO council(id,household_id,primary_agency,start_on,"
                   "end_on,recorded_on) VALUES(?,?,?,?,?,?)"},
  {"contacts", 'T', "INSERT INTO contacts(id,household_id,person_id,agency,ward,"
                    "staff_id,kind,occurred_on,child_seen,recorded_on) "
                    "VALUES(?,?,?,?,?,?,?,?,?,?)"},
  {"assessments", 'S', "INSERT INTO assessments(id,household_id,agency,"
                       "assessed_on,risk,recorded_on) VALUES(?,?,?,?,?,?)"},
  {"reviews", 'V', "INSERT INTO reviews(id,household_id,forum,reviewed_on,"
                   "recorded_on) VALUES(?,?,?,?,?)"},
  {"reports", 'E', "INSERT INTO reports(id,household_id,person_id,source,kind,"
                   "received_on,agency,recorded_on) VALUES(?,?,?,?,?,?,?,?)"},
  {"transfers", 'X', "INSERT INTO transfers(id,household_id,agency,from_ward,"
                     "to_ward,documented_on,follow_up_on,recorded_on) "
                     "VALUES(?,?,?,?,?,?,?,?)"},
};

const char *kz_gen_table_name(int t) {
  return t >= 0 && t < KZ_GEN_NTABLES ? tables[t].name : NULL;
}

/* -------------------------------------------------------- vocabulary -- */

enum { AG_HC, AG_FC, AG_WF, AG_CG, AG_N };
static const char *const agency_name[AG_N] = {
  "health_center", "family_consultation", "welfare", "child_guidance"};
static const char *const agency_abbr[AG_N] = {"hc", "fc", "wf", "cg"};

enum { REL_CHILD, REL_MOTHER, REL_FATHER, REL_PARTNER, REL_GUARDIAN, REL_OTHER };
static const char *const relation_name[] = {
  "child", "mother", "father", "partner", "guardian", "other"};

enum { CK_VISIT, CK_PHONE, CK_OFFICE, CK_MEETING, CK_LETTER };
static const char *const contact_kind[] = {
  "visit", "phone", "office", "meeting", "letter"};

static const char *const risk_name[] = {"low", "medium", "high", "severe"};
static const char *const checkup_kind[] = {"4m", "10m", "18m", "36m"};
static const int checkup_months[] = {4, 10, 18, 36};

enum { SRC_NURSERY, SRC_UNLICENSED, SRC_SCHOOL, SRC_HOSPITAL, SRC_POLICE,
       SRC_NEIGHBOR, SRC_OTHER };
static const char *const source_name[] = {
  "nursery", "unlicensed_nursery", "school", "hospital", "police", "neighbor",
  "other"};
enum { RK_CONCERN, RK_ABSENCE, RK_NOTIFICATION, RK_ACCOMPANY };
static const char *const report_kind[] = {
  "concern", "absence", "notification", "accompany_request"};

static const char *const welfare_reason[] = {
  "employment", "income_increase", "moved_out", "declined", "other"};

/* Municipalities outside the profile's city that households move to. The
** profile has no list of neighbours, so the names are placeholders that read
** well for Sapporo; one equal to the profile's municipality is skipped. */
static const char *const elsewhere[] = {
  "ebetsu", "ishikari", "otaru", "kitahiroshima", "eniwa", "chitose",
  "tomakomai", "asahikawa"};
#define N_ELSEWHERE ((int)(sizeof elsewhere / sizeof *elsewhere))

/* Planted scenarios: each makes (at least) the named rule fire at `until`. */
enum scen {
  SC_NONE,
  SC_CHECKUP_MISSED,        /* checkup.missed */
  SC_CHECKUP_UNREACHABLE,   /* checkup.unreachable (+ missed) */
  SC_WELFARE_ENDED,         /* welfare.ended */
  SC_PREG_LOST,             /* pregnancy.lost */
  SC_PREG_LOST_YOUNG,       /* pregnancy.lost, mother under 20 */
  SC_PREG_UNSUPPORTED,      /* pregnancy.unsupported, specific */
  SC_PREG_UNSUPPORTED_YOUNG,/* pregnancy.unsupported, young mother */
  SC_COUNCIL,               /* council.unregistered */
  SC_ASSESSMENT,            /* assessment.stale */
  SC_REVIEW,                /* review.overdue */
  SC_HANDOVER,              /* move.handover */
  SC_OUT_OF_CITY,           /* move.out_of_city */
  SC_TRANSFER_DOC,          /* move.transfer_document */
  SC_FOLLOW_UP,             /* move.follow_up */
  SC_REPORT,                /* report.received */
  SC_SAFETY,                /* report.safety_check */
  SC_NOT_SEEN,              /* child.not_seen */
  SC_WITHDRAWN,             /* contact.withdrawn */
  SC_STAFFING,              /* staffing.single */
  SC_RISING,                /* risk.rising -> family_consultation */
  SC_RISING_GUIDANCE,       /* risk.rising -> both targets */
  SC_COUNT
};

#define BLOCK 2500            /* one household per scenario in each block */
#define YEAR 365
#define NONE KZ_DAY_NONE

/* ------------------------------------------------------------ state -- */

struct gperson {
  char id[24];
  kz_day birth, start, end;
  char sex;
  int rel;
};

struct gres {
  char id[24];
  int ward;              /* index into the profile's wards; -1 outside */
  int muni;              /* index into elsewhere[] when outside */
  kz_day start, end;
};

struct gasg {
  int agency, ward, staff;
  kz_day start, end;     /* end NONE: open at until */
};

struct gcontact {
  kz_day on;
  int agency, ward, staff, kind, seen, person, seq;
};

#define MAXP 12
#define MAXR 8
#define MAXA 96
#define MAXEV 128

struct ghh {
  char id[24];
  kz_day formed;             /* first residence */
  kz_day out_on;             /* moved out of the city; NONE */
  struct gperson p[MAXP]; int np;
  int mother;                /* index in p, -1 */
  int kid[6]; int nkids;     /* indexes in p, oldest first */
  struct gres r[MAXR]; int nr;
  struct gasg a[MAXA]; int na;
  kz_day ev[MAXEV]; int nev;  /* risk events (dates) */
  int n_reports, has_welfare;
  kz_day wel_start, wel_end;
};

/* What support a household gets, and where a planted scenario lets it lapse. */
struct plan {
  int on;
  int lead;                  /* AG_FC, AG_CG, or -1: health centre only */
  kz_day start, end;         /* support; end NONE = ongoing */
  kz_day hc_start;           /* NONE: health centre not involved */
  int hc_staff;              /* 0: by risk (2 when high), else 1 or 2 */
  int risk0, risk_cap, force_risk;   /* force_risk -1: none */
  int welfare;               /* welfare caseworker while welfare is ongoing */
  kz_day stop_seen, stop_assess, stop_review, hc_stop;
  kz_day scen_move;          /* the planted move the flags below apply to */
  int no_council, no_handover, keep_after_out, no_transfer, hc_silent;
};

struct gen {
  sqlite3 *db;
  sqlite3_stmt *ins[KZ_GEN_NTABLES];
  long long next[KZ_GEN_NTABLES];
  long long rows[KZ_GEN_NTABLES];
  int rc;                    /* sticky: first SQLite error */
  char err[256];
  const struct kz_profile *pf;
  double *wcum;              /* cumulative ward weights, nwards */
  int nwards;
  int nelse; int else_idx[N_ELSEWHERE];
  kz_day U, H0;
  struct kz_gen_rng r;       /* the current household's stream */
  struct gcontact *c; size_t nc, cap;
  int slot[BLOCK];
};

/* ------------------------------------------------------------ helpers -- */

static int rnd(struct gen *g, int lo, int hi) { return kz_gen_rng_range(&g->r, lo, hi); }
static int chance(struct gen *g, double p) { return kz_gen_rng_unit(&g->r) < p; }
static kz_day dmin(kz_day a, kz_day b) { return a < b ? a : b; }
static kz_day dmax(kz_day a, kz_day b) { return a > b ? a : b; }

/* Pick an index by integer weights. */
static int pick(struct gen *g, const int *w, int n) {
  int sum = 0;
  for (int i = 0; i < n; i++) sum += w[i];
  int x = rnd(g, 0, sum - 1);
  for (int i = 0; i < n; i++) {
    if (x < w[i]) return i;
    x -= w[i];
  }
  return n - 1;
}

static int pick_ward(struct gen *g, int not) {
  if (g->nwards == 1) return 0;
  for (;;) {
    double x = kz_gen_rng_unit(&g->r) * g->wcum[g->nwards - 1];
    int w = 0;
    while (w < g->nwards - 1 && x >= g->wcum[w]) w++;
    if (w != not) return w;
  }
}

static kz_day add_months(kz_day d, int months) {
  int y, m, dd;
  kz_date_to_ymd(d, &y, &m, &dd);
  int t = y * 12 + (m - 1) + months;
  return kz_date_from_ymd(t / 12, t % 12 + 1, dd > 28 ? 28 : dd);
}

/* recorded_on for a row whose earliest date is d: 0-14 days later, mostly
** soon, never after until. */
static kz_day rec(struct gen *g, kz_day d) {
  if (d == NONE) return NONE;
  int lag = rnd(g, 0, 14);
  int lag2 = rnd(g, 0, 14);
  return dmin(g->U, d + (lag < lag2 ? lag : lag2));
}

static kz_day upto(struct gen *g, kz_day d) { return d != NONE && d > g->U ? NONE : d; }

static const char *ward_code(struct gen *g, int w) {
  return w >= 0 && w < g->nwards ? g->pf->wards[w].code : NULL;
}

static void staff_id(struct gen *g, int agency, int ward, int n, char *buf, size_t len) {
  if (agency == AG_CG || ward < 0)
    snprintf(buf, len, "city-%s-%03d", agency_abbr[agency], n);
  else
    snprintf(buf, len, "%s-%s-%03d", ward_code(g, ward), agency_abbr[agency], n);
}

/* Insert one row into table t. id (24 bytes, may be NULL) receives the new
** row's id. fmt has one letter per column after the id: 's' text (NULL
** pointer: NULL), 'd' kz_day (NONE: NULL), 'i' int. Errors are sticky in
** g->rc: after the first, nothing more is written. */
static void put(struct gen *g, int t, char *id, const char *fmt, ...) {
  if (g->rc) return;
  sqlite3_stmt *s = g->ins[t];
  char own[24], date[KZ_DATE_LEN];
  int col = 1;
  if (tables[t].prefix) {
    if (!id) id = own;
    snprintf(id, 24, "%c%07lld", tables[t].prefix, ++g->next[t]);
    sqlite3_bind_text(s, col++, id, -1, SQLITE_TRANSIENT);
  }
  va_list ap;
  va_start(ap, fmt);
  for (const char *f = fmt; *f; f++, col++) {
    if (*f == 's') {
      const char *v = va_arg(ap, const char *);
      if (v) sqlite3_bind_text(s, col, v, -1, SQLITE_TRANSIENT);
      else sqlite3_bind_null(s, col);
    } else if (*f == 'd') {
      int v = va_arg(ap, int);
      if (v == NONE) sqlite3_bind_null(s, col);
      else sqlite3_bind_text(s, col, kz_date_format(v, date), 10, SQLITE_TRANSIENT);
    } else {
      sqlite3_bind_int(s, col, va_arg(ap, int));
    }
  }
  va_end(ap);
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    g->rc = rc;
    snprintf(g->err, sizeof g->err, "insert into %s: %s", tables[t].name,
             sqlite3_errmsg(g->db));
    return;
  }
  g->rows[t]++;
}

/* The residence active on day t (the last one before t if none is). */
static const struct gres *res_at(const struct ghh *h, kz_day t) {
  const struct gres *best = &h->r[0];
  for (int i = 0; i < h->nr; i++)
    if (h->r[i].start <= t) best = &h->r[i];
  return best;
}

static int ward_at(const struct ghh *h, kz_day t) { return res_at(h, t)->ward; }

/* Is day t inside the city history of h (before a move out)? */
static int in_city(struct gen *g, const struct ghh *h, kz_day t) {
  return t <= g->U && (h->out_on == NONE || t < h->out_on);
}

static void add_event(struct ghh *h, kz_day on) {
  if (h->nev < MAXEV) h->ev[h->nev++] = on;
}

/* Buffer a contact; contacts are written sorted by date when the household
** is done. person: index in h->p, or -1. */
static void add_contact(struct gen *g, struct ghh *h, kz_day on, int agency,
                        int ward, int staff, int kind, int seen, int person) {
  if (g->rc || on == NONE || !in_city(g, h, on)) return;
  if (g->nc == g->cap) {
    size_t cap = g->cap ? g->cap * 2 : 256;
    struct gcontact *c = realloc(g->c, cap * sizeof *c);
    if (!c) {
      g->rc = SQLITE_NOMEM;
      snprintf(g->err, sizeof g->err, "out of memory");
      return;
    }
    g->c = c;
    g->cap = cap;
  }
  if (ward < 0 && agency != AG_CG) ward = ward_at(h, on);
  if (agency == AG_CG) ward = -1;
  if (staff <= 0) staff = rnd(g, 1, 40);
  g->c[g->nc] = (struct gcontact){on, agency, ward, staff, kind, seen, person,
                                  (int)g->nc};
  g->nc++;
}

/* A one-off contact, e.g. a nurse's visit after a missed checkup. */
static void follow_contact(struct gen *g, struct ghh *h, kz_day on, int agency,
                           int seen, int person) {
  int kind = seen ? CK_VISIT : (chance(g, 0.6) ? CK_VISIT : CK_PHONE);
  add_contact(g, h, dmin(on, g->U), agency, -1, 0, kind, seen, person);
}

static int cmp_contact(const void *a, const void *b) {
  const struct gcontact *x = a, *y = b;
  if (x->on != y->on) return x->on < y->on ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_day(const void *a, const void *b) {
  kz_day x = *(const kz_day *)a, y = *(const kz_day *)b;
  return x < y ? -1 : x > y;
}

static void flush_contacts(struct gen *g, struct ghh *h) {
  char staff[48];
  if (g->nc > 1) qsort(g->c, g->nc, sizeof *g->c, cmp_contact);
  for (size_t i = 0; i < g->nc; i++) {
    const struct gcontact *c = &g->c[i];
    staff_id(g, c->agency, c->ward, c->staff, staff, sizeof staff);
    put(g, KZ_GEN_CONTACTS, NULL, "ssssssdid", h->id,
        c->person >= 0 ? h->p[c->person].id : NULL, agency_name[c->agency],
        ward_code(g, c->ward), staff, contact_kind[c->kind], c->on, c->seen,
        rec(g, c->on));
  }
  g->nc = 0;
}

/* -------------------------------------------------------- household -- */

/* Knobs a scenario sets before the household is built. */
struct knobs {
  int quiet;                 /* no random extras that could fire a rule */
  int young;                 /* mother under 20 at until */
  int nkids;                 /* -1: random */
  kz_day youngest;           /* youngest child's birth; NONE: random */
  kz_day move_on[2]; int move_out[2]; int nmoves;   /* planted moves */
  kz_day ck_on; int ck_second;                      /* planted missed checkup */
  kz_day wel_end;                                   /* planted welfare end */
  kz_day lost_on;                                   /* planted lost pregnancy */
  kz_day preg_on; int preg_specific;                /* planted ongoing pregnancy */
  struct { kz_day on; int source, kind, agency, follow; } rep[2]; int nrep;
  int support;               /* planted support plan (in struct plan) */
};

static int add_person(struct gen *g, struct ghh *h, kz_day birth, char sex, int rel,
                      kz_day start, kz_day end) {
  struct gperson *p = &h->p[h->np];
  p->birth = birth;
  p->sex = sex;
  p->rel = rel;
  p->start = start;
  p->end = upto(g, end);
  return h->np++;
}

static char child_sex(struct gen *g) {
  return chance(g, 0.002) ? 'X' : (chance(g, 0.5) ? 'F' : 'M');
}

/* Children, parents and guardians. */
static void build_people(struct gen *g, struct ghh *h, const struct knobs *k) {
  kz_day U = g->U;
  kz_day births[4];
  int n = k->nkids >= 0 ? k->nkids : 1 + pick(g, (const int[]){40, 38, 16, 6}, 4);
  kz_day mother_birth;

  if (k->young) {
    /* a mother under 20 at until, at most one child, born when she was 15+ */
    mother_birth = U - rnd(g, 18 * YEAR + 180, 19 * YEAR + 330);
    kz_day lo = mother_birth + 15 * YEAR + 200;
    kz_day hi = U - 60;
    if (k->lost_on != NONE) hi = dmin(hi, k->lost_on - 300);
    if (k->preg_on != NONE) hi = dmin(hi, k->preg_on - 200);
    if (n > 1) n = 1;
    if (hi < lo || chance(g, 0.3)) n = 0;
    if (n) births[0] = rnd(g, lo, hi);
  } else {
    kz_day y = k->youngest != NONE ? k->youngest : U - rnd(g, 0, 17 * YEAR + 300);
    births[n - 1] = y;
    for (int i = n - 2; i >= 0; i--) births[i] = births[i + 1] - rnd(g, 420, 1800);
    int drop = 0;
    while (drop < n - 1 && U - births[drop] > 17 * YEAR + 330) drop++;
    if (drop) {
      memmove(births, births + drop, (size_t)(n - drop) * sizeof *births);
      n -= drop;
    }
    int age_first = chance(g, 0.03) ? rnd(g, 17 * YEAR, 19 * YEAR + 300)
                                    : 20 * YEAR + rnd(g, 0, 10 * YEAR) + rnd(g, 0, 10 * YEAR);
    mother_birth = births[0] - age_first;
    if (births[n - 1] - mother_birth > 44 * YEAR) mother_birth = births[n - 1] - 44 * YEAR;
    /* a planted pregnancy: a mother of 42 at most */
    kz_day planted = k->preg_on != NONE ? k->preg_on : k->lost_on;
    if (planted != NONE && planted - mother_birth > 42 * YEAR)
      mother_birth = planted - rnd(g, 26 * YEAR, 42 * YEAR);
    if (births[0] - mother_birth < 16 * YEAR) mother_birth = births[0] - 16 * YEAR;
  }

  kz_day oldest = n ? births[0] : U - rnd(g, 60, 700);
  h->formed = dmax(g->H0, oldest - rnd(g, 0, 700));
  if (k->young) h->formed = dmax(g->H0, dmin(oldest, U - rnd(g, 60, 500)));

  int kind = k->young ? (chance(g, 0.3) ? 0 : 2)
                      : pick(g, (const int[]){72, 9, 16, 3}, 4);  /* father, partner, single, guardian */
  h->mother = -1;
  if (kind != 3) {
    h->mother = add_person(g, h, mother_birth, 'F', REL_MOTHER, h->formed, NONE);
    if (kind == 0) {
      kz_day leave = chance(g, 0.05) ? rnd(g, h->formed + 100, U) : NONE;
      add_person(g, h, mother_birth - rnd(g, -3 * YEAR, 6 * YEAR), 'M', REL_FATHER,
                 h->formed, leave > U ? NONE : leave);
    } else if (kind == 1) {
      kz_day from = rnd(g, h->formed + 30, dmax(h->formed + 30, U - 30));
      add_person(g, h, mother_birth - rnd(g, -5 * YEAR, 8 * YEAR), 'M', REL_PARTNER,
                 dmin(from, U), NONE);
    }
  } else {
    add_person(g, h, U - rnd(g, 50 * YEAR, 68 * YEAR), chance(g, 0.7) ? 'F' : 'M',
               REL_GUARDIAN, h->formed, NONE);
  }
  if (!k->quiet && chance(g, 0.03))
    add_person(g, h, U - rnd(g, 55 * YEAR, 80 * YEAR), chance(g, 0.6) ? 'F' : 'M',
               REL_OTHER, h->formed, NONE);
  h->nkids = 0;
  for (int i = 0; i < n; i++)
    h->kid[h->nkids++] = add_person(g, h, births[i], child_sex(g), REL_CHILD,
                                    dmax(births[i], h->formed), NONE);
}

/* Residences: a first one, natural moves, planted moves. */
static void build_residences(struct gen *g, struct ghh *h, const struct knobs *k) {
  kz_day U = g->U, moves[4];
  int outs[4], n = 0;
  if (h->formed + 60 < U - 1) {
    int m = chance(g, 0.12) ? 1 : chance(g, 0.035) ? 2 : 0;
    for (int i = 0; i < m; i++) { moves[n] = rnd(g, h->formed + 60, U - 1); outs[n++] = 0; }
    if (!k->quiet && chance(g, 0.02)) { moves[n] = rnd(g, h->formed + 60, U - 1); outs[n++] = 1; }
  }
  /* planted moves replace natural ones near or after them */
  if (k->nmoves) {
    int keep = 0;
    for (int i = 0; i < n; i++)
      if (moves[i] < k->move_on[0] - 60 && !outs[i]) { moves[keep] = moves[i]; outs[keep++] = 0; }
    n = keep;
    for (int i = 0; i < k->nmoves; i++) { moves[n] = k->move_on[i]; outs[n++] = k->move_out[i]; }
  }
  /* sort by date (n <= 4) */
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && moves[j] < moves[j - 1]; j--) {
      kz_day t = moves[j]; moves[j] = moves[j - 1]; moves[j - 1] = t;
      int o = outs[j]; outs[j] = outs[j - 1]; outs[j - 1] = o;
    }
  h->nr = 0;
  h->out_on = NONE;
  struct gres *r = &h->r[h->nr++];
  r->ward = pick_ward(g, -1);
  r->muni = -1;
  r->start = h->formed;
  r->end = NONE;
  for (int i = 0; i < n && h->out_on == NONE; i++) {
    if (moves[i] <= h->r[h->nr - 1].start + 20) continue;
    struct gres *prev = &h->r[h->nr - 1];
    r = &h->r[h->nr++];
    prev->end = moves[i];
    r->start = moves[i];
    r->end = NONE;
    if (outs[i]) {
      r->ward = -1;
      r->muni = g->else_idx[rnd(g, 0, g->nelse - 1)];
      h->out_on = moves[i];
    } else {
      /* a quarter of the natural moves stay in the ward */
      int same = !k->nmoves && chance(g, 0.25);
      r->ward = same ? prev->ward : pick_ward(g, prev->ward);
      r->muni = -1;
    }
    if (r->ward != prev->ward) add_event(h, moves[i]);
  }
}

static void add_report(struct gen *g, struct ghh *h, kz_day on, int source, int kind,
                       int agency, int follow) {
  int child = h->nkids && chance(g, 0.7) ? h->kid[rnd(g, 0, h->nkids - 1)] : -1;
  if (child >= 0 && h->p[child].birth > on) child = -1;
  put(g, KZ_GEN_REPORTS, NULL, "ssssdsd", h->id, child >= 0 ? h->p[child].id : NULL,
      source_name[source], report_kind[kind], on, agency_name[agency], rec(g, on));
  h->n_reports++;
  add_event(h, on);
  if (!follow) return;
  if (kind == RK_NOTIFICATION || kind == RK_ACCOMPANY)
    follow_contact(g, h, on + rnd(g, 0, 1), AG_CG, 1, -1);
  else
    follow_contact(g, h, on + rnd(g, 0, 2), agency, chance(g, 0.7), -1);
}

static void natural_report(struct gen *g, struct ghh *h) {
  kz_day last = h->out_on != NONE ? h->out_on - 1 : g->U;
  if (last <= h->formed) return;
  kz_day on = rnd(g, h->formed, last);
  int src = pick(g, (const int[]){20, 5, 20, 15, 15, 15, 10}, 7);
  int kind;
  if (src == SRC_POLICE) kind = chance(g, 0.5) ? RK_NOTIFICATION : RK_ACCOMPANY;
  else kind = pick(g, (const int[]){60, 25, 15}, 3);
  int agency = kind >= RK_NOTIFICATION ? AG_CG
             : pick(g, (const int[]){20, 70, 0, 10}, 4);
  add_report(g, h, on, src, kind, agency, chance(g, 0.96));
}

/* A pregnancy row; child -1 for none. */
static void put_pregnancy(struct gen *g, struct ghh *h, kz_day notified, kz_day due,
                          kz_day end, const char *outcome, int child, int specific) {
  put(g, KZ_GEN_PREGNANCIES, NULL, "sdddssid", h->p[h->mother].id, notified, due,
      upto(g, end), outcome, child >= 0 ? h->p[child].id : NULL, specific,
      rec(g, notified));
}

static int young_at(const struct ghh *h, kz_day d) {
  return h->mother >= 0 && kz_date_age(h->p[h->mother].birth, d) < 20;
}

static void build_pregnancies(struct gen *g, struct ghh *h, const struct knobs *k,
                              int *hc_wanted) {
  kz_day U = g->U;
  if (h->mother < 0) return;
  kz_day mb = h->p[h->mother].birth;
  for (int i = 0; i < h->nkids; i++) {
    kz_day b = h->p[h->kid[i]].birth;
    if (b < g->H0) continue;
    kz_day notified = b - rnd(g, 190, 250);
    put_pregnancy(g, h, notified, b + rnd(g, -10, 20), b, "birth", h->kid[i],
                  chance(g, young_at(h, notified) ? 0.3 : 0.015));
  }
  /* a pregnancy that did not continue */
  kz_day lost = k->lost_on;
  if (lost == NONE && !k->quiet && chance(g, 0.035)) {
    kz_day lo = dmax(h->formed, mb + 16 * YEAR), hi = h->out_on != NONE ? h->out_on - 1 : U;
    for (int t = 0; t < 4 && lost == NONE && lo < hi; t++) {
      kz_day x = rnd(g, lo, hi);
      int clash = x - mb > 46 * YEAR;
      for (int i = 0; i < h->nkids; i++) {
        kz_day b = h->p[h->kid[i]].birth;
        if (x > b - 300 && x < b + 60) clash = 1;
      }
      if (!clash) lost = x;
    }
  }
  if (lost != NONE) {
    int oc = pick(g, (const int[]){65, 30, 5}, 3);
    kz_day notified = lost - (oc == 2 ? rnd(g, 100, 160) : rnd(g, 30, 100));
    put_pregnancy(g, h, notified, notified + rnd(g, 200, 240), lost,
                  (const char *[]){"miscarriage", "abortion", "stillbirth"}[oc], -1,
                  chance(g, young_at(h, notified) ? 0.3 : 0.02));
    add_event(h, lost);
    if (k->lost_on == NONE && chance(g, 0.85))
      follow_contact(g, h, lost + rnd(g, 1, 30), AG_HC, 0, -1);
  }
  /* an ongoing pregnancy */
  kz_day notified = k->preg_on;
  int age = kz_date_age(mb, U);
  kz_day youngest = h->nkids ? h->p[h->kid[h->nkids - 1]].birth : NONE;
  if (notified == NONE && !k->quiet && h->out_on == NONE && age >= 16 && age <= 44 &&
      (youngest == NONE || U - youngest > 300) && (lost == NONE || U - lost > 120) &&
      chance(g, k->young ? 0.15 : 0.025))
    notified = U - rnd(g, 10, 230);
  if (notified != NONE) {
    int specific = k->preg_on != NONE ? k->preg_specific
                                      : chance(g, young_at(h, notified) ? 0.3 : 0.03);
    put_pregnancy(g, h, notified, notified + rnd(g, 180, 240), NONE, NULL, -1, specific);
    if (k->preg_on == NONE && (specific || young_at(h, notified)) && chance(g, 0.9))
      *hc_wanted = notified + rnd(g, 3, 20);
  }
}

static void build_checkups(struct gen *g, struct ghh *h, const struct knobs *k) {
  kz_day U = g->U;
  for (int i = 0; i < h->nkids; i++) {
    int c = h->kid[i], youngest = i == h->nkids - 1;
    int planted = -1;
    if (youngest && k->ck_on != NONE) {
      /* the latest checkup due by ck_on is the planted one */
      for (int j = 0; j < 4; j++)
        if (add_months(h->p[c].birth, checkup_months[j]) + 7 <= k->ck_on) planted = j;
    }
    for (int j = 0; j < 4; j++) {
      kz_day sched = add_months(h->p[c].birth, checkup_months[j]) + rnd(g, 7, 35);
      if (j == planted) sched = k->ck_on;
      if (sched < g->H0 || !in_city(g, h, sched)) continue;
      kz_day att;
      int missed = 0;
      if (j == planted || (k->ck_second && j == planted - 1)) {
        att = NONE;
        missed = 2;                       /* missed, nobody follows it up */
      } else if (!k->quiet && chance(g, 0.03)) {
        att = NONE;
        missed = 1;
      } else if (chance(g, 0.06)) {
        att = sched + rnd(g, 15, 75);     /* late */
      } else {
        att = sched + (chance(g, 0.1) ? rnd(g, 1, 7) : 0);
      }
      att = upto(g, att);
      put(g, KZ_GEN_CHECKUPS, NULL, "ssddd", h->p[c].id, checkup_kind[j], sched, att,
          rec(g, sched));
      if (att == NONE && sched + 14 <= U) add_event(h, sched);
      if (missed == 1 && chance(g, 0.8))
        follow_contact(g, h, sched + rnd(g, 10, 50), AG_HC, 1, c);
    }
  }
}

static void build_welfare(struct gen *g, struct ghh *h, const struct knobs *k,
                          int single) {
  kz_day U = g->U, start, end;
  int follow = 1;
  if (k->wel_end != NONE) {
    end = k->wel_end;
    start = dmax(h->formed, end - rnd(g, 200, 1500));
    if (start >= end) start = end - rnd(g, 200, 1500);
    follow = 0;
  } else {
    if (k->quiet || !chance(g, single ? 0.14 : 0.04) || U - 30 <= h->formed) return;
    start = rnd(g, h->formed, U - 30);
    end = start + rnd(g, 120, 2400);
    if (!in_city(g, h, start)) return;
  }
  const char *reason = NULL;
  if (h->out_on != NONE && end >= h->out_on) {
    end = h->out_on;
    reason = welfare_reason[2];
  } else if (end <= U) {
    reason = welfare_reason[pick(g, (const int[]){40, 20, 5, 15, 20}, 5)];
  } else {
    end = NONE;
  }
  put(g, KZ_GEN_WELFARE, NULL, "sddsd", h->id, start, end, reason, rec(g, start));
  h->has_welfare = 1;
  h->wel_start = start;
  h->wel_end = end;
  if (end != NONE) {
    add_event(h, end);
    if (follow && chance(g, 0.8)) follow_contact(g, h, end + rnd(g, 3, 40), AG_HC, 0, -1);
  }
}

/* ------------------------------------------------------------ support -- */

/* The assignment of agency ag active on day t (the n-th if several). */
static const struct gasg *asg_at(const struct ghh *h, int ag, kz_day t, int nth) {
  for (int i = 0; i < h->na; i++) {
    const struct gasg *a = &h->a[i];
    if (a->agency == ag && a->start <= t && (a->end == NONE || t < a->end) && nth-- == 0)
      return a;
  }
  return NULL;
}

static void put_assignment(struct gen *g, struct ghh *h, int ag, int ward, int role,
                           kz_day start, kz_day end, int staff_not) {
  char staff[48];
  end = upto(g, end);
  if (start > g->U || (end != NONE && end <= start) || h->na == MAXA) return;
  struct gasg *a = &h->a[h->na++];
  a->agency = ag;
  a->ward = ag == AG_CG ? -1 : ward;
  do a->staff = rnd(g, 1, 40); while (a->staff == staff_not);
  a->start = start;
  a->end = end;
  staff_id(g, ag, a->ward, a->staff, staff, sizeof staff);
  int person = ag == AG_CG && h->nkids ? h->kid[h->nkids - 1] : -1;
  put(g, KZ_GEN_ASSIGNMENTS, NULL, "ssssssddd", h->id,
      person >= 0 ? h->p[person].id : NULL, agency_name[ag], ward_code(g, a->ward),
      staff, role ? "support" : "primary", a->start, a->end, rec(g, a->start));
}

/* Assign agency ag from a0 to a1 (NONE: open), one assignment per stretch
** in a ward, handed over within days of a move between wards. */
static void assign(struct gen *g, struct ghh *h, const struct plan *pl, int ag,
                   kz_day a0, kz_day a1, int nstaff, int role) {
  if (a0 == NONE || a0 > g->U || (a1 != NONE && a1 <= a0)) return;
  if (ag == AG_CG) {
    put_assignment(g, h, ag, -1, role, a0, a1, 0);
    return;
  }
  for (int i = 0; i < h->nr; i++) {
    const struct gres *r = &h->r[i];
    if (r->ward < 0) break;
    if (i > 0 && h->r[i - 1].ward == r->ward) continue;  /* same ward: same run */
    /* the run of residences in this ward: [r->start, run_end) */
    int j = i;
    while (j + 1 < h->nr && h->r[j + 1].ward == r->ward) j++;
    kz_day run_end = h->r[j].end;              /* the next move, or NONE */
    int next_out = j + 1 < h->nr && h->r[j + 1].ward < 0;
    kz_day s = i > 0 ? r->start + rnd(g, 0, 5) : r->start;
    s = dmax(s, a0);
    kz_day e = run_end;
    if (e != NONE) e = next_out ? (pl->keep_after_out ? NONE : e) : e + rnd(g, 0, 5);
    if (run_end != NONE && run_end == pl->scen_move && pl->no_handover) e = NONE;
    if (a1 != NONE && (e == NONE || a1 < e)) e = a1;
    if (a1 != NONE && s >= a1) break;
    if (run_end != NONE && s >= run_end) continue;
    if (e == NONE || e > s) {
      int first = h->na;
      put_assignment(g, h, ag, r->ward, role, s, e, 0);
      if (nstaff > 1 && h->na > first)
        put_assignment(g, h, ag, r->ward, 1, s, e, h->a[first].staff);
    }
    if (run_end != NONE && run_end == pl->scen_move && pl->no_handover) break;
    if (next_out) break;
  }
}

/* Regular contacts of agency ag on days [a0, a1]. The lead agency sees the
** children often enough that child.not_seen never fires (every visit when
** high is set). */
static void contact_plan(struct gen *g, struct ghh *h, const struct plan *pl, int ag,
                         kz_day a0, kz_day a1, int lead, int high) {
  kz_day last_seen = a0;
  for (kz_day t = a0 + rnd(g, 1, 7); t <= a1; ) {
    if (ag == AG_HC && pl->hc_stop != NONE && t > pl->hc_stop) break;
    if (ag == AG_HC && pl->hc_silent && pl->scen_move != NONE && t >= pl->scen_move) break;
    if (h->out_on != NONE && t >= h->out_on) break;
    int kind, seen, person = -1;
    if (lead && (high || t - last_seen >= 35)) {
      kind = chance(g, 0.85) ? CK_VISIT : CK_OFFICE;
      seen = 1;
    } else {
      kind = pick(g, (const int[]){40, 35, 15, 5, 5}, 5);
      seen = (kind == CK_VISIT && chance(g, 0.9)) || (kind == CK_OFFICE && chance(g, 0.5));
      if (seen && h->nkids && chance(g, 0.2)) person = h->kid[rnd(g, 0, h->nkids - 1)];
      if (person >= 0 && h->p[person].birth > t) person = -1;
    }
    if (pl->stop_seen != NONE && t > pl->stop_seen) {
      seen = 0;
      person = -1;
      if (kind == CK_VISIT || kind == CK_OFFICE) kind = chance(g, 0.5) ? CK_PHONE : CK_LETTER;
    }
    if (seen && person < 0) last_seen = t;
    int ward = -1, staff = 0;
    int nth = ag == AG_HC && chance(g, 0.5) ? 1 : 0;
    const struct gasg *a = asg_at(h, ag, t, nth);
    if (!a) a = asg_at(h, ag, t, 0);
    if (a) { ward = a->ward; staff = a->staff; }
    add_contact(g, h, t, ag, ward, staff, kind, seen, person);
    int gap = lead ? (high ? rnd(g, 7, 21) : rnd(g, 10, 40))
            : ag == AG_WF ? rnd(g, 20, 60) : rnd(g, 14, 40);
    t += gap;
  }
}

/* Transfer documents for moves between wards while ag is involved. */
static void transfers(struct gen *g, struct ghh *h, const struct plan *pl, int ag,
                      kz_day a0, kz_day a1, double p) {
  for (int i = 1; i < h->nr; i++) {
    const struct gres *from = &h->r[i - 1], *to = &h->r[i];
    kz_day m = to->start;
    if (to->ward < 0 || from->ward < 0 || to->ward == from->ward) continue;
    if (m <= a0 || (a1 != NONE && m >= a1)) continue;
    int planted = m == pl->scen_move;
    if (planted && pl->no_transfer && ag == AG_HC) continue;
    if (!planted && !chance(g, p)) continue;
    kz_day doc = m + rnd(g, 0, 10);
    if (doc > g->U) continue;
    kz_day fu = chance(g, 0.85) || (planted && pl->hc_silent) ? doc + rnd(g, 7, 30) : NONE;
    if (planted && pl->hc_silent && fu > g->U) fu = g->U;
    put(g, KZ_GEN_TRANSFERS, NULL, "ssssddd", h->id, agency_name[ag],
        ward_code(g, from->ward), ward_code(g, to->ward), doc, upto(g, fu), rec(g, doc));
    if (planted && pl->hc_silent && ag == AG_HC) continue;
    /* the receiving ward's first contact, before the follow-up date */
    const struct gasg *a = asg_at(h, ag, doc + 5, 0);
    add_contact(g, h, dmin(doc + rnd(g, 1, 5), g->U), ag, to->ward,
                a && a->ward == to->ward ? a->staff : 0, CK_VISIT, 1, -1);
  }
}

static void build_support(struct gen *g, struct ghh *h, struct plan *pl) {
  kz_day U = g->U;
  /* involvement ends at the support's end, or at a move out of the city */
  kz_day stop = pl->end;
  if (h->out_on != NONE && !pl->keep_after_out && (stop == NONE || stop > h->out_on))
    stop = h->out_on;
  stop = upto(g, stop);
  kz_day last = stop == NONE ? U : dmin(stop, U);   /* last day of activity */
  if (h->out_on != NONE) last = dmin(last, h->out_on - 1);
  if (pl->start > last) return;

  /* assessments: at the start, every 45-85 days, and within 10 days of a
  ** risk event; a planted lapse stops them */
  kz_day as[160];
  int nas = 0;
  qsort(h->ev, (size_t)h->nev, sizeof *h->ev, cmp_day);
  if (pl->lead >= 0 || pl->hc_start != NONE) {
    int hc_only = pl->lead < 0;
    kz_day t = pl->start + rnd(g, 5, 25);
    while (t <= last && nas < 160) {
      if (pl->stop_assess != NONE && t > pl->stop_assess) break;
      as[nas++] = t;
      kz_day next = t + (hc_only ? rnd(g, 90, 200) : rnd(g, 45, 85));
      if (!hc_only)
        for (int i = 0; i < h->nev; i++)
          if (h->ev[i] >= t && h->ev[i] + 10 < next) { next = h->ev[i] + rnd(g, 1, 10); break; }
      if (next <= t) next = t + 1;
      t = next;
    }
  }
  int risk[160], r = pl->risk0, maxrisk = 0;
  for (int i = 0; i < nas; i++) {
    double u = kz_gen_rng_unit(&g->r);
    if (i > 0) r += u < 0.15 ? 1 : u < 0.35 ? -1 : 0;
    if (r < 0) r = 0;
    if (r > pl->risk_cap) r = pl->risk_cap;
    if (i == nas - 1 && pl->force_risk >= 0) r = pl->force_risk;
    if (i == nas - 1 && stop != NONE && r > 1) r = 1;   /* closed: risk fell */
    risk[i] = r;
    if (r > maxrisk) maxrisk = r;
  }
  int high = maxrisk >= 2;
  if (high && pl->lead >= 0 && pl->hc_start == NONE) pl->hc_start = pl->start;
  int hc_staff = pl->hc_staff ? pl->hc_staff : (high ? 2 : 1);

  /* assignments */
  if (pl->lead >= 0) assign(g, h, pl, pl->lead, pl->start, stop, 1, 0);
  if (pl->hc_start != NONE)
    assign(g, h, pl, AG_HC, pl->hc_start, stop, hc_staff, pl->lead >= 0);
  kz_day w0 = NONE, w1 = NONE;
  if (pl->welfare && h->has_welfare) {
    w0 = dmax(h->wel_start, pl->start);
    w1 = h->wel_end == NONE ? stop : (stop == NONE ? h->wel_end : dmin(h->wel_end, stop));
    if (w1 != NONE && w1 <= w0) w0 = NONE;
    else assign(g, h, pl, AG_WF, w0, w1, 1, 1);
  }

  /* council registration and reviews for the families a lead agency manages */
  if (pl->lead >= 0) {
    kz_day cs = pl->start + rnd(g, 3, 25);
    if (!pl->no_council && cs <= last) {
      int primary = pl->lead == AG_FC ? pick(g, (const int[]){10, 85, 0, 5}, 4)
                                      : pick(g, (const int[]){0, 20, 0, 80}, 4);
      put(g, KZ_GEN_COUNCIL, NULL, "ssddd", h->id, agency_name[primary], cs, stop,
          rec(g, cs));
    }
    for (kz_day t = pl->start + rnd(g, 20, 75); t <= last; t += rnd(g, 40, 85)) {
      if (pl->stop_review != NONE && t > pl->stop_review) break;
      put(g, KZ_GEN_REVIEWS, NULL, "ssdd", h->id,
          chance(g, 0.15) ? "case_conference" : "progress", t, rec(g, t));
    }
  }
  for (int i = 0; i < nas; i++) {
    int ag = pl->lead >= 0 ? pl->lead : AG_HC;
    put(g, KZ_GEN_ASSESSMENTS, NULL, "ssdsd", h->id, agency_name[ag], as[i],
        risk_name[risk[i]], rec(g, as[i]));
  }

  /* transfer documents and contacts */
  if (pl->hc_start != NONE) transfers(g, h, pl, AG_HC, pl->hc_start, stop, 0.95);
  if (pl->lead == AG_FC) transfers(g, h, pl, AG_FC, pl->start, stop, 0.4);
  kz_day clast = last;
  if (pl->lead >= 0) contact_plan(g, h, pl, pl->lead, pl->start, clast, 1, high);
  if (pl->hc_start != NONE)
    contact_plan(g, h, pl, AG_HC, pl->hc_start, clast, pl->lead < 0, 0);
  if (w0 != NONE) contact_plan(g, h, pl, AG_WF, w0, w1 == NONE ? clast : dmin(w1, clast), 0, 0);
}

/* ---------------------------------------------------------- scenarios -- */

static void plan_default(struct plan *pl) {
  memset(pl, 0, sizeof *pl);
  pl->lead = -1;
  pl->start = pl->end = pl->hc_start = NONE;
  pl->stop_seen = pl->stop_assess = pl->stop_review = pl->hc_stop = pl->scen_move = NONE;
  pl->risk_cap = 3;
  pl->force_risk = -1;
}

static void knobs_default(struct knobs *k) {
  memset(k, 0, sizeof *k);
  k->nkids = -1;
  k->youngest = k->ck_on = k->wel_end = k->lost_on = k->preg_on = NONE;
}

/* A family consultation case open for a while: the base of most planted
** support scenarios. */
static void plan_case(struct gen *g, struct plan *pl, struct knobs *k) {
  kz_day U = g->U;
  k->support = 1;
  k->youngest = U - rnd(g, 1000, 11 * YEAR);
  pl->on = 1;
  pl->lead = chance(g, 0.85) ? AG_FC : AG_CG;
  pl->start = U - rnd(g, 200, 900);
  pl->risk0 = pick(g, (const int[]){35, 45, 20, 0}, 4);
  if (chance(g, 0.5)) pl->hc_start = pl->start - rnd(g, 0, 200);
}

static void plan_move(struct knobs *k, struct plan *pl, kz_day on, int out) {
  k->move_on[k->nmoves] = on;
  k->move_out[k->nmoves++] = out;
  pl->scen_move = on;
}

static void setup_scenario(struct gen *g, int sc, struct knobs *k, struct plan *pl) {
  kz_day U = g->U;
  knobs_default(k);
  plan_default(pl);
  if (sc == SC_NONE) return;
  k->quiet = 1;
  switch (sc) {
  case SC_CHECKUP_MISSED:
  case SC_CHECKUP_UNREACHABLE: {
    k->ck_on = sc == SC_CHECKUP_MISSED ? U - rnd(g, 16, 55) : U - rnd(g, 62, 165);
    int j = rnd(g, 0, 3);
    k->youngest = add_months(k->ck_on - rnd(g, 7, 35), -checkup_months[j]);
    k->ck_second = j > 0 && chance(g, 0.3);
    break;
  }
  case SC_WELFARE_ENDED:
    k->youngest = U - rnd(g, 200, 900);
    k->wel_end = U - rnd(g, 5, 150);
    break;
  case SC_PREG_LOST_YOUNG:
    k->young = 1;
    /* fall through */
  case SC_PREG_LOST:
    k->lost_on = U - rnd(g, 3, 150);
    if (!k->young) k->youngest = U - rnd(g, 500, 3000);
    break;
  case SC_PREG_UNSUPPORTED_YOUNG:
    k->young = 1;
    /* fall through */
  case SC_PREG_UNSUPPORTED:
    k->preg_on = U - rnd(g, 12, 150);
    k->preg_specific = !k->young || chance(g, 0.3);
    if (!k->young) k->youngest = U - rnd(g, 400, 3000);
    break;
  case SC_COUNCIL:
    plan_case(g, pl, k);
    pl->lead = AG_FC;
    pl->start = U - rnd(g, 40, 170);
    pl->no_council = 1;
    break;
  case SC_ASSESSMENT:
    plan_case(g, pl, k);
    pl->stop_assess = U - rnd(g, 95, 170);
    break;
  case SC_REVIEW:
    plan_case(g, pl, k);
    pl->lead = AG_FC;
    pl->stop_review = U - rnd(g, 95, 170);
    break;
  case SC_HANDOVER:
    plan_case(g, pl, k);
    pl->lead = AG_FC;
    pl->hc_start = NONE;
    pl->risk_cap = 1;
    pl->no_handover = 1;
    plan_move(k, pl, U - rnd(g, 10, 150), 0);
    break;
  case SC_OUT_OF_CITY:
    plan_case(g, pl, k);
    pl->keep_after_out = 1;
    plan_move(k, pl, U - rnd(g, 5, 150), 1);
    break;
  case SC_TRANSFER_DOC:
    plan_case(g, pl, k);
    pl->hc_start = pl->start - rnd(g, 0, 200);
    pl->no_transfer = 1;
    plan_move(k, pl, U - rnd(g, 20, 150), 0);
    break;
  case SC_FOLLOW_UP:
    plan_case(g, pl, k);
    pl->hc_start = pl->start - rnd(g, 0, 200);
    pl->hc_silent = 1;
    plan_move(k, pl, U - rnd(g, 45, 150), 0);
    break;
  case SC_REPORT:
    k->rep[0].on = U - rnd(g, 2, 60);
    k->rep[0].source = pick(g, (const int[]){25, 10, 30, 15, 0, 15, 5}, 7);
    k->rep[0].kind = chance(g, 0.65) ? RK_CONCERN : RK_ABSENCE;
    k->rep[0].agency = chance(g, 0.8) ? AG_FC : AG_HC;
    k->nrep = 1;
    break;
  case SC_SAFETY: {
    int police = chance(g, 0.6);
    k->rep[0].on = U - rnd(g, 1, 25);
    k->rep[0].source = police ? SRC_POLICE : pick(g, (const int[]){20, 10, 30, 20, 0, 20, 0}, 7);
    k->rep[0].kind = police && chance(g, 0.5) ? RK_ACCOMPANY : RK_NOTIFICATION;
    k->rep[0].agency = AG_CG;
    k->nrep = 1;
    break;
  }
  case SC_NOT_SEEN:
    plan_case(g, pl, k);
    pl->stop_seen = U - rnd(g, 95, 170);
    break;
  case SC_WITHDRAWN:
    plan_case(g, pl, k);
    pl->lead = AG_FC;
    pl->hc_start = pl->start - rnd(g, 30, 300);
    pl->hc_stop = U - rnd(g, 65, 170);
    break;
  case SC_STAFFING:
    plan_case(g, pl, k);
    pl->hc_start = pl->start - rnd(g, 0, 200);
    pl->hc_staff = 1;
    pl->force_risk = chance(g, 0.8) ? 2 : 3;
    break;
  case SC_RISING: {
    /* two moves between wards and a report, followed up: score 1+1+3 */
    kz_day m1 = U - rnd(g, 120, 170), m2 = U - rnd(g, 20, 100);
    k->youngest = U - rnd(g, 200, 12 * YEAR);
    plan_move(k, pl, m1, 0);
    plan_move(k, pl, m2, 0);
    pl->scen_move = NONE;
    k->rep[0].on = rnd(g, m2 + 1, U - 3);
    k->rep[0].source = pick(g, (const int[]){30, 10, 30, 10, 0, 15, 5}, 7);
    k->rep[0].kind = RK_CONCERN;
    k->rep[0].agency = AG_FC;
    k->rep[0].follow = 1;
    k->nrep = 1;
    break;
  }
  case SC_RISING_GUIDANCE: {
    /* a move, a police notification and a concern, all followed up: 1+4+3 */
    kz_day m = U - rnd(g, 60, 170);
    k->youngest = U - rnd(g, 200, 12 * YEAR);
    plan_move(k, pl, m, 0);
    pl->scen_move = NONE;
    k->rep[0].on = rnd(g, m + 1, U - 3);
    k->rep[0].source = SRC_POLICE;
    k->rep[0].kind = chance(g, 0.5) ? RK_NOTIFICATION : RK_ACCOMPANY;
    k->rep[0].agency = AG_CG;
    k->rep[0].follow = 1;
    k->rep[1].on = rnd(g, m + 1, U - 3);
    k->rep[1].source = pick(g, (const int[]){30, 10, 30, 10, 0, 15, 5}, 7);
    k->rep[1].kind = RK_CONCERN;
    k->rep[1].agency = AG_FC;
    k->rep[1].follow = 1;
    k->nrep = 2;
    break;
  }
  default:
    break;
  }
}

/* A natural support plan, decided once the household's history is known. */
static void plan_natural(struct gen *g, struct ghh *h, struct plan *pl, kz_day hc_wanted) {
  kz_day U = g->U;
  double p = 0.045 + (h->n_reports ? 0.35 : 0) + (h->has_welfare ? 0.06 : 0) +
             (h->mother >= 0 && young_at(h, U) ? 0.15 : 0);
  int support = chance(g, p);
  if (!support && hc_wanted == NONE) return;
  kz_day lo = h->formed + 30, hi = dmin(U - 20, h->out_on != NONE ? h->out_on - 30 : U);
  if (support && lo < hi) {
    pl->on = 1;
    pl->start = rnd(g, lo, hi);
    pl->lead = pick(g, (const int[]){72, 13, 15}, 3);
    pl->lead = pl->lead == 0 ? AG_FC : pl->lead == 1 ? AG_CG : -1;
    pl->risk0 = pick(g, (const int[]){30, 45, 20, 5}, 4);
    if (pl->lead < 0) {
      pl->hc_start = pl->start;
      pl->risk_cap = 1;
      if (pl->risk0 > 1) pl->risk0 = 1;
    } else if (chance(g, 0.7)) {
      pl->hc_start = dmax(h->formed, pl->start - rnd(g, 0, 300));
    }
    if (chance(g, 0.3)) {
      pl->end = pl->start + rnd(g, 180, 1500);
      if (pl->end >= U - 10) pl->end = NONE;
    }
    pl->welfare = chance(g, 0.6);
  }
  if (hc_wanted != NONE && hc_wanted <= U) {
    if (!pl->on) {
      pl->on = 1;
      pl->lead = -1;
      pl->start = hc_wanted;
      pl->risk_cap = 1;
    }
    if (pl->hc_start == NONE || pl->hc_start > hc_wanted) pl->hc_start = hc_wanted;
    if (pl->end != NONE && pl->end < U) pl->end = NONE;
  }
}

static void gen_household(struct gen *g, long no, int sc) {
  struct ghh hh, *h = &hh;
  struct knobs k;
  struct plan pl;

  memset(h, 0, sizeof *h);
  h->wel_start = h->wel_end = NONE;
  setup_scenario(g, sc, &k, &pl);
  snprintf(h->id, sizeof h->id, "H%07ld", no + 1);
  g->next[KZ_GEN_HOUSEHOLDS] = no;
  build_people(g, h, &k);
  build_residences(g, h, &k);

  /* the household, its people, where it lived */
  put(g, KZ_GEN_HOUSEHOLDS, NULL, "d", chance(g, 0.6) ? NONE : rec(g, h->formed));
  for (int i = 0; i < h->np; i++) {
    struct gperson *p = &h->p[i];
    kz_day prec = p->birth >= g->H0 ? rec(g, p->birth)
                : chance(g, 0.5) ? NONE : g->H0 + rnd(g, 0, 60);
    char sex[2] = {p->sex, 0};
    put(g, KZ_GEN_PERSONS, p->id, "dsd", p->birth, sex, prec);
  }
  for (int i = 0; i < h->np; i++) {
    struct gperson *p = &h->p[i];
    kz_day mrec = p->start == g->H0 && chance(g, 0.5) ? NONE : rec(g, p->start);
    put(g, KZ_GEN_MEMBERS, NULL, "sssddd", h->id, p->id, relation_name[p->rel],
        p->start, p->end, mrec);
  }
  for (int i = 0; i < h->nr; i++) {
    struct gres *r = &h->r[i];
    const char *muni = r->ward >= 0 ? g->pf->municipality : elsewhere[r->muni];
    put(g, KZ_GEN_RESIDENCES, r->id, "sssddd", h->id, muni, ward_code(g, r->ward),
        r->start, r->end, rec(g, r->start));
  }

  /* what happened to it */
  kz_day hc_wanted = NONE;
  int single = h->mother >= 0 && h->np - h->nkids == 1;
  build_pregnancies(g, h, &k, &hc_wanted);
  build_checkups(g, h, &k);
  build_welfare(g, h, &k, single);
  for (int i = 0; i < k.nrep; i++)
    add_report(g, h, k.rep[i].on, k.rep[i].source, k.rep[i].kind, k.rep[i].agency,
               k.rep[i].follow);
  if (!k.quiet && chance(g, 0.008)) natural_report(g, h);

  /* who supports it */
  if (!k.quiet) plan_natural(g, h, &pl, hc_wanted);
  if (pl.on) build_support(g, h, &pl);
  flush_contacts(g, h);
}

/* ------------------------------------------------------------- driver -- */

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Positions of the planted households in block b (slot[i] = scenario). */
static void fill_block(struct gen *g, uint64_t seed, long b, int size) {
  static const int nsc = SC_COUNT - 1;
  int perm[BLOCK];
  struct kz_gen_rng r;
  kz_gen_rng_seed(&r, seed, 0x8000000000000000ull | (uint64_t)b);
  for (int i = 0; i < size; i++) { perm[i] = i; g->slot[i] = SC_NONE; }
  for (int i = 0; i < size && i < nsc; i++) {
    int j = kz_gen_rng_range(&r, i, size - 1);
    int t = perm[i]; perm[i] = perm[j]; perm[j] = t;
    g->slot[perm[i]] = i + 1;
  }
}

static int exec(sqlite3 *db, const char *sql, struct kz_diag *d) {
  char *msg = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK) return 0;
  kz_diag_add(d, NULL, 0, 0, "gen: %s", msg ? msg : sqlite3_errmsg(db));
  sqlite3_free(msg);
  return -1;
}

int kz_gen_city(sqlite3 *db, const struct kz_gen_opts *o, struct kz_gen_stats *st,
                struct kz_diag *d) {
  struct gen g;
  char **index_sql = NULL;
  int nindex = 0, rc = -1, in_tx = 0;
  double t0 = now_seconds();
  sqlite3_stmt *q = NULL;

  memset(&g, 0, sizeof g);
  g.db = db;
  g.pf = o->profile;
  if (o->households < 1) {
    kz_diag_add(d, NULL, 0, 0, "gen: --households must be at least 1");
    goto done;
  }
  if (!g.pf || g.pf->nwards < 1 || !g.pf->municipality) {
    kz_diag_add(d, g.pf ? g.pf->path : NULL, 0, 0,
                "gen: the profile has no wards or no municipality");
    goto done;
  }
  g.U = o->until;
  {
    int y, m, dd;
    kz_date_to_ymd(g.U, &y, &m, &dd);
    g.H0 = kz_date_from_ymd(y - 10, m, dd > 28 ? 28 : dd);
  }
  g.nwards = (int)g.pf->nwards;
  g.wcum = malloc(sizeof *g.wcum * (size_t)g.nwards);
  if (!g.wcum) { kz_diag_add(d, NULL, 0, 0, "gen: out of memory"); goto done; }
  double sum = 0;
  for (int i = 0; i < g.nwards; i++) {
    double w = g.pf->wards[i].population;
    sum += w > 0 ? w : 0;
  }
  for (int i = 0; i < g.nwards; i++) {
    double w = g.pf->wards[i].population;
    g.wcum[i] = (i ? g.wcum[i - 1] : 0) + (sum > 0 ? (w > 0 ? w : 0) : 1);
  }
  for (int i = 0; i < N_ELSEWHERE; i++)
    if (strcmp(elsewhere[i], g.pf->municipality) != 0) g.else_idx[g.nelse++] = i;

  /* The schema, then its indexes dropped until the rows are in (re-created
  ** at the end: faster than inserting into them). CHECK constraints are not
  ** evaluated during the bulk insert: their date() calls cost two thirds of
  ** the time, and every value here is made by kz_date_format or taken from
  ** the fixed vocabularies above (tests/unit/test_gen.c copies a city into a
  ** checked schema to prove it). */
  if (exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
               "PRAGMA ignore_check_constraints=ON;", d))
    goto done;
  if (exec(db, "BEGIN", d)) goto done;
  in_tx = 1;
  if (exec(db, (const char *)schema_cases_sql, d)) goto done;
  if (sqlite3_prepare_v2(db, "SELECT name, sql FROM sqlite_master WHERE type='index' "
                             "AND sql IS NOT NULL ORDER BY name", -1, &q, NULL) != SQLITE_OK)
    goto sqlerr;
  while (sqlite3_step(q) == SQLITE_ROW) {
    char **v = realloc(index_sql, sizeof *v * (size_t)(nindex + 1));
    if (!v) { kz_diag_add(d, NULL, 0, 0, "gen: out of memory"); goto done; }
    index_sql = v;
    index_sql[nindex++] = sqlite3_mprintf("%s", (const char *)sqlite3_column_text(q, 1));
  }
  sqlite3_finalize(q);
  q = NULL;
  if (sqlite3_prepare_v2(db, "SELECT 'DROP INDEX \"' || name || '\"' FROM sqlite_master "
                             "WHERE type='index' AND sql IS NOT NULL", -1, &q, NULL) != SQLITE_OK)
    goto sqlerr;
  {
    char *drops = sqlite3_mprintf("%s", "");
    while (drops && sqlite3_step(q) == SQLITE_ROW) {
      char *x = sqlite3_mprintf("%s%s;", drops, (const char *)sqlite3_column_text(q, 0));
      sqlite3_free(drops);
      drops = x;
    }
    sqlite3_finalize(q);
    q = NULL;
    int bad = !drops || exec(db, drops, d);
    sqlite3_free(drops);
    if (bad) goto done;
  }

  for (int t = 0; t < KZ_GEN_NTABLES; t++)
    if (sqlite3_prepare_v3(db, tables[t].sql, -1, SQLITE_PREPARE_PERSISTENT, &g.ins[t],
                           NULL) != SQLITE_OK)
      goto sqlerr;

  int block = o->households < BLOCK ? (int)o->households : BLOCK;
  for (long i = 0; i < o->households; i++) {
    if (i % block == 0) fill_block(&g, o->seed, i / block, block);
    kz_gen_rng_seed(&g.r, o->seed, (uint64_t)i + 1);
    gen_household(&g, i, g.slot[i % block]);
    if (g.rc) {
      kz_diag_add(d, NULL, 0, 0, "gen: %s", g.err);
      goto done;
    }
    if (o->progress && ((i + 1) % 1024 == 0 || i + 1 == o->households))
      o->progress(o->progress_ctx, i + 1, o->households);
  }
  for (int i = 0; i < nindex; i++)
    if (exec(db, index_sql[i], d)) goto done;
  if (exec(db, "COMMIT", d)) goto done;
  in_tx = 0;
  if (exec(db, "PRAGMA ignore_check_constraints=OFF;", d)) goto done;

  if (st) {
    memset(st, 0, sizeof *st);
    st->households = o->households;
    for (int t = 0; t < KZ_GEN_NTABLES; t++) {
      st->rows[t] = g.rows[t];
      st->total += g.rows[t];
    }
    st->seconds = now_seconds() - t0;
  }
  rc = 0;
  goto done;

sqlerr:
  kz_diag_add(d, NULL, 0, 0, "gen: %s", sqlite3_errmsg(db));
done:
  sqlite3_finalize(q);
  for (int t = 0; t < KZ_GEN_NTABLES; t++) sqlite3_finalize(g.ins[t]);
  if (in_tx) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
  if (rc) sqlite3_exec(db, "PRAGMA ignore_check_constraints=OFF", NULL, NULL, NULL);
  for (int i = 0; i < nindex; i++) sqlite3_free(index_sql[i]);
  free(index_sql);
  free(g.wcum);
  free(g.c);
  return rc;
}

int kz_gen_file(const char *path, int force, const struct kz_gen_opts *o,
                struct kz_gen_stats *st, struct kz_diag *d) {
  sqlite3 *db = NULL;
  char *tmp = NULL;
  int rc = -1;

  if (!force && access(path, F_OK) == 0) {
    kz_diag_add(d, path, 0, 0, "already exists (use --force to replace it)");
    goto done;
  }
  size_t len = strlen(path) + 32;
  tmp = malloc(len);
  if (!tmp) { kz_diag_add(d, NULL, 0, 0, "gen: out of memory"); goto done; }
  snprintf(tmp, len, "%s.tmp-%ld", path, (long)getpid());
  unlink(tmp);
  if (kz_db_open(tmp, KZ_DB_WRITE, &db, d)) goto done;
  if (kz_gen_city(db, o, st, d)) goto done;
  if (sqlite3_close(db) != SQLITE_OK) {
    kz_diag_add(d, tmp, 0, 0, "cannot close: %s", sqlite3_errmsg(db));
    goto done;
  }
  db = NULL;
  if (rename(tmp, path) != 0) {
    kz_diag_add(d, path, 0, 0, "cannot rename %s into place: %s", tmp, strerror(errno));
    goto done;
  }
  rc = 0;
done:
  if (db) sqlite3_close(db);
  if (rc && tmp) unlink(tmp);
  free(tmp);
  return rc;
}
