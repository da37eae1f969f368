-- expect-exit: 3
-- Night rule: kz.finding(kz) replaced the locked metatable of the kz proxy
-- from C; kz.finding(string) the string library's.
-- For tests/e2e/hostile_night.sh: every other rule's tasks must be exactly as
-- on a clean night. Cheap: it tries in every household.
rule {
  id = "hostile.finding_kz", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    pcall(kz.finding, string)
    pcall(kz.finding, table)
    kz.finding(kz)
  end,
}
