-- Test rule: keeper.kept. Keeps the household view in an upvalue across
-- households and across runs of the same engine (replay runs day after day):
-- reading it later must be an error, never another family's data.
local previous

rule {
  id = "keeper.kept", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local old = previous
    previous = hh
    if old then
      return kz.finding { since = kz.today, key = "leak", reason = "leak:" .. old.id }
    end
  end,
}
