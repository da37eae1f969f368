-- Test rule: hostile.load_bytecode. The line marked --! must be named in its error.
rule {
  id = "hostile.load_bytecode", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local f = load("\27LuaT\0\25\147\r\n\26\n\4\8\8xV\0\0\0\0\0\0\0\0\0\0\0(w@\1") --!
    return f and f()
  end,
}
