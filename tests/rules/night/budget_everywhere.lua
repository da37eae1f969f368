-- expect-exit: 3
-- Night file: hostile.budget_everywhere. Runs out of its instruction budget
-- in every household: suspended after rule_budget_limit times, so the night
-- costs a few budgets, not one per household.
rule {
  id = "hostile.budget_everywhere", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local n = 0
    while true do n = n + 1 end
  end,
}
