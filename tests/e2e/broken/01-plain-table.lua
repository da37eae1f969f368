-- mistake: 所見を `kz.finding` で包まずに返す（何も開かれない）
-- caught-by: check
-- expect-at: 17
-- expect-en: a table with reason = ... that is not made by kz.finding { ... }: a check that returns it opens nothing; write kz.finding { ... }
-- expect-ja: reason = ... を持つ表が kz.finding { ... } で作られていません: check がこれを返しても何も開かれません。kz.finding { ... } と書いてください
rule {
  id = "broken.x",
  label = "見本",
  title = "よくある間違いの見本",
  subject = "child",
  agency = "health_center",
  severity = "medium",
  due = 10,
  params = { "checkup_grace_days" },
  check = function(child, hh, p)
    for _, k in ipairs(hh:missed_checkups(child, p.checkup_grace_days)) do
      return { key = k.id, since = k.scheduled_on, reason = "健診未受診" }
    end
  end,
}
