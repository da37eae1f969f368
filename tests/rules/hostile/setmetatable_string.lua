-- Test rule: hostile.setmetatable_string. The line marked --! must be named in its error.
rule {
  id = "hostile.setmetatable_string", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    setmetatable(string, { __index = function() return nil end }) --!
  end,
}
