-- mistake: 記録の列名の書き間違い（`k.schedule_on`）
-- caught-by: check
-- expect-at: 17
-- expect-en: reads field 'schedule_on', which no case-record table or method has (did you mean 'scheduled_on'?)
-- expect-ja: 項目 'schedule_on' を読んでいますが、どの記録の表にもメソッドにもありません（もしかして 'scheduled_on'？）
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
    for _, k in ipairs(hh.checkups) do
      if k.schedule_on < kz.today then return nil end
    end
  end,
}
