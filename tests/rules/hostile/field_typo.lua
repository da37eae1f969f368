-- Test rule: hostile.field_typo. The line marked --! must be named in its error.
-- A misspelt column is an error that names the column it resembles, not nil.
rule {
  id = "hostile.field_typo", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local r = hh.residences[1]
    return r.wrad --!
  end,
}
