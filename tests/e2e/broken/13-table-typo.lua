-- mistake: 記録の表名の書き間違い（`hh.checkup`）
-- caught-by: check
-- expect-at: 16
-- expect-en: reads field 'checkup', which no case-record table or method has (did you mean 'checkups'?)
-- expect-ja: 項目 'checkup' を読んでいますが、どの記録の表にもメソッドにもありません（もしかして 'checkups'？）
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
    for _, k in ipairs(hh.checkup) do
      return nil
    end
  end,
}
