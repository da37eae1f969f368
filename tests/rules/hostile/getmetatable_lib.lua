-- Test rule: hostile.getmetatable_lib. getmetatable on a library, then its __index written.
-- The line marked --! must be named in its error.
rule {
  id = "hostile.getmetatable_lib", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    getmetatable(kz).__index.finding = nil --!
  end,
}
