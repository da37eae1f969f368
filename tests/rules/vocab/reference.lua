-- Test rule: vocab.reference. The C vocabulary (engine/vocab.c) answers from
-- an index of the household; here every answer is worked out again the slow,
-- obvious way from the raw record lists, as RULES.md words it, and any
-- difference is a rule error naming the question. tests/e2e/vocab.sh runs it
-- over a generated city and a long household: a clean run (exit 0) is the
-- proof. The rule never finds anything.

local function fail(what, ...)
  error(("vocab.reference: %s: "):format(what) .. table.concat({ ... }, " "), 0)
end

local function show(x) return x == nil and "nil" or tostring(x) end

-- The same value (a record view is one userdata per row); a missing value is nil.
local function same(a, b) return rawequal(a, b) end

-- Is child id seen by contact c? A checkup it attended?
local function contact_sees(c, id)
  return c.child_seen == 1 and (c.person_id == nil or c.person_id == id)
end

-- The latest day on which child id was seen; and the earliest on/after from
-- (by agency kind: a checkup is the health_center's).
local function last_day(hh, id)
  local best
  for _, c in ipairs(hh.contacts) do
    if contact_sees(c, id) and (best == nil or c.occurred_on > best) then best = c.occurred_on end
  end
  for _, k in ipairs(hh.checkups) do
    if k.child_id == id and k.attended_on and (best == nil or k.attended_on > best) then best = k.attended_on end
  end
  return best
end

local function first_day(hh, id, from, kind)
  local best
  for _, c in ipairs(hh.contacts) do
    if contact_sees(c, id) and c.occurred_on >= from and (kind == nil or c.agency == kind)
       and (best == nil or c.occurred_on < best) then best = c.occurred_on end
  end
  if kind == nil or kind == "health_center" then
    for _, k in ipairs(hh.checkups) do
      if k.child_id == id and k.attended_on and k.attended_on >= from
         and (best == nil or k.attended_on < best) then best = k.attended_on end
    end
  end
  return best
end

-- {====== The reference words: RULES.md as written, from the raw lists ======

-- RULES.md "active at D": start_on <= D and (end_on is NULL or end_on > D).
local function active(r, at)
  return r.start_on ~= nil and r.start_on <= at and (r.end_on == nil or r.end_on > at)
end

local function where(list, pred)
  local out = {}
  for _, x in ipairs(list) do if pred(x) then out[#out + 1] = x end end
  return out
end

local function person(hh, id)
  for _, x in ipairs(hh.persons) do if x.id == id then return x end end
end

local function membership(hh, id, at)
  for _, m in ipairs(hh.members) do if m.person_id == id and active(m, at) then return m end end
end

-- RULES.md "child": relation child, active at D, under 18 at D (no birth date: a child).
local function children(hh, at)
  local out = {}
  for _, m in ipairs(hh.members) do
    if m.relation == "child" and active(m, at) then
      local x = person(hh, m.person_id)
      local b = x and x.birth_on
      if x and not (b and (b > at or not kz.is_date(b) or kz.age(b, at) >= 18)) then out[#out + 1] = x end
    end
  end
  return out
end

local function residence(hh, at)
  local r
  for _, x in ipairs(hh.residences) do if active(x, at) then r = x end end
  return r
end

-- RULES.md "ward of a household".
local function ward(hh, at)
  local r = residence(hh, at)
  if r and r.ward then return r.ward end
  for i = #hh.residences, 1, -1 do
    local x = hh.residences[i]
    if x.start_on and x.start_on <= at and x.ward then return x.ward end
  end
end

-- Moves started by today: a residence whose ward differs from the one before it.
local function moves(hh)
  local out, prev = {}, nil
  for _, r in ipairs(hh.residences) do
    if r.start_on and r.start_on <= kz.today then
      if prev and prev.ward ~= nil and prev.ward ~= r.ward then
        out[#out + 1] = { on = r.start_on, from = prev, to = r, out = r.ward == nil }
      end
      prev = r
    end
  end
  return out
end

-- The first day of the unbroken stretch of periods (in start_on order) that
-- covers at: periods that overlap or follow on join.
local function covered_since(periods, at)
  local s, e
  for _, r in ipairs(periods) do
    local rs = r.start_on
    if rs ~= nil and rs <= at then
      if s == nil or (e ~= nil and rs > e) then
        s, e = rs, r.end_on
      elseif e ~= nil then
        e = r.end_on and (r.end_on > e and r.end_on or e) or nil
      end
    end
  end
  if s ~= nil and (e == nil or e > at) then return s end
end

local function of_kinds(hh, kinds)
  local set = {}
  for _, k in ipairs(type(kinds) == "table" and kinds or { kinds }) do set[k] = true end
  return where(hh.assignments, function(a) return a.agency ~= nil and set[a.agency] end)
end

local function involved(hh, kind, at)
  for _, a in ipairs(hh.assignments) do if a.agency == kind and active(a, at) then return a end end
end

local function registration(hh, at)
  local r
  for _, c in ipairs(hh.council) do if active(c, at) then r = c end end
  return r
end

local function supported_since(hh, at)
  local spans = of_kinds(hh, { "family_consultation", "child_guidance" })
  for _, c in ipairs(hh.council) do spans[#spans + 1] = c end
  if #spans == 0 then return nil end
  table.sort(spans, function(x, y) return (x.start_on or "") < (y.start_on or "") end)
  return covered_since(spans, at)
end

local function last_ended(hh, kind)
  local last
  for _, a in ipairs(hh.assignments) do
    if a.agency == kind and a.end_on and (last == nil or a.end_on >= last.end_on) then last = a end
  end
  return last
end

local function primary_agency(hh, at)
  local r = registration(hh, at)
  local p = r and r.primary_agency
  if not p and involved(hh, "family_consultation", at) then p = "family_consultation" end
  if not p and involved(hh, "child_guidance", at) then p = "child_guidance" end
  return p
end

local function sees(c, id)
  return c.child_seen == 1 and (c.person_id == nil or c.person_id == id)
end

-- }======

local kinds = { false, "health_center", "family_consultation", "child_guidance", "welfare" }

rule {
  id = "vocab.reference", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  params = { "checkup_grace_days", "risk_weights" },
  check = function(hh, p)
    local function same_list(what, got, want, ...)
      if #got ~= #want then fail(what, "count", #got, #want, ...) end
      for i = 1, #got do if not same(got[i], want[i]) then fail(what, "item", i, ...) end end
    end
    local days = { "0000-01-01", kz.today }
    for _, c in ipairs(hh.contacts) do days[#days + 1] = c.occurred_on end
    for _, r in ipairs(hh.residences) do days[#days + 1] = r.start_on end
    for _, a in ipairs(hh.assignments) do days[#days + 1] = a.start_on; days[#days + 1] = a.end_on end
    for _, c in ipairs(hh.council) do days[#days + 1] = c.start_on end
    for _, k in ipairs(hh.checkups) do days[#days + 1] = k.scheduled_on end
    for _, r in ipairs(hh.reports) do days[#days + 1] = r.received_on end
    if #days > 10 then                 -- a sample, spread over the history: the checks are slow
      table.sort(days)
      local few = {}
      for i = 1, 10 do few[i] = days[1 + (i - 1) * (#days - 1) // 9] end
      days = few
    end

    -- people: hh:person, hh:membership, hh:mothers
    for _, m in ipairs(hh.members) do
      local want = kz.first(hh.persons, function(x) return x.id == m.person_id end)
      if not same(hh:person(m.person_id), want) then fail("person", m.person_id) end
      if not same(hh:membership(m.person_id), membership(hh, m.person_id, kz.today)) then
        fail("membership", m.person_id)
      end
    end
    local mothers, seen = {}, {}
    for _, g in ipairs(hh.pregnancies) do
      if g.mother_id and not seen[g.mother_id] then
        seen[g.mother_id] = true
        if hh:membership(g.mother_id) then mothers[#mothers + 1] = hh:person(g.mother_id) end
      end
    end
    local got = hh:mothers()
    if #got ~= #mothers then fail("mothers", #got, #mothers) end
    for i = 1, #got do if not same(got[i], mothers[i]) then fail("mothers", i) end end

    -- contacts: hh:contact_since, hh:last_contact
    for _, kind in ipairs(kinds) do
      kind = kind or nil
      local last = kz.last(hh.contacts, function(c) return kind == nil or c.agency == kind end)
      if not same(hh:last_contact(kind), last) then fail("last_contact", show(kind)) end
      for _, from in ipairs(days) do
        for _, ward in ipairs({ false, hh.contacts[1] and hh.contacts[1].ward or "chuo", "kita" }) do
          ward = ward or nil
          local want = kz.first(hh.contacts, function(c)
            return c.occurred_on >= from and (kind == nil or c.agency == kind) and (ward == nil or c.ward == ward)
          end)
          if not same(hh:contact_since(from, kind, ward), want) then
            fail("contact_since", from, show(kind), show(ward))
          end
        end
      end
    end

    -- sightings and missed checkups of every child
    for _, child in ipairs(hh:children()) do
      local id = child.id
      local rec, day = hh:last_sighting(id)
      if day ~= last_day(hh, id) then fail("last_sighting", id, show(day), show(last_day(hh, id))) end
      if rec and (rec.occurred_on or rec.attended_on) ~= day then fail("last_sighting record", id) end
      for _, kind in ipairs(kinds) do
        kind = kind or nil
        for _, from in ipairs(days) do
          local r, d = hh:seen_since(id, from, kind)
          local want = first_day(hh, id, from, kind)
          if d ~= want then fail("seen_since", id, from, show(kind), show(d), show(want)) end
          if r and (r.occurred_on or r.attended_on) ~= d then fail("seen_since record", id, from) end
        end
      end
      local missed = {}
      for _, k in ipairs(hh.checkups) do
        local ld = last_day(hh, id)
        if k.child_id == id and not k.attended_on
           and kz.days(k.scheduled_on, kz.today) >= p.checkup_grace_days
           and not (ld and ld >= k.scheduled_on) then
          missed[#missed + 1] = k
        end
      end
      local m = hh:missed_checkups(child, p.checkup_grace_days)
      same_list("missed_checkups (the profile's grace)", hh:missed_checkups(child), m, id)
      if #m ~= #missed then fail("missed_checkups", id, #m, #missed) end
      for i = 1, #m do if not same(m[i], missed[i]) then fail("missed_checkups", id, i) end end
    end
    -- every day-sampled word, at each day of the sample and at nil (today)
    local kinds_all = { "health_center", "family_consultation", "child_guidance", "welfare" }
    for _, at in ipairs(days) do if kz.is_date(at) then
      same_list("children", hh:children(at), children(hh, at), at)
      if not same(hh:residence(at), residence(hh, at)) then fail("residence", at) end
      if hh:ward(at) ~= ward(hh, at) then fail("ward", at, show(hh:ward(at)), show(ward(hh, at))) end
      if not same(hh:registration(at), registration(hh, at)) then fail("registration", at) end
      local support = involved(hh, "family_consultation", at) or involved(hh, "child_guidance", at)
                      or registration(hh, at)
      if hh:under_support(at) ~= (support ~= nil) then fail("under_support", at) end
      if hh:supported_since(at) ~= supported_since(hh, at) then
        fail("supported_since", at, show(hh:supported_since(at)), show(supported_since(hh, at)))
      end
      if hh:primary_agency(at) ~= primary_agency(hh, at) then fail("primary_agency", at) end
      for _, kind in ipairs(kinds_all) do
        same_list("assignments_of", hh:assignments_of(kind, at),
                  where(hh.assignments, function(a) return a.agency == kind and active(a, at) end), kind, at)
        if not same(hh:involved(kind, at), involved(hh, kind, at)) then fail("involved", kind, at) end
        if hh:involved_since(kind, at) ~= covered_since(of_kinds(hh, kind), at) then
          fail("involved_since", kind, at)
        end
        if kz.covered_since(of_kinds(hh, kind), at) ~= covered_since(of_kinds(hh, kind), at) then
          fail("kz.covered_since", kind, at)
        end
      end
      local lead = { "family_consultation", "child_guidance" }
      if hh:involved_since(lead, at) ~= covered_since(of_kinds(hh, lead), at) then
        fail("involved_since", "lead kinds", at)
      end
      for _, t in ipairs({ hh.members, hh.assignments, hh.residences, hh.council, hh.welfare }) do
        for _, r in ipairs(t) do
          if kz.active(r, at) ~= active(r, at) then fail("kz.active", r.id, at) end
        end
      end
    end end
    same_list("children", hh:children(), children(hh, kz.today), "today")
    if hh:ward() ~= ward(hh, kz.today) then fail("ward", "today") end
    if hh:primary_agency() ~= primary_agency(hh, kz.today) then fail("primary_agency", "today") end
    for _, kind in ipairs(kinds_all) do
      if not same(hh:last_ended(kind), last_ended(hh, kind)) then fail("last_ended", kind) end
    end
    for _, c in ipairs(hh.contacts) do
      for _, child in ipairs(hh.persons) do
        if kz.sees(c, child.id) ~= sees(c, child.id) then fail("kz.sees", c.id, child.id) end
      end
    end

    -- moves
    local got, want = hh:moves(), moves(hh)
    if #got ~= #want then fail("moves", #got, #want) end
    for i = 1, #got do
      local g, w = got[i], want[i]
      if g.on ~= w.on or not same(g.from, w.from) or not same(g.to, w.to) or g.out ~= w.out then
        fail("moves", i)
      end
    end

    -- risk events (RULES.md "risk events of a household"), weights and grace from the profile
    local function missed_of(id)
      local out = {}
      local ld = last_day(hh, id)
      for _, k in ipairs(hh.checkups) do
        if k.child_id == id and not k.attended_on and k.scheduled_on
           and kz.days(k.scheduled_on, kz.today) >= p.checkup_grace_days
           and not (ld and ld >= k.scheduled_on) then out[#out + 1] = k end
      end
      return out
    end
    local function risk_events(from)
      local ev = {}
      local function add(kind, on, rec, label, known)
        if on and on >= from and on <= kz.today then
          ev[#ev + 1] = { kind = kind, on = on, record = rec, label = label, known_on = known or on,
                          weight = p.risk_weights[kind], seq = #ev }
        end
      end
      for _, child in ipairs(children(hh, kz.today)) do
        for _, k in ipairs(missed_of(child.id)) do
          add("checkup_missed", k.scheduled_on, k, (k.kind and (kz.checkup_name[k.kind] or k.kind) or "?") .. "未受診",
              kz.add_days(k.scheduled_on, p.checkup_grace_days))
        end
      end
      for _, w in ipairs(hh.welfare) do add("welfare_ended", w.end_on, w, "生活保護終了") end
      for _, g in ipairs(hh.pregnancies) do
        if g.end_on and g.outcome and g.outcome ~= "birth" and membership(hh, g.mother_id, kz.today) then
          add("pregnancy_lost", g.end_on, g, "妊娠が継続しなかった")
        end
      end
      for _, r in ipairs(hh.reports) do
        if r.source == "police" then add("report_police", r.received_on, r, "警察からの情報")
        else add("report", r.received_on, r, "関係機関からの情報") end
      end
      for _, m in ipairs(moves(hh)) do add("move", m.on, m.to, m.out and "市外転出" or "区間転居") end
      table.sort(ev, function(x, y)
        if x.on ~= y.on then return x.on < y.on end
        if x.kind ~= y.kind then return x.kind < y.kind end
        return x.seq < y.seq
      end)
      return ev
    end
    for _, from in ipairs(days) do
      local g, w = hh:risk_events(from), risk_events(from)
      if #g ~= #w then fail("risk_events", from, #g, #w) end
      for i = 1, #g do
        local a, b = g[i], w[i]
        if a.kind ~= b.kind or a.on ~= b.on or a.known_on ~= b.known_on or a.label ~= b.label
           or a.weight ~= b.weight or not same(a.record, b.record) then
          fail("risk_events", from, i, a.kind, b.kind, a.on, b.on, show(a.known_on), show(b.known_on),
               a.label, b.label, show(a.weight), show(b.weight))
        end
      end
    end
    return nil
  end,
}
