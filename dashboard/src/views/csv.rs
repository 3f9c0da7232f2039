//! CSV as RFC 4180 writes it, made safe for spreadsheets: a cell starting with `=`, `+`,
//! `-`, `@`, a tab or a carriage return gets a leading quote so it is never run as a
//! formula.

use crate::queries::hunt::Found;

/// One cell.
pub fn cell(text: &str) -> String {
    // A leading tab or carriage return also makes some spreadsheets read a formula.
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
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

/// `rows` as CSV (RFC 4180: quoted where needed, doubled quotes), with a header line.
pub fn hunt_results(rows: &[Found]) -> String {
    let mut out = String::from(
        "time_utc,ts_ms,agent_id,hostname,seq,category,action,target,image,user,sha256,fields\r\n",
    );
    for r in rows {
        out.push_str(&line(&[
            crate::views::html::utc(r.ts),
            r.ts.to_string(),
            r.agent_id.clone(),
            r.hostname.clone(),
            r.seq.to_string(),
            r.category.clone(),
            r.action.clone(),
            r.target.clone(),
            r.image.clone(),
            r.user.clone(),
            r.sha256.clone(),
            r.fields.clone(),
        ]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let row = Found {
            date: 0,
            received_ms: 0,
            ts: 0,
            agent_id: "a".into(),
            hostname: "h".into(),
            seq: 1,
            category: "process_creation".into(),
            action: String::new(),
            target: "=cmd|' /C calc'!A0".into(),
            image: "/bin/sh".into(),
            user: "x,y".into(),
            sha256: String::new(),
            fields: "{\"a\":\"b\"}".into(),
        };
        let text = hunt_results(&[row]);
        let line = text.lines().nth(1).unwrap();
        assert!(line.contains("'=cmd"), "{line}");
        assert!(
            line.contains("\"x,y\"") && line.contains("\"{\"\"a\"\":\"\"b\"\"}\""),
            "{line}"
        );
    }

    #[test]
    fn a_leading_tab_or_carriage_return_is_defused() {
        // Issue #12: an agent-chosen host name `\t=1+1` reached spreadsheets as a formula.
        assert_eq!(cell("\t=1+1"), "'\t=1+1");
        assert_eq!(cell("\r=1+1"), "\"'\r=1+1\"");
        assert_eq!(cell("plain"), "plain");
    }
}
