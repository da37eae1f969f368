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

local kinds = { false, "health_center", "family_consultation", "child_guidance", "welfare" }

rule {
  id = "vocab.reference", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  params = { "checkup_grace_days" },
  check = function(hh, p)
    local days = { "0000-01-01", kz.today }
    for _, c in ipairs(hh.contacts) do days[#days + 1] = c.occurred_on end
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
      if not rawequal(hh:person(m.person_id), want) then fail("person", m.person_id) end
      local active = kz.first(hh.members, function(x) return x.person_id == m.person_id and kz.active(x) end)
      if not rawequal(hh:membership(m.person_id), active) then fail("membership", m.person_id) end
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
    for i = 1, #got do if not rawequal(got[i], mothers[i]) then fail("mothers", i) end end

    -- contacts: hh:contact_since, hh:last_contact
    for _, kind in ipairs(kinds) do
      kind = kind or nil
      local last = kz.last(hh.contacts, function(c) return kind == nil or c.agency == kind end)
      if not rawequal(hh:last_contact(kind), last) then fail("last_contact", show(kind)) end
      for _, from in ipairs(days) do
        for _, ward in ipairs({ false, hh.contacts[1] and hh.contacts[1].ward or "chuo", "kita" }) do
          ward = ward or nil
          local want = kz.first(hh.contacts, function(c)
            return c.occurred_on >= from and (kind == nil or c.agency == kind) and (ward == nil or c.ward == ward)
          end)
          if not rawequal(hh:contact_since(from, kind, ward), want) then
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
      if #m ~= #missed then fail("missed_checkups", id, #m, #missed) end
      for i = 1, #m do if not rawequal(m[i], missed[i]) then fail("missed_checkups", id, i) end end
    end
    return nil
  end,
}
