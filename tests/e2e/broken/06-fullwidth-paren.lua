-- mistake: 全角括弧が混じる（日本語入力のまま打った）
-- caught-by: check
-- expect-at: 16:22
-- expect-en: full-width parenthesis (U+FF08) outside a string or comment: Lua reads code typed in half-width (ASCII) characters; type '(' instead
-- expect-ja: 全角括弧（U+FF08）が文字列・コメントの外にあります: Lua のコードは半角（ASCII）で書きます。半角の '(' に打ち直してください
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
    local n = kz.days（child.birth_on, kz.today)
    return nil
  end,
}
