-- Test rule: hostile.record_write. The line marked --! must be named in its error.
rule {
  id = "hostile.record_write", label = "test", title = "test", subject = "child",
  agency = "health_center", severity = "low", due = 1,
  check = function(child, hh, p)
    child.birth_on = "2000-01-01" --!
  end,
}
