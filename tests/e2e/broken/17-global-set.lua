-- mistake: `local` をつけずに変数を作る
-- caught-by: check
-- expect-at: 16
-- expect-en: sets global 'count': rules may not create globals (use local)
-- expect-ja: グローバル 'count' を設定しています: ルールはグローバル変数を作れません（local を使ってください）
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
    count = 0
    return nil
  end,
}
