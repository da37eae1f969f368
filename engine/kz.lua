-- kz.lua — the Lua words of the rules' vocabulary (RULES.md "Words used
-- below"): list helpers, the names of risks and checkups, and the few
-- household questions that are not asked for every household of a night.
--
-- Each word is defined once: the words every household is asked (children,
-- sightings, involvement, missed checkups, risk events; kz.active, kz.sees,
-- kz.covered_since) are C, in engine/vocab.c; dates, due and findings are C
-- in engine/kzlib.c; the rest is here. engine/vocab_words.c lists them all
-- with what each means, and docs/authoring.md is generated from that list.
-- Records are read-only views of the household bundle (engine/view.c);
-- dates are ISO strings, which order correctly as strings. kz.today is the
-- run's as-of date: the only clock a rule has. kz.agency_name comes from the
-- profile (agencies: in rules/kizuki.yaml), set by kz_vocab_bind.
local kz = ...
local H = kz.Household          -- methods of the household view (hh:...); a method
                                -- may not share a table's name (hh.council is the list)
local R = kz.Record             -- methods of records, by table

-- {====== Lists ======

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

-- }======

-- {====== Names staff read ======

-- The assessment risk levels (assessments.risk), in order, and as staff read them.
kz.risk_rank = { low = 1, medium = 2, high = 3, severe = 4 }
kz.risk_name = { low = "低", medium = "中", high = "高", severe = "重度" }

-- The checkups (checkups.kind) as staff read them (hh:risk_events' labels too).
kz.checkup_name = { ["4m"] = "4か月健診", ["10m"] = "10か月健診",
                    ["18m"] = "1歳6か月健診", ["36m"] = "3歳児健診" }

-- }======

-- {====== People ======

-- A person's whole years of age on day at (default today); nil without a birth date.
function R.persons:age(at)
  if self.birth_on == nil then return nil end
  return kz.age(self.birth_on, at or kz.today)
end

-- RULES.md "active at D": the memberships active on day at.
function H:members_at(at)
  return kz.filter(self.members, function(m) return kz.active(m, at) end)
end

-- }======

-- {====== Support and assessments ======

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

-- The latest assessment (by assessed_on), or nil.
function H:latest_assessment()
  return kz.last(self.assessments)
end

-- Is the latest assessment's risk at least level ("high": high or severe)?
function H:latest_risk_at_least(level)
  local a = self:latest_assessment()
  return a ~= nil and kz.risk_rank[a.risk] >= kz.risk_rank[level]
end

-- }======

-- {====== Subjects ======

-- What a rule's `subject` iterates over in each household.
kz.subjects = {
  household = function(hh) return { hh } end,
  child = function(hh) return hh:children() end,
  mother = function(hh) return hh:mothers() end,
}

-- }======
