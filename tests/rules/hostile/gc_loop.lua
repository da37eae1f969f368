-- Test rule: hostile.gc_loop. a finalizer that loops: finalizers run with hooks off.
-- The line marked --! must be named in its error.
rule {
  id = "hostile.gc_loop", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    setmetatable({}, { __gc = function() while true do end end }) --!
  end,
}
