-- mistake: 表の項目の間のカンマを忘れる
-- caught-by: check
-- expect-at: 17:21
-- expect-en: missing ',' at the end of this line (the next line starts another field; Lua noticed at line 18: '}' expected (to close '{' at line 16) near 'since')
-- expect-ja: この行の終わりに ',' がありません（次の行から別の項目です。Lua が気づいたのは 18 行目: '}' expected (to close '{' at line 16) near 'since'）
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
    return kz.finding {
      key = child.id
      since = child.birth_on,
      reason = "見本",
    }
  end,
}
