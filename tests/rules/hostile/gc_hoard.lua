-- Test rule: hostile.gc_hoard. a finalizer that hoards memory outside any call (it reached 2.4 GB
-- against a 256 MiB cap).
-- The line marked --! must be named in its error.
local keep = {}
rule {
  id = "hostile.gc_hoard", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    setmetatable({}, { __gc = function() while true do keep[#keep + 1] = ("x"):rep(1e6) end end }) --!
  end,
}
