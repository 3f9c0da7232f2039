//! CSV as RFC 4180 writes it, made safe for spreadsheets: a cell starting with `=`, `+`,
//! `-` or `@` gets a leading quote so it is never run as a formula.

/// One cell.
pub fn cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// One line (with its CRLF).
pub fn line(cells: &[String]) -> String {
    let mut out = cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}
