-- Test rule: hostile.close_loop. a to-be-closed variable whose __close loops, on the way out.
-- The line marked --! must be named in its error.
rule {
  id = "hostile.close_loop", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local x <close> = setmetatable({}, { __close = function() while true do end end }) --!
  end,
}
