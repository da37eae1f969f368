-- Test rule: hostile.os_execute. The line marked --! must be named in its error.
rule {
  id = "hostile.os_execute", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    os.execute("touch /tmp/kizuki-hostile") --!
  end,
}
