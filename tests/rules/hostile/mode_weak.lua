-- Test rule: hostile.mode_weak. a weak table makes what a rule sees depend on the collector.
-- The line marked --! must be named in its error.
rule {
  id = "hostile.mode_weak", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local cache = setmetatable({}, { __mode = "k" }) --!
  end,
}
