-- expect-exit: 3
-- Night file: hostile.memory_everywhere. Runs into the memory cap in every
-- household: suspended after rule_budget_limit times.
rule {
  id = "hostile.memory_everywhere", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local t = {}
    while true do t[#t + 1] = string.rep("m", 1024 * 1024) .. #t end
  end,
}
