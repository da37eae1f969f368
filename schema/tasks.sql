-- kizuki: the task store (the contract of DESIGN.md "Task store contract").
--
-- Other tools read `tasks` directly (sqlite3, exports, audits). A task is
-- one episode of one rule for one subject: (rule, subject, key). Its history
-- is in task_events; every run is in runs, every rule error in run_errors,
-- every case-DB row that broke the contract or looked wrong in run_issues.
--
-- Version 2 added the backlog: a task opened from a trigger older than
-- open_within_days has backlog = 1 and no due date (due_on NULL); it is never
-- escalated, and is promoted (backlog 0, a due date) when its trigger turns
-- fresh. task_store.c migrates a version-1 DB in place when it opens one;
-- this file and that migration must describe the same tables.
PRAGMA user_version = 2;

CREATE TABLE IF NOT EXISTS runs (
  id            INTEGER PRIMARY KEY,
  as_of         TEXT NOT NULL,
  started_at    TEXT NOT NULL,        -- wall clock, UTC
  finished_at   TEXT,
  rules_digest  TEXT NOT NULL,        -- sha-like digest of the rule files and profile
  rules_count   INTEGER NOT NULL,
  households    INTEGER NOT NULL DEFAULT 0,
  opened        INTEGER NOT NULL DEFAULT 0,
  kept          INTEGER NOT NULL DEFAULT 0,
  cleared       INTEGER NOT NULL DEFAULT 0,
  escalated     INTEGER NOT NULL DEFAULT 0,
  reopened      INTEGER NOT NULL DEFAULT 0,
  errors        INTEGER NOT NULL DEFAULT 0,
  backlog       INTEGER NOT NULL DEFAULT 0,   -- opened or reopened into the backlog
  promoted      INTEGER NOT NULL DEFAULT 0    -- backlog tasks promoted (also in opened)
) STRICT;

CREATE TABLE IF NOT EXISTS tasks (
  id            INTEGER PRIMARY KEY,
  rule          TEXT NOT NULL,
  subject       TEXT NOT NULL,        -- household or person id
  key           TEXT NOT NULL,        -- tells episodes apart
  household_id  TEXT NOT NULL,        -- the household whose bundle found it
  agency        TEXT NOT NULL,        -- agency kind the task was routed to
  ward          TEXT,                 -- ward used for routing (NULL: city level)
  unit          TEXT NOT NULL,        -- current unit (climbs the ladder)
  severity      TEXT NOT NULL CHECK (severity IN ('low','medium','high','critical')),
  level         INTEGER NOT NULL DEFAULT 0,
  status        TEXT NOT NULL CHECK (status IN ('open','cleared','done')),
  since         TEXT,                 -- the day the trigger happened
  opened_on     TEXT NOT NULL,
  due_on        TEXT,                 -- NULL exactly when backlog = 1
  last_seen_on  TEXT NOT NULL,
  cleared_on    TEXT,
  done_on       TEXT,
  done_note     TEXT,
  reason        TEXT NOT NULL,        -- Japanese, for staff
  evidence      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(evidence)),
  rule_version  TEXT NOT NULL,        -- digest of the rule file that made it
  rule_file     TEXT,
  rule_line     INTEGER,
  backlog       INTEGER NOT NULL DEFAULT 0 CHECK (backlog IN (0, 1)),  -- 1: a stale trigger, for review
  UNIQUE (rule, subject, key),
  CHECK ((backlog = 1) = (due_on IS NULL))
) STRICT;
CREATE INDEX IF NOT EXISTS tasks_open ON tasks(status, last_seen_on);
CREATE INDEX IF NOT EXISTS tasks_unit ON tasks(unit, status);

CREATE TABLE IF NOT EXISTS task_events (
  id        INTEGER PRIMARY KEY,
  task_id   INTEGER NOT NULL REFERENCES tasks(id),
  run_id    INTEGER REFERENCES runs(id),
  on_date   TEXT NOT NULL,
  event     TEXT NOT NULL CHECK (event IN ('opened','reopened','promoted','escalated','cleared','done')),
  unit      TEXT NOT NULL,
  level     INTEGER NOT NULL,
  due_on    TEXT,
  note      TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS task_events_by_task ON task_events(task_id);
CREATE INDEX IF NOT EXISTS task_events_by_run ON task_events(run_id);

CREATE TABLE IF NOT EXISTS run_errors (
  id        INTEGER PRIMARY KEY,
  run_id    INTEGER NOT NULL REFERENCES runs(id),
  rule      TEXT NOT NULL,
  file      TEXT,
  line      INTEGER,
  subject   TEXT,
  message   TEXT NOT NULL
) STRICT;

-- Bad data (README "Bad data"): each offending case-DB row of a run. kind
-- 'invalid': the row breaks the contract and its household was quarantined
-- (not evaluated; its open tasks kept as they were); 'quality': reported
-- only. Values are escaped (\xNN) and truncated.
CREATE TABLE IF NOT EXISTS run_issues (
  id            INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL REFERENCES runs(id),
  household_id  TEXT,                 -- the household it belongs to (NULL: none named)
  kind          TEXT NOT NULL CHECK (kind IN ('invalid','quality')),
  table_name    TEXT NOT NULL,
  row_id        TEXT,                 -- the row's id (members: its person_id)
  column_name   TEXT,
  value         TEXT,
  why           TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS run_issues_by_run ON run_issues(run_id);
