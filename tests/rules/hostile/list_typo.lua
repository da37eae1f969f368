-- Test rule: hostile.list_typo. The line marked --! must be named in its error.
-- A misspelt record list is an error that names the list it resembles, not nil.
rule {
  id = "hostile.list_typo", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    return #hh.report --!
  end,
}
