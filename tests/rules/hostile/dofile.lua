-- Test rule: hostile.dofile. The line marked --! must be named in its error.
rule {
  id = "hostile.dofile", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    dofile("/etc/passwd") --!
  end,
}
