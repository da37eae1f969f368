-- Test rule: hostile.io_open. The line marked --! must be named in its error.
rule {
  id = "hostile.io_open", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local f = io.open("/etc/passwd") --!
    return f
  end,
}
