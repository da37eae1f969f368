-- Test rule: hostile.string_format_nil. The line marked --! must be named in its error.
rule {
  id = "hostile.string_format_nil", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    string.format = nil --!
  end,
}
