-- kizuki: the PF case-record schema (the contract of DESIGN.md).
--
-- Dates are ISO YYYY-MM-DD text. Every table has recorded_on: the day the PF
-- learned the fact (NULL: visible from the beginning). Columns may be added;
-- the ones here are never renamed. Indexes serve the loader's one ordered
-- pass: every table is read once, in household order.
PRAGMA user_version = 1;

CREATE TABLE persons (
  id          TEXT PRIMARY KEY NOT NULL,
  birth_on    TEXT CHECK (birth_on IS date(birth_on, '+0 days')),
  sex         TEXT CHECK (sex IN ('F','M','X')),
  recorded_on TEXT CHECK (recorded_on IS date(recorded_on, '+0 days'))
) STRICT;

CREATE TABLE households (
  id          TEXT PRIMARY KEY NOT NULL,
  recorded_on TEXT CHECK (recorded_on IS date(recorded_on, '+0 days'))
) STRICT;

CREATE TABLE members (
  household_id TEXT NOT NULL REFERENCES households(id),
  person_id    TEXT NOT NULL REFERENCES persons(id),
  relation     TEXT NOT NULL CHECK (relation IN ('child','mother','father','partner','guardian','other')),
  start_on     TEXT CHECK (start_on IS date(start_on, '+0 days')),
  end_on       TEXT CHECK (end_on IS date(end_on, '+0 days')),
  recorded_on  TEXT CHECK (recorded_on IS date(recorded_on, '+0 days'))
) STRICT;
CREATE INDEX members_by_household ON members(household_id);
CREATE INDEX members_by_person ON members(person_id);

CREATE TABLE residences (
  id           TEXT PRIMARY KEY NOT NULL,
  household_id TEXT NOT NULL REFERENCES households(id),
  municipality TEXT NOT NULL,
  ward         TEXT,
  start_on     TEXT NOT NULL CHECK (start_on IS date(start_on, '+0 days')),
  end_on       TEXT CHECK (end_on IS date(end_on, '+0 days')),
  recorded_on  TEXT CHECK (recorded_on IS date(recorded_on, '+0 days'))
) STRICT;
CREATE INDEX residences_by_household ON residences(household_id);

CREATE TABLE pregnancies (
  id          TEXT PRIMARY KEY NOT NULL,
  mother_id   TEXT NOT NULL REFERENCES persons(id),
  notified_on TEXT CHECK (notified_on IS date(notified_on, '+0 days')),
  due_on      TEXT CHECK (due_on IS date(due_on, '+0 days')),
  end_on      TEXT CHECK (end_on IS date(end_on, '+0 days')),
  outcome     TEXT CHECK (outcome IN ('birth','miscarriage','abortion','stillbirth')),
  child_id    TEXT REFERENCES persons(id),
  specific    INTEGER NOT NULL DEFAULT 0 CHECK (specific IN (0,1)),
  recorded_on TEXT CHECK (recorded_on IS date(recorded_on, '+0 days'))
) STRICT;
CREATE INDEX pregnancies_by_mother ON pregnancies(mother_id);

CREATE TABLE checkups (
  id           TEXT PRIMARY KEY NOT NULL,
  child_id     TEXT NOT NULL REFERENCES persons(id),
  kind         TEXT NOT NULL CHECK (kind IN ('4m','10m','18m','36m')),
  scheduled_on TEXT NOT NULL CHECK (scheduled_on IS date(scheduled_on, '+0 days')),
  attended_on  TEXT CHECK (attended_on IS date(attended_on, '+0 days')),
  recorded_on  TEXT CHECK (recorded_on IS date(recorded_on, '+0 days'))
) STRICT;
CREATE INDEX checkups_by_child ON checkups(child_id);

CREATE TABLE welfare (
  id           TEXT PRIMARY KEY NOT NULL,
  household_id TEXT NOT NULL REFERENCES households(id),
  start_on     TEXT NOT NULL CHECK (start_on IS date(start_on, '+0 days')),
  end_on       TEXT CHECK (end_on IS date(end_on, '+0 days')),
  end_reason   TEXT,
  recorded_on  TEXT CHECK (recorded_on IS date(recorded_on, '+0 days'))
) STRICT;
CREATE INDEX welfare_by_household ON welfare(household_id);

CREATE TABLE assignments (
  id           TEXT PRIMARY KEY NOT NULL,
  household_id TEXT NOT NULL REFERENCES households(id),
  person_id    TEXT REFERENCES persons(id),
  agency       TEXT NOT NULL CHECK (agency IN ('health_center','family_consultation','welfare','child_guidance')),
  ward         TEXT,
  staff_id     TEXT,
  role         TEXT CHECK (role IN ('primary','support')),
  start_on     TEXT NOT NULL CHECK (start_on IS date(start_on, '+0 days')),
  end_on       TEXT CHECK (end_on IS date(end_on, '+0 days')),
  recorded_on  TEXT CHECK (recorded_on IS date(recorded_on, '+0 days'))
) STRICT;
CREATE INDEX assignments_by_household ON assignments(household_id);

CREATE TABLE council (
  id             TEXT PRIMARY KEY NOT NULL,
  household_id   TEXT NOT NULL REFERENCES households(id),
  primary_agency TEXT CHECK (primary_agency IN ('health_center','family_consultation','welfare','child_guidance')),
  start_on       TEXT NOT NULL CHECK (start_on IS date(start_on, '+0 days')),
  end_on         TEXT CHECK (end_on IS date(end_on, '+0 days')),
  recorded_on    TEXT CHECK (recorded_on IS date(recorded_on, '+0 days'))
) STRICT;
CREATE INDEX council_by_household ON council(household_id);

CREATE TABLE contacts (
  id           TEXT PRIMARY KEY NOT NULL,
  household_id TEXT NOT NULL REFERENCES households(id),
  person_id    TEXT REFERENCES persons(id),
  agency       TEXT NOT NULL CHECK (agency IN ('health_center','family_consultation','welfare','child_guidance')),
  ward         TEXT,
  staff_id     TEXT,
  kind         TEXT CHECK (kind IN ('visit','phone','office','meeting','letter')),
  occurred_on  TEXT NOT NULL CHECK (occurred_on IS date(occurred_on, '+0 days')),
  child_seen   INTEGER NOT NULL DEFAULT 0 CHECK (child_seen IN (0,1)),
  recorded_on  TEXT CHECK (recorded_on IS date(recorded_on, '+0 days'))
) STRICT;
CREATE INDEX contacts_by_household ON contacts(household_id);

CREATE TABLE assessments (
  id           TEXT PRIMARY KEY NOT NULL,
  household_id TEXT NOT NULL REFERENCES households(id),
  agency       TEXT CHECK (agency IN ('health_center','family_consultation','welfare','child_guidance')),
  assessed_on  TEXT NOT NULL CHECK (assessed_on IS date(assessed_on, '+0 days')),
  risk         TEXT NOT NULL CHECK (risk IN ('low','medium','high','severe')),
  recorded_on  TEXT CHECK (recorded_on IS date(recorded_on, '+0 days'))
) STRICT;
CREATE INDEX assessments_by_household ON assessments(household_id);

CREATE TABLE reviews (
  id           TEXT PRIMARY KEY NOT NULL,
  household_id TEXT NOT NULL REFERENCES households(id),
  forum        TEXT CHECK (forum IN ('progress','case_conference')),
  reviewed_on  TEXT NOT NULL CHECK (reviewed_on IS date(reviewed_on, '+0 days')),
  recorded_on  TEXT CHECK (recorded_on IS date(recorded_on, '+0 days'))
) STRICT;
CREATE INDEX reviews_by_household ON reviews(household_id);

CREATE TABLE reports (
  id           TEXT PRIMARY KEY NOT NULL,
  household_id TEXT NOT NULL REFERENCES households(id),
  person_id    TEXT REFERENCES persons(id),
  source       TEXT CHECK (source IN ('nursery','unlicensed_nursery','school','hospital','police','neighbor','other')),
  kind         TEXT NOT NULL CHECK (kind IN ('concern','absence','notification','accompany_request')),
  received_on  TEXT NOT NULL CHECK (received_on IS date(received_on, '+0 days')),
  agency       TEXT CHECK (agency IN ('health_center','family_consultation','welfare','child_guidance')),
  recorded_on  TEXT CHECK (recorded_on IS date(recorded_on, '+0 days'))
) STRICT;
CREATE INDEX reports_by_household ON reports(household_id);

CREATE TABLE transfers (
  id            TEXT PRIMARY KEY NOT NULL,
  household_id  TEXT NOT NULL REFERENCES households(id),
  agency        TEXT CHECK (agency IN ('health_center','family_consultation','welfare','child_guidance')),
  from_ward     TEXT,
  to_ward       TEXT,
  documented_on TEXT NOT NULL CHECK (documented_on IS date(documented_on, '+0 days')),
  follow_up_on  TEXT CHECK (follow_up_on IS date(follow_up_on, '+0 days')),
  recorded_on   TEXT CHECK (recorded_on IS date(recorded_on, '+0 days'))
) STRICT;
CREATE INDEX transfers_by_household ON transfers(household_id);
