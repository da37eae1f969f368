-- Test rule: hostile.require. The line marked --! must be named in its error.
rule {
  id = "hostile.require", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local os = require("os") --!
    return os
  end,
}
