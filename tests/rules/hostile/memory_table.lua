-- Test rule: hostile.memory_table. Grows a table without end inside pcall:
-- pcall must not let it carry on past the memory cap.

rule {
  id = "hostile.memory_table", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local hoard = {}
    pcall(function()
      while true do hoard[#hoard + 1] = ("x"):rep(4000) .. #hoard end --!
    end)
    return kz.finding { since = kz.today, reason = "must not get here" }
  end,
}
