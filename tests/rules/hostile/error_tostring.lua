-- Test rule: hostile.error_tostring. an error object whose __tostring loops (the message handler
-- calls it).
-- The line marked --! must be named in its error.
rule {
  id = "hostile.error_tostring", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    error(setmetatable({}, { __tostring = function() while true do end end })) --!
  end,
}
