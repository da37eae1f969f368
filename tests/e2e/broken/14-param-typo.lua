-- mistake: 基準値の名前の書き間違い（`p.checkup_grace_dys`）
-- caught-by: check
-- expect-at: 16
-- expect-en: rule broken.x reads param 'checkup_grace_dys', which it does not declare in params (did you mean 'checkup_grace_days'?)
-- expect-ja: ルール broken.x が、params で宣言していないパラメータ 'checkup_grace_dys' を読んでいます（もしかして 'checkup_grace_days'？）
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
    local grace = p.checkup_grace_dys
    return nil
  end,
}
