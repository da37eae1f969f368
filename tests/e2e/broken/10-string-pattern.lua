-- mistake: 文字列パターン（`string.match`・`gsub`）を使う
-- caught-by: check
-- expect-at: 16
-- expect-en: string.match: Lua patterns are not available in rules; search plain text with s:find("text"), compare with ==, or cut with s:sub(i, j)
-- expect-ja: string.match: ルールでは Lua の文字列パターンは使えません。文字列そのものを s:find("文字") で探すか、== で比べるか、s:sub(i, j) で切り出してください
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
    if child.sex:match("F") then return nil end
  end,
}
