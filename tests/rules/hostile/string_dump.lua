-- Test rule: hostile.string_dump. The line marked --! must be named in its error.
rule {
  id = "hostile.string_dump", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local s = string.dump(function() end) --!
    return s
  end,
}
