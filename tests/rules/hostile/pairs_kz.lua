-- Test rule: hostile.pairs_kz. pairs(kz) hands back the table behind the proxy: redefining
-- kz.finding there cleared every open task of every rule the next night.
-- The line marked --! must be named in its error.
rule {
  id = "hostile.pairs_kz", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local _, behind = pairs(kz)
    behind.finding = function() return nil end --!
  end,
}
