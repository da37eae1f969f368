-- mistake: 変数名の書き間違い（`local` で作った名前と違う）
-- caught-by: check
-- expect-at: 17
-- expect-en: reads global 'recnet', which the rule sandbox does not provide (a typo, or a missing local?)
-- expect-ja: グローバル変数 'recnet' を読んでいますが、ルールのサンドボックスにはありません（書き間違いか、local の付け忘れではありませんか？）
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
    local recent = hh.checkups
    local last = recnet[#recent]
    return nil
  end,
}
