-- tests/e2e/lib/tasks_v1.sql — schema/tasks.sql as it was at version 1
-- (before the backlog), for tests/e2e/backlog.sh: a task DB left by an
-- earlier kizuki, which `kizuki run` must migrate in place. Do not edit.
PRAGMA user_version = 1;

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
  errors        INTEGER NOT NULL DEFAULT 0
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
  due_on        TEXT NOT NULL,
  last_seen_on  TEXT NOT NULL,
  cleared_on    TEXT,
  done_on       TEXT,
  done_note     TEXT,
  reason        TEXT NOT NULL,        -- Japanese, for staff
  evidence      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(evidence)),
  rule_version  TEXT NOT NULL,        -- digest of the rule file that made it
  rule_file     TEXT,
  rule_line     INTEGER,
  UNIQUE (rule, subject, key)
) STRICT;
CREATE INDEX IF NOT EXISTS tasks_open ON tasks(status, last_seen_on);
CREATE INDEX IF NOT EXISTS tasks_unit ON tasks(unit, status);

CREATE TABLE IF NOT EXISTS task_events (
  id        INTEGER PRIMARY KEY,
  task_id   INTEGER NOT NULL REFERENCES tasks(id),
  run_id    INTEGER REFERENCES runs(id),
  on_date   TEXT NOT NULL,
  event     TEXT NOT NULL CHECK (event IN ('opened','reopened','escalated','cleared','done')),
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
