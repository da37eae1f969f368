-- mistake: 基準値の名前の書き間違い（規則の `params` 側）
-- caught-by: check
-- expect-at: 6
-- expect-en: rule broken.x: unknown param 'checkup_grace_day' (not under params: in {rules}/kizuki.yaml)
-- expect-ja: ルール broken.x: 不明なパラメータ 'checkup_grace_day'（{rules}/kizuki.yaml の params: にありません）
rule {
  id = "broken.x",
  label = "見本",
  title = "よくある間違いの見本",
  subject = "child",
  agency = "health_center",
  severity = "medium",
  due = 10,
  params = { "checkup_grace_day" },
  check = function(child, hh, p)
    local grace = p.checkup_grace_day
    return nil
  end,
}
