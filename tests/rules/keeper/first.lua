-- Test rules: keeper.first and keeper.first_child. Keep the first household
-- (and its first child) seen by this Lua state and read them at every later
-- household: once the households have gone round the prefetch ring, the slot
-- the kept view points at holds another family, and reading it must still be
-- an error.
local first, first_child

rule {
  id = "keeper.first", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    if first == nil then first = hh return nil end
    return kz.finding { since = kz.today, key = "leak", reason = "leak:" .. first.id .. #first.members }
  end,
}

rule {
  id = "keeper.first_child", label = "test", title = "test", subject = "child",
  agency = "health_center", severity = "low", due = 1,
  check = function(child, hh, p)
    if first_child == nil then first_child = child return nil end
    return kz.finding { since = kz.today, key = "leak", reason = "leak:" .. tostring(first_child.birth_on) }
  end,
}
