/*
** vocab_words.c — the one list of every word of the rules' vocabulary: its
** name, how it is called, where it is defined (C or Lua, never both), what
** it means (Japanese for supervisors, English for engineers) and the
** RULES.md sentence it implements. docs/authoring.md §6 is generated from
** this list (`kizuki rules --vocabulary --format markdown`);
** tests/e2e/vocab_doc.sh fails when the doc differs, and
** tests/unit/test_vocab.c fails when a word of the library is missing here
** or a word here is missing from the library.
*/
#include "vocab.h"

#include <string.h>

#include "strbuf.h"

#define C_KZLIB "C (kzlib.c)"
#define C_VOCAB "C (vocab.c)"
#define C_VIEW "C (view.c)"
#define LUA "Lua (kz.lua)"

const struct kz_vocab_word kz_vocab_words[] = {
  /* {====== kz: dates, findings, lists, names ====== */
  {"kz.today", "kz.today", "C (vocab.c, kz_vocab_set_today)",
   "処理の基準日 D。規則が使える唯一の「今日」。D より後に記録された事実は見えず、D より後の日付はまだ起きていない扱い。`at` を省いた言葉はすべてこの日を使う。",
   "The run's as-of date D: the only clock a rule has; every word's default day.",
   "D: the run's as-of date. Only records with `recorded_on` ≤ D exist; a date field after D has not happened yet."},
  {"kz.version", "kz.version", C_KZLIB, "kizuki の版。", "kizuki's version string.", NULL},
  {"kz.days", "kz.days(a, b)", C_KZLIB, "a から b までの日数（b − a）。", "Whole days from a to b (b - a).", NULL},
  {"kz.add_days", "kz.add_days(d, n)", C_KZLIB, "d の n 日後（n が負なら前）の日付。",
   "The date n days after d (n may be negative).", NULL},
  {"kz.age", "kz.age(birth, at)", C_KZLIB, "at の時点での満年齢。", "Whole years of age on day at.",
   "child: ... under 18 at D."},
  {"kz.later", "kz.later(...)", C_KZLIB, "与えた日付のうち一番遅いもの（nil は無視）。",
   "The latest of the dates given, ignoring nils.", NULL},
  {"kz.earlier", "kz.earlier(...)", C_KZLIB, "与えた日付のうち一番早いもの（nil は無視）。",
   "The earliest of the dates given, ignoring nils.", NULL},
  {"kz.is_date", "kz.is_date(s)", C_KZLIB, "s が実在する `YYYY-MM-DD` の日付か。",
   "Is s a real YYYY-MM-DD date?", NULL},
  {"kz.business_days", "kz.business_days(n)", C_KZLIB,
   "`due` に書く期限：営業日で n 日。数字だけ書くと営業日。",
   "A rule's due: n business days.",
   "due: counted from the day the task opens (or escalates), in business days (Mon–Fri, not a holiday in `calendar:` of kizuki.yaml, not 12/29–1/3) unless the rule says calendar days."},
  {"kz.calendar_days", "kz.calendar_days(n)", C_KZLIB,
   "`due` に書く期限：暦日で n 日（48時間ルールは `kz.calendar_days(2)`）。",
   "A rule's due: n calendar days (the 48-hour rule is kz.calendar_days(2)).",
   "due: ... in business days ... unless the rule says calendar days."},
  {"kz.finding", "kz.finding{...}", C_KZLIB,
   "所見（課題のもと）を作る。`since`（きっかけの日）、`reason`（職員向けの理由文）、`key`（事案の区別）、`evidence`（根拠の記録）、必要なら `severity`・`agency`・`ward`・`due`・`subject`。",
   "Make a finding (what a task comes from): since, reason, key, evidence; optionally severity, agency, ward, due, subject.",
   NULL},
  {"kz.is_finding", "kz.is_finding(x)", C_KZLIB, "x が `kz.finding` で作った所見か。",
   "Is x a table made by kz.finding?", NULL},
  {"kz.log", "kz.log(...)", "C (trace_lua.c)",
   "`kizuki trace` と `kizuki test --verbose` に値を書き出す（毎晩の処理では何もしない）。「なぜ出ないのか」を調べるときに使う。",
   "Write its arguments to `kizuki trace` and `kizuki test --verbose`; a no-op in the nightly run.",
   NULL},
  {"kz.filter", "kz.filter(list, f)", LUA, "list のうち f が真になるものだけの一覧。",
   "The elements of list for which f is true.", NULL},
  {"kz.first", "kz.first(list, f)", LUA, "list の中で f が真になる最初のもの（f を省くと最初）。",
   "The first element of list for which f holds (f omitted: the first).", NULL},
  {"kz.last", "kz.last(list, f)", LUA, "list の中で f が真になる最後のもの（f を省くと最後）。",
   "The last element of list for which f holds (f omitted: the last).", NULL},
  {"kz.active", "kz.active(rec, at)", C_VOCAB,
   "記録（開始日・終了日のあるもの）が at に有効か（開始日 ≤ at、終了日がないか at より後）。",
   "Is a record with start_on / end_on active on day at?",
   "active at D: `start_on` ≤ D and (`end_on` is NULL or `end_on` > D)."},
  {"kz.sees", "kz.sees(c, id)", C_VOCAB,
   "接触記録 c が子ども id を目視確認したものか（`child_seen = 1` で、対象者が空か id）。",
   "Does contact c see child id (child_seen = 1, person_id nil or id)?",
   "seen: child C is seen on day X by a contact with `child_seen = 1` on X whose person_id is NULL or C ..."},
  {"kz.covered_since", "kz.covered_since(periods, at)", C_VOCAB,
   "途切れずに続く期間の始まりの日（担当者や区が替わっても途切れとみなさない）。",
   "The first day of the unbroken stretch of periods covering at (periods that overlap or follow on join).",
   "involved: ... it has been involved *since* the first day of the unbroken run of its assignments (hand-overs between staff or wards that follow on do not restart it)."},
  {"kz.agency_name", "kz.agency_name[kind]", "profile (kizuki.yaml agencies:)",
   "機関の名前（理由文に使う）。`rules/kizuki.yaml` の `agencies:` の `name`。",
   "The name staff read for an agency kind: `name` of agencies: in the profile.", NULL},
  {"kz.ward_name", "kz.ward_name[code]", "profile (kizuki.yaml wards:)",
   "区の名前（例 `chuo` → 中央区）。kizuki.yaml の `wards:` から。知らない区は nil。",
   "A ward's name for staff, from the profile's wards (nil for a ward the profile does not know).",
   NULL},
  {"kz.checkup_name", "kz.checkup_name[kind]", LUA, "健診の名前（例 `4m` → 4か月健診）。",
   "The name staff read for a checkup kind.", NULL},
  {"kz.risk_name", "kz.risk_name[risk]", LUA, "アセスメントのリスクの名前（低・中・高・重度）。",
   "The name staff read for an assessment's risk level.", NULL},
  {"kz.risk_rank", "kz.risk_rank[risk]", LUA, "リスクの順位（low 1 … severe 4）。",
   "The order of the risk levels (low 1 ... severe 4).", NULL},
  {"kz.subjects", "kz.subjects[subject](hh)", LUA,
   "規則の `subject` が世帯ごとに何を調べるか（household：世帯、child：`hh:children()`、mother：`hh:mothers()`）。",
   "What a rule's subject iterates over in each household.", NULL},
  {"kz.Household", "kz.Household", C_VIEW, "世帯（`hh`）の言葉の置き場（エンジン用）。",
   "The table of household methods (engine).", NULL},
  {"kz.Record", "kz.Record", C_VIEW, "記録の言葉の置き場（エンジン用）。",
   "The tables of record methods, by table (engine).", NULL},
  /* }====== */

  /* {====== The household and its records ====== */
  {"hh.id", "hh.id", C_VIEW, "世帯の id。", "The household's id.", NULL},
  {"hh.<table>", "hh.persons, hh.members, hh.residences, hh.pregnancies, hh.checkups, hh.welfare, "
   "hh.assignments, hh.council, hh.contacts, hh.assessments, hh.reviews, hh.reports, hh.transfers", C_VIEW,
   "世帯の記録の一覧（日付順、読み取り専用）。列は `schema/cases.sql` のとおり（例 `r.received_on`）。",
   "The household's records of each table, in date order, read-only.",
   "Only records with `recorded_on` ≤ D exist."},
  {"hh:children", "hh:children(at)", C_VOCAB,
   "at に世帯の子ども（続柄 child、在籍中、18歳未満）である人の一覧。生年月日のない子も数える。",
   "Persons with an active child membership, under 18 on at (no birth date counts).",
   "child: a person whose membership of the household has relation `child`, active at D, under 18 at D."},
  {"hh:mothers", "hh:mothers()", C_VOCAB, "今日世帯にいて、見えている妊娠の母である人の一覧。",
   "Members active today who are the mother of a visible pregnancy, each once.", NULL},
  {"hh:members_at", "hh:members_at(at)", LUA, "at に有効な世帯員の一覧。",
   "The memberships active on day at.", "active at D: `start_on` ≤ D and (`end_on` is NULL or `end_on` > D)."},
  {"hh:person", "hh:person(id)", C_VOCAB, "その人の記録。", "The person record of id, or nil.", NULL},
  {"hh:membership", "hh:membership(id, at)", C_VOCAB, "その人の有効な世帯員記録。",
   "The active membership of person id, or nil.", NULL},
  {"person:age", "person:age(at)", LUA, "その人の at での年齢（例 `child:age()`）。",
   "A person's age on day at (nil without a birth date).", NULL},
  {"hh:residence", "hh:residence(at)", C_VOCAB, "at の住所（居住記録）。",
   "The last residence active on at, or nil.", NULL},
  {"hh:ward", "hh:ward(at)", C_VOCAB, "世帯の区。市外に転出中なら、市内で最後に住んだ区。",
   "The household's ward (outside the city: the last ward in the city).",
   "ward of a household: from its residence active at D; if that residence is outside the city (ward NULL), the ward of its last residence in the city."},
  {"hh:moves", "hh:moves()", C_VOCAB,
   "区をまたぐ転居の一覧（`on` 転居日、`from`・`to` 前後の住所、市外なら `out`）。",
   "Each move to another ward or out of the city started by today: { on, from, to, out }.",
   "risk events: ... a move to another ward or out of the city (start_on of the new residence)."},
  {"hh:assignments_of", "hh:assignments_of(kind, at)", C_VOCAB, "機関 kind の有効な担当記録の一覧。",
   "The assignments of kind active on at.", NULL},
  {"hh:involved", "hh:involved(kind, at)", C_VOCAB,
   "機関 kind が「関与している」か（有効な担当があれば、最も早く始まった担当記録、なければ nil）。",
   "The earliest-started assignment of kind active on at, or nil.",
   "involved: an agency kind is involved with a household when it has an assignment active at D."},
  {"hh:involved_since", "hh:involved_since(kinds, at)", C_VOCAB,
   "その機関（複数可）の途切れない関与が始まった日。",
   "The first day of the unbroken involvement of any of kinds going on at, or nil.",
   "involved: ... it has been involved *since* the first day of the unbroken run of its assignments (hand-overs between staff or wards that follow on do not restart it)."},
  {"hh:last_ended", "hh:last_ended(kind)", C_VOCAB, "機関 kind の担当で最後に終わったもの。",
   "The assignment of kind that ended last (by today), or nil.", NULL},
  {"hh:registration", "hh:registration(at)", C_VOCAB, "有効な要対協登録（なければ nil）。",
   "The last council registration active on at, or nil.", NULL},
  {"hh:under_support", "hh:under_support(at)", C_VOCAB,
   "支援中か（家庭児童相談室か児童相談所が関与、または要対協登録中）。",
   "family_consultation or child_guidance involved, or a council registration active.",
   "child.not_seen: the household is under support (family_consultation or child_guidance involved, or a council registration active)"},
  {"hh:support_started", "hh:support_started(at)", LUA, "支援が始まった日。",
   "The earliest start among the active support assignments and registration.", NULL},
  {"hh:supported_since", "hh:supported_since(at)", C_VOCAB, "途切れない支援の始まりの日。",
   "The first day of the unbroken support going on at, or nil.", NULL},
  {"hh:primary_agency", "hh:primary_agency(at)", C_VOCAB,
   "主に担う機関（要対協の主たる機関、なければ家庭児童相談室、なければ児童相談所）。",
   "The council's primary agency, else family_consultation, else child_guidance (when involved).",
   "child.not_seen unit: the council's primary agency, else family_consultation, else child_guidance"},
  {"hh:latest_assessment", "hh:latest_assessment()", LUA, "最新のアセスメント。",
   "The latest assessment, or nil.", NULL},
  {"hh:latest_risk_at_least", "hh:latest_risk_at_least(level)", LUA,
   "最新のアセスメントのリスクが level 以上か（例 `\"high\"`）。",
   "Is the latest assessment's risk at least level?", NULL},
  {"hh:last_sighting", "hh:last_sighting(child_id)", C_VOCAB,
   "その子を最後に目視確認した記録とその日（2つの値）。目視確認は child_seen = 1 の接触か、健診の受診（保健センターが子どもを見た日）。",
   "The latest sighting of the child and its day (two values), or nil.",
   "seen: child C is seen on day X by a contact with `child_seen = 1` on X whose person_id is NULL or C, or by attending a checkup on X (`attended_on` = X: the health_center saw the child)."},
  {"hh:seen_since", "hh:seen_since(child_id, date, kind)", C_VOCAB,
   "date 以降にその子を目視確認した最初の記録とその日（kind で機関を限定可。健診の受診は保健センターの目視確認）。",
   "The first sighting of the child on or after date (by agency kind, when given) and its day.",
   "seen: ... or by attending a checkup on X (`attended_on` = X: the health_center saw the child)."},
  {"hh:contact_since", "hh:contact_since(date, kind, ward)", C_VOCAB,
   "date 以降の世帯への最初の接触（機関・区で限定可）。",
   "The first contact with the household on or after date (by kind and ward, when given).", NULL},
  {"hh:last_contact", "hh:last_contact(kind)", C_VOCAB, "機関 kind の最新の接触。",
   "The latest contact (by agency kind, when given).", NULL},
  {"hh:missed_checkups", "hh:missed_checkups(child, grace)", C_VOCAB,
   "その子の未受診の健診（予定日＋grace 日を過ぎ、受診なし、予定日以降どの機関も目視していない。後の健診の受診も目視確認）。grace を省くと `checkup_grace_days`。",
   "The child's missed checkups (grace: default the profile's checkup_grace_days).",
   "missed checkup: a checkup with `scheduled_on` + `checkup_grace_days` ≤ D, not attended by D, and C not seen by any agency on or after `scheduled_on`."},
  {"hh:risk_events", "hh:risk_events(from)", C_VOCAB,
   "from 以降のリスク事象（健診未受診・生活保護終了・妊娠が継続しなかった・関係機関からの情報・転居）の一覧。各事象に `on`（日）、`known_on`（数え始める日。健診未受診は予定日＋`checkup_grace_days`）、`label`、`weight`（`risk_weights` の点数）、`record`。点数と猶予は `rules/kizuki.yaml` から。",
   "The household's risk events on or after from, in date order: { kind, on, known_on, record, weight, label }; weights and grace from the profile.",
   "risk events of a household: a missed checkup of its child (dated scheduled_on), a welfare period ending (end_on), a pregnancy of a member ending without a birth (end_on), a report about it (received_on), a move to another ward or out of the city (start_on of the new residence)."},
  /* }====== */
  {NULL, NULL, NULL, NULL, NULL, NULL}
};

const char *const *kz_vocab_names(void) {
  static const char *const names[] = {
    "today", "version", "days", "add_days", "age", "later", "earlier", "is_date",
    "business_days", "calendar_days", "finding", "is_finding", "log", "filter", "first", "last",
    "active", "sees", "covered_since", "agency_name", "ward_name", "checkup_name", "risk_name", "risk_rank",
    "subjects", "Household", "Record", NULL
  };
  return names;
}

const char *const *kz_vocab_result_fields(void) {
  static const char *const fields[] = {
    "on", "from", "to", "out",                                  /* hh:moves() */
    "kind", "known_on", "record", "weight", "label",            /* hh:risk_events() */
    "_table", NULL                                              /* a record's table (view.c) */
  };
  return fields;
}

/* Append s with the characters Markdown tables give meaning to ('|') escaped. */
static void add_cell(struct kz_strbuf *b, const char *s) {
  for (; *s; s++) {
    if (*s == '|') kz_strbuf_adds(b, "\\|");
    else kz_strbuf_add(b, s, 1);
  }
}

int kz_vocab_markdown(struct kz_strbuf *b) {
  static const struct { const char *title, *prefix; } sections[] = {
    {"### kz の言葉（日付・所見・一覧・名前）", "kz."},
    {"### 世帯（`hh`）と記録", NULL},
  };
  kz_strbuf_adds(b, "<!-- Generated by `kizuki rules --vocabulary --format markdown` from "
                    "engine/vocab_words.c; do not edit by hand. -->\n");
  for (size_t s = 0; s < sizeof sections / sizeof *sections; s++) {
    kz_strbuf_addf(b, "\n%s\n\n| 語 | 意味 | 定義 | 方針（RULES.md） |\n|---|---|---|---|\n",
                   sections[s].title);
    for (const struct kz_vocab_word *w = kz_vocab_words; w->name; w++) {
      int in_kz = strncmp(w->name, "kz.", 3) == 0;
      if (sections[s].prefix ? !in_kz : in_kz) continue;
      kz_strbuf_adds(b, "| `");
      add_cell(b, w->signature);
      kz_strbuf_adds(b, "` | ");
      add_cell(b, w->ja);
      kz_strbuf_adds(b, " | ");
      add_cell(b, w->where);
      kz_strbuf_adds(b, " | ");
      add_cell(b, w->rules ? w->rules : "—");
      kz_strbuf_adds(b, " |\n");
    }
  }
  return b->oom ? -1 : 0;
}
