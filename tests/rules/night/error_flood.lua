-- expect-exit: 3
-- Night file: hostile.error_flood. A 4 MB error message with forged lines
-- (newlines, CR, an ESC sequence that clears the screen): what reaches
-- stderr and run_errors must be bounded and escaped.
rule {
  id = "hostile.error_flood", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local forged = "\nkizuki run: finished OK\r\27[2J\27]0;owned\7\n"
    error(forged .. string.rep("x", 4 * 1024 * 1024) .. forged, 0)
  end,
}
