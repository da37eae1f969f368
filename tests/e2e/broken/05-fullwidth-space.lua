-- mistake: 全角スペースが混じる（日本語入力のまま打った）
-- caught-by: check
-- expect-at: 17:13
-- expect-en: full-width space (U+3000) outside a string or comment: Lua reads code typed in half-width (ASCII) characters; type ' ' instead
-- expect-ja: 全角スペース（U+3000）が文字列・コメントの外にあります: Lua のコードは半角（ASCII）で書きます。半角の ' ' に打ち直してください
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
    local n = 0
    if n > 0　then return nil end
  end,
}
