-- expect-exit: 3
-- Night rule: a finalizer that hoards memory outside any call (it reached
-- 2.4 GB against a 256 MiB cap).
-- For tests/e2e/hostile_night.sh: every other rule's tasks must be exactly as
-- on a clean night. Cheap: it tries in every household.
local keep = {}
rule {
  id = "hostile.gc_hoard", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    setmetatable({}, { __gc = function() while true do keep[#keep + 1] = ("x"):rep(1e6) end end })
  end,
}
