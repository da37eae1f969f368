-- expect-exit: 3
-- Night file: hostile.nul_key. Keys "a\0one" and "a\0two" are two episodes
-- in Lua but one in C: both must be refused, never collapsed into one task.
rule {
  id = "hostile.nul_key", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    return { kz.finding { since = kz.today, key = hh.id .. "\0one", reason = "一つ目" },
             kz.finding { since = kz.today, key = hh.id .. "\0two", reason = "二つ目" } }
  end,
}
