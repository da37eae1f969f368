-- kz.lua — the kizuki Lua library: the shared vocabulary of RULES.md.
--
-- Every rule speaks through these helpers, so "active at D", "seen",
-- "involved", "missed checkup" and "risk event" mean one thing everywhere.
-- Records are read-only views of the household bundle (engine/view.c);
-- dates are ISO strings, which order correctly as strings. kz.today is the
-- run's as-of date: the only clock a rule has.
local kz = ...
local H = kz.Household          -- methods of the household view (hh:...); a method
                                -- may not share a table's name (hh.council is the list)
local R = kz.Record             -- methods of records, by table

-- {====== Generic helpers ======

-- Is a record with start_on/end_on active on day `at` (default today)?
-- kz.active(rec, at) is in engine/vocab.c (C, for speed).

-- The elements of list for which pred(x) is true, as a Lua table.
function kz.filter(list, pred)
  local out = {}
  for _, x in ipairs(list) do
    if pred(x) then out[#out + 1] = x end
  end
  return out
end

-- The first / last element of list (in its order) for which pred(x) holds.
function kz.first(list, pred)
  for _, x in ipairs(list) do
    if pred == nil or pred(x) then return x end
  end
end

function kz.last(list, pred)
  for i = #list, 1, -1 do
    local x = list[i]
    if pred == nil or pred(x) then return x end
  end
end

-- The first day of the unbroken stretch of periods (records with start_on /
-- end_on, in start_on order) that covers day at (default today), or nil when
-- none is active then. Periods that overlap or follow on (one starts the day
-- another ends) join: a change of staff or of ward does not restart the clock.
function kz.covered_since(periods, at)
  at = at or kz.today
  local s, e                      -- the stretch so far; e nil: still open
  for _, r in ipairs(periods) do
    local rs = r.start_on
    if rs ~= nil and rs <= at then
      if s == nil or (e ~= nil and rs > e) then
        s, e = rs, r.end_on
      elseif e ~= nil then
        e = r.end_on and kz.later(e, r.end_on) or nil
      end
    end
  end
  if s ~= nil and (e == nil or e > at) then return s end
end

kz.risk_rank = { low = 1, medium = 2, high = 3, severe = 4 }
kz.risk_name = { low = "低", medium = "中", high = "高", severe = "重度" }

-- Agency kinds as staff read them, for reasons.
kz.agency_name = {
  health_center = "区保健センター", family_consultation = "家庭児童相談室",
  welfare = "生活支援担当", child_guidance = "児童相談所",
}

kz.checkup_name = { ["4m"] = "4か月健診", ["10m"] = "10か月健診",
                    ["18m"] = "1歳6か月健診", ["36m"] = "3歳児健診" }

-- }======

-- {====== People and membership ======

function R.persons:age(at)
  if self.birth_on == nil then return nil end
  return kz.age(self.birth_on, at or kz.today)
end

-- hh:person(id) is in engine/vocab.c (C, for speed).

-- Memberships active on day at.
function H:members_at(at)
  return kz.filter(self.members, function(m) return kz.active(m, at) end)
end

-- The active membership of person id, or nil.
-- hh:membership(id, at) is in engine/vocab.c (C, for speed).

-- Children on day at: relation child, active membership, under 18 (a child
-- with no birth date counts as a child).
-- hh:children(at) is in engine/vocab.c (C, for speed).

-- Mothers: members active today who are the mother of a visible pregnancy.
-- hh:mothers() is in engine/vocab.c (C, for speed).

-- }======

-- {====== Where the household lives ======

-- hh:residence(at) is in engine/vocab.c (C, for speed).

-- The ward of the household on day at: from its active residence; when that
-- is outside the city (ward nil), the ward of its last residence in the city.
-- hh:ward(at) is in engine/vocab.c (C, for speed).

-- Moves: each residence whose ward differs from the one before it, as
-- { on = start_on, from = previous residence, to = residence, out = true when
-- the new residence is outside the city }. Only moves started by today.
-- hh:moves() is in engine/vocab.c (C, for speed).

-- }======

-- {====== Agencies ======

-- The assignments of agency kind active on day at.
-- hh:assignments_of(kind, at) is in engine/vocab.c (C, for speed).

-- The earliest-started active assignment of kind on day at, or nil: the kind
-- is "involved" with the household.
-- hh:involved(kind, at) is in engine/vocab.c (C, for speed).

-- The first day of the unbroken involvement (RULES.md "involved") of any of
-- kinds (a kind or a list of kinds) that is still going on day at, or nil
-- when none is involved then. Hand-overs between staff or wards that follow
-- on do not restart it.
-- hh:involved_since(kinds, at) is in engine/vocab.c (C, for speed).

-- The assignment of kind that ended last (end_on by today), or nil: when
-- that agency last stepped away or lost a staff member.
-- hh:last_ended(kind) is in engine/vocab.c (C, for speed).

-- The active council (要対協) registration on day at, or nil.
-- hh:registration(at) is in engine/vocab.c (C, for speed).

-- Under support: family_consultation or child_guidance involved, or a council
-- registration active.
-- hh:under_support(at) is in engine/vocab.c (C, for speed).

-- The day support began: the earliest start among the active assignments of
-- family_consultation / child_guidance and the active registration.
function H:support_started(at)
  local s
  for _, kind in ipairs({ "family_consultation", "child_guidance" }) do
    local a = self:involved(kind, at)
    if a then s = kz.earlier(s, a.start_on) end
  end
  local c = self:registration(at)
  if c then s = kz.earlier(s, c.start_on) end
  return s
end

-- The first day of the unbroken support (family_consultation or
-- child_guidance involved, or a council registration active) that is still
-- going on day at, or nil when the household is not under support then.
-- hh:supported_since(at) is in engine/vocab.c (C, for speed).

-- Who leads the case: the council's primary agency, else family_consultation,
-- else child_guidance (when involved).
-- hh:primary_agency(at) is in engine/vocab.c (C, for speed).

-- The latest assessment (by assessed_on), or nil.
function H:latest_assessment()
  return kz.last(self.assessments)
end

function H:latest_risk_at_least(level)
  local a = self:latest_assessment()
  return a ~= nil and kz.risk_rank[a.risk] >= kz.risk_rank[level]
end

-- }======

-- {====== Contacts and sightings ======

-- Does contact c see child id? (child_seen = 1 and person_id nil or id)
-- kz.sees(c, id) is in engine/vocab.c (C, for speed).

-- A sighting (RULES.md "seen"): child C is seen on day X by a contact with
-- child_seen = 1 on X whose person_id is nil or C, or by attending a checkup
-- on X (attended_on = X: the health_center saw the child).

-- The latest sighting of child id, as two values: its record (a contact or
-- a checkup) and its day; nil when the child was never seen.
-- hh:last_sighting(id) is in engine/vocab.c (C, for speed).

-- The first sighting of child id on or after day `from` (record, day),
-- optionally by agency kind only (a checkup is the health_center's).
-- hh:seen_since(id, from, kind) is in engine/vocab.c (C, for speed).

-- The first contact with the household on or after day `from`, optionally by
-- agency kind and ward only.
-- hh:contact_since(from, kind, ward) is in engine/vocab.c (C, for speed).

-- The latest contact by agency kind, or nil.
-- hh:last_contact(kind) is in engine/vocab.c (C, for speed).

-- }======

-- {====== Checkups ======

-- The missed checkups of child (RULES.md): scheduled_on + grace <= today, not
-- attended, and the child not seen by any agency on or after scheduled_on
-- (attending a later checkup counts: the health_center saw the child).
-- hh:missed_checkups(child, grace) is in engine/vocab.c (C, for speed).

-- }======

-- {====== Risk events ======

-- The household's risk events on or after day `from` (RULES.md): missed
-- checkups of its children, welfare periods ending, pregnancies of members
-- ending without a birth, reports, moves. Each is { kind, on, record, weight,
-- label }, weights from params.risk_weights, ordered by date.
-- hh:risk_events(p, from) is in engine/vocab.c (C, for speed).

-- }======

-- {====== Subjects ======

-- What a rule's `subject` iterates over in each household.
kz.subjects = {
  household = function(hh) return { hh } end,
  child = function(hh) return hh:children() end,
  mother = function(hh) return hh:mothers() end,
}

-- }======

