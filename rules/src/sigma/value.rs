//! Compiling one field's values and modifiers into a matcher, and matching.
//!
//! Matching follows SigmaHQ's reference semantics: strings compare without regard to
//! ASCII case unless `|cased`; `*` and `?` are wildcards (`\*`, `\?`, `\\` escape them);
//! numbers and booleans compare as their text; a missing field matches nothing but
//! `null` and `|exists: false`.

use std::net::IpAddr;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::Value;

use super::modifier::Modifier;
use crate::document::{as_text, Document};

/// A string pattern, already lower-cased when case-insensitive.
#[derive(Debug, Clone)]
enum Shape {
    Exact(String),
    Prefix(String),
    Suffix(String),
    Contains(String),
    Glob(regex::Regex),
}

/// How one value matches a field's text.
#[derive(Debug, Clone)]
enum Matcher {
    Text {
        shape: Shape,
        cased: bool,
    },
    Regex(regex::Regex),
    Cidr(IpAddr, u8),
    Number(Comparison, f64),
    Exists(bool),
    Null,
    FieldRef {
        other: String,
        position: Position,
        cased: bool,
    },
}

#[derive(Debug, Clone, Copy)]
enum Comparison {
    Lt,
    Lte,
    Gt,
    Gte,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Position {
    Equal,
    Prefix,
    Suffix,
    Contains,
}

/// A field (or, without a field, any value of the event) and what it must match.
#[derive(Debug, Clone)]
pub struct FieldMatcher {
    field: Option<String>,
    all: bool,
    negate: bool,
    matchers: Vec<Matcher>,
    /// When every value is a case-insensitive `contains` (keyword lists, long
    /// `|contains` lists), one Aho-Corasick pass replaces a scan per value.
    any_substring: Option<aho_corasick::AhoCorasick>,
}

/// Builds the one-pass matcher for `matchers` if they are all case-insensitive
/// substrings (and there are enough of them to be worth it).
fn substring_set(
    matchers: &[Matcher],
    all: bool,
    negate: bool,
) -> Option<aho_corasick::AhoCorasick> {
    if all || negate || matchers.len() < 2 {
        return None;
    }
    let needles: Vec<&str> = matchers
        .iter()
        .map(|m| match m {
            Matcher::Text {
                shape: Shape::Contains(s),
                cased: false,
            } => Some(s.as_str()),
            _ => None,
        })
        .collect::<Option<_>>()?;
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(needles)
        .ok()
}

enum Piece {
    Literal(char),
    Star,
    One,
}

/// Reads Sigma's wildcard syntax.
fn pieces(value: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some('*') | Some('?') | Some('\\') => {
                    out.push(Piece::Literal(chars.next().expect("peeked")))
                }
                _ => out.push(Piece::Literal('\\')),
            },
            '*' => out.push(Piece::Star),
            '?' => out.push(Piece::One),
            c => out.push(Piece::Literal(c)),
        }
    }
    out
}

fn shape(mut parts: Vec<Piece>, position: Position, cased: bool) -> Shape {
    if matches!(position, Position::Contains | Position::Suffix)
        && !matches!(parts.first(), Some(Piece::Star))
    {
        parts.insert(0, Piece::Star);
    }
    if matches!(position, Position::Contains | Position::Prefix)
        && !matches!(parts.last(), Some(Piece::Star))
    {
        parts.push(Piece::Star);
    }
    let fold = |c: char| if cased { c } else { c.to_ascii_lowercase() };
    let leading = matches!(parts.first(), Some(Piece::Star));
    let trailing = parts.len() > 1 && matches!(parts.last(), Some(Piece::Star));
    let inner = &parts[usize::from(leading)..parts.len() - usize::from(trailing)];
    if inner.iter().all(|p| matches!(p, Piece::Literal(_))) {
        let text: String = inner
            .iter()
            .map(|p| match p {
                Piece::Literal(c) => fold(*c),
                _ => unreachable!("only literals"),
            })
            .collect();
        return match (leading, trailing) {
            (false, false) => Shape::Exact(text),
            (false, true) => Shape::Prefix(text),
            (true, false) => Shape::Suffix(text),
            (true, true) => Shape::Contains(text),
        };
    }
    let mut pattern = String::from("(?s)^");
    for p in &parts {
        match p {
            Piece::Literal(c) => pattern.push_str(&regex::escape(&fold(*c).to_string())),
            Piece::Star => pattern.push_str(".*"),
            Piece::One => pattern.push('.'),
        }
    }
    pattern.push('$');
    Shape::Glob(regex::Regex::new(&pattern).expect("escaped pattern is valid"))
}

fn text_matches(shape: &Shape, cased: bool, text: &str) -> bool {
    if cased {
        return match shape {
            Shape::Exact(s) => text == s,
            Shape::Prefix(s) => text.starts_with(s.as_str()),
            Shape::Suffix(s) => text.ends_with(s.as_str()),
            Shape::Contains(s) => text.contains(s.as_str()),
            Shape::Glob(re) => re.is_match(text),
        };
    }
    // Patterns are stored lower-cased; compare bytes with ASCII folding, no allocation
    // (folding ASCII letters keeps UTF-8 sequences intact).
    let t = text.as_bytes();
    match shape {
        Shape::Exact(s) => t.eq_ignore_ascii_case(s.as_bytes()),
        Shape::Prefix(s) => t.len() >= s.len() && t[..s.len()].eq_ignore_ascii_case(s.as_bytes()),
        Shape::Suffix(s) => {
            t.len() >= s.len() && t[t.len() - s.len()..].eq_ignore_ascii_case(s.as_bytes())
        }
        Shape::Contains(s) => contains_folded(t, s.as_bytes()),
        Shape::Glob(re) => re.is_match(&text.to_ascii_lowercase()),
    }
}

/// Whether `needle` (already lower-case) occurs in `haystack`, ignoring ASCII case.
fn contains_folded(haystack: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    if haystack.len() < needle.len() {
        return false;
    }
    let upper = first.to_ascii_uppercase();
    (0..=haystack.len() - needle.len()).any(|i| {
        let b = haystack[i];
        (b == first || b == upper) && haystack[i + 1..i + needle.len()].eq_ignore_ascii_case(rest)
    })
}

/// UTF-16 encodings of `text`.
fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(&[0xff, 0xfe]);
    }
    for unit in text.encode_utf16() {
        let bytes = if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        };
        out.extend_from_slice(&bytes);
    }
    out
}

/// The three base64 forms `bytes` can take inside a longer encoded text, trimmed of
/// the characters that depend on what surrounds it.
fn base64_offsets(bytes: &[u8]) -> Vec<String> {
    const START: [usize; 3] = [0, 2, 3];
    const END: [usize; 3] = [0, 3, 2];
    (0..3)
        .map(|i| {
            let mut padded = vec![b' '; i];
            padded.extend_from_slice(bytes);
            let encoded = B64.encode(&padded);
            let end = encoded.len() - END[(bytes.len() + i) % 3];
            encoded.get(START[i]..end).unwrap_or("").to_string()
        })
        .collect()
}

/// Windows option syntax: an option's leading `-` or `/` (one that starts a word: not
/// preceded by a word character, followed by one) may be written `-`, `/`, `–`, `—` or `―`.
fn windash(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let word = |c: Option<&char>| c.is_some_and(|c| c.is_alphanumeric() || *c == '_');
    let dashes: Vec<usize> = (0..chars.len())
        .filter(|&i| {
            (chars[i] == '-' || chars[i] == '/')
                && !word(i.checked_sub(1).and_then(|p| chars.get(p)))
                && word(chars.get(i + 1))
        })
        .collect();
    if dashes.is_empty() {
        return vec![text.to_string()];
    }
    ['-', '/', '\u{2013}', '\u{2014}', '\u{2015}']
        .iter()
        .map(|dash| {
            let mut variant = chars.clone();
            for &i in &dashes {
                variant[i] = *dash;
            }
            variant.into_iter().collect()
        })
        .collect()
}

fn number_of(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

impl FieldMatcher {
    /// Compiles `field|modifiers: values`.
    pub fn compile(
        field: Option<String>,
        modifiers: &[Modifier],
        values: &[Value],
    ) -> Result<FieldMatcher, String> {
        let has = |m: Modifier| modifiers.contains(&m);
        let cased = has(Modifier::Cased);
        let position = if has(Modifier::Contains) {
            Position::Contains
        } else if has(Modifier::StartsWith) {
            Position::Prefix
        } else if has(Modifier::EndsWith) {
            Position::Suffix
        } else {
            Position::Equal
        };
        let comparison = [
            (Modifier::Lt, Comparison::Lt),
            (Modifier::Lte, Comparison::Lte),
            (Modifier::Gt, Comparison::Gt),
            (Modifier::Gte, Comparison::Gte),
        ]
        .into_iter()
        .find(|(m, _)| has(*m))
        .map(|(_, c)| c);
        if values.is_empty() {
            return Err("no value to match".into());
        }
        let mut matchers = Vec::new();
        for value in values {
            if has(Modifier::Exists) {
                let wanted = match value {
                    Value::Bool(b) => *b,
                    Value::String(s)
                        if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") =>
                    {
                        s.eq_ignore_ascii_case("true")
                    }
                    other => return Err(format!("|exists takes true or false, not {other}")),
                };
                matchers.push(Matcher::Exists(wanted));
                continue;
            }
            if value.is_null() {
                matchers.push(Matcher::Null);
                continue;
            }
            if let Some(c) = comparison {
                let n = number_of(value).ok_or_else(|| format!("{value} is not a number"))?;
                matchers.push(Matcher::Number(c, n));
                continue;
            }
            let text = as_text(value).into_owned();
            if has(Modifier::FieldRef) {
                matchers.push(Matcher::FieldRef {
                    other: text,
                    position,
                    cased,
                });
                continue;
            }
            if has(Modifier::Re) {
                let flags: String = [
                    (Modifier::ReI, 'i'),
                    (Modifier::ReM, 'm'),
                    (Modifier::ReS, 's'),
                ]
                .iter()
                .filter(|(m, _)| has(*m))
                .map(|(_, f)| *f)
                .collect();
                let pattern = if flags.is_empty() {
                    text.clone()
                } else {
                    format!("(?{flags}){text}")
                };
                let re = regex::Regex::new(&pattern)
                    .map_err(|e| format!("bad regular expression {text:?}: {e}"))?;
                matchers.push(Matcher::Regex(re));
                continue;
            }
            if has(Modifier::Cidr) {
                let (addr, bits) = crate::net::parse_network(&text)?;
                matchers.push(Matcher::Cidr(addr, bits));
                continue;
            }
            for text in encode(&text, modifiers) {
                matchers.push(Matcher::Text {
                    shape: shape(pieces(&text), position, cased),
                    cased,
                });
            }
        }
        let (all, negate) = (has(Modifier::All), has(Modifier::Neq));
        Ok(FieldMatcher {
            any_substring: substring_set(&matchers, all, negate),
            field,
            all,
            negate,
            matchers,
        })
    }

    /// True when `doc` satisfies this item.
    pub fn matches(&self, doc: &dyn Document) -> bool {
        let Some(field) = &self.field else {
            return self.matches_keywords(doc);
        };
        let value = doc.get(field);
        if let Some(set) = &self.any_substring {
            return value.is_some_and(|v| set.is_match(as_text(v).as_ref()));
        }
        let one = |m: &Matcher| -> bool {
            match (m, value) {
                (Matcher::Exists(wanted), v) => v.is_some() == *wanted,
                (Matcher::Null, v) => v.is_none() || v.is_some_and(|v| v.as_str() == Some("")),
                (_, None) => false,
                (m, Some(v)) => matches_value(m, v, doc),
            }
        };
        let result = if self.all {
            self.matchers.iter().all(one)
        } else {
            self.matchers.iter().any(one)
        };
        if self.negate {
            value.is_some() && !result
        } else {
            result
        }
    }

    fn matches_keywords(&self, doc: &dyn Document) -> bool {
        if let Some(set) = &self.any_substring {
            return doc
                .values()
                .any(|v| !v.is_null() && set.is_match(as_text(v).as_ref()));
        }
        let one = |m: &Matcher| {
            doc.values()
                .any(|v| !v.is_null() && matches_value(m, v, doc))
        };
        if self.all {
            self.matchers.iter().all(one)
        } else {
            self.matchers.iter().any(one)
        }
    }

    /// For keyword selections: values match anywhere in a field, as SigmaHQ's backends
    /// search full text.
    pub fn into_keywords(mut self) -> FieldMatcher {
        for m in &mut self.matchers {
            if let Matcher::Text { shape: s, .. } = m {
                *s = match std::mem::replace(s, Shape::Exact(String::new())) {
                    Shape::Exact(t) | Shape::Prefix(t) | Shape::Suffix(t) => Shape::Contains(t),
                    Shape::Glob(re) => {
                        let inner = re
                            .as_str()
                            .trim_start_matches("(?s)^")
                            .trim_end_matches('$');
                        Shape::Glob(
                            regex::Regex::new(&format!("(?s)^.*{inner}.*$")).expect("valid"),
                        )
                    }
                    other => other,
                };
            }
        }
        self.any_substring = substring_set(&self.matchers, self.all, self.negate);
        self
    }
}

fn matches_value(m: &Matcher, value: &Value, doc: &dyn Document) -> bool {
    let text = as_text(value);
    match m {
        Matcher::Text { shape, cased } => text_matches(shape, *cased, &text),
        Matcher::Regex(re) => re.is_match(&text),
        Matcher::Cidr(addr, bits) => text
            .trim()
            .parse::<IpAddr>()
            .is_ok_and(|ip| crate::net::in_network(ip, *addr, *bits)),
        Matcher::Number(c, n) => number_of(value).is_some_and(|v| match c {
            Comparison::Lt => v < *n,
            Comparison::Lte => v <= *n,
            Comparison::Gt => v > *n,
            Comparison::Gte => v >= *n,
        }),
        Matcher::FieldRef {
            other,
            position,
            cased,
        } => doc.get(other).is_some_and(|o| {
            let (a, b) = if *cased {
                (text.to_string(), as_text(o).to_string())
            } else {
                (text.to_ascii_lowercase(), as_text(o).to_ascii_lowercase())
            };
            match position {
                Position::Equal => a == b,
                Position::Prefix => a.starts_with(&b),
                Position::Suffix => a.ends_with(&b),
                Position::Contains => a.contains(&b),
            }
        }),
        Matcher::Exists(_) | Matcher::Null => false,
    }
}

/// Applies the encoding modifiers, in the order written, to a value.
fn encode(text: &str, modifiers: &[Modifier]) -> Vec<String> {
    let mut forms: Vec<Vec<u8>> = vec![text.as_bytes().to_vec()];
    for m in modifiers {
        forms = match m {
            Modifier::Utf16Le | Modifier::Wide => forms
                .iter()
                .map(|f| utf16(&String::from_utf8_lossy(f), false, false))
                .collect(),
            Modifier::Utf16Be => forms
                .iter()
                .map(|f| utf16(&String::from_utf8_lossy(f), true, false))
                .collect(),
            Modifier::Utf16 => forms
                .iter()
                .map(|f| utf16(&String::from_utf8_lossy(f), false, true))
                .collect(),
            Modifier::Base64 => forms.iter().map(|f| B64.encode(f).into_bytes()).collect(),
            Modifier::Base64Offset => forms
                .iter()
                .flat_map(|f| base64_offsets(f))
                .map(String::into_bytes)
                .collect(),
            Modifier::Windash => forms
                .iter()
                .flat_map(|f| windash(&String::from_utf8_lossy(f)))
                .map(String::into_bytes)
                .collect(),
            _ => forms,
        };
    }
    forms
        .into_iter()
        .map(|f| String::from_utf8_lossy(&f).into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Map};

    fn doc(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn m(key: &str, values: Value) -> FieldMatcher {
        let (field, mods) = super::super::modifier::split_key(key).unwrap();
        let values = match values {
            Value::Array(a) => a,
            v => vec![v],
        };
        FieldMatcher::compile(field, &mods, &values).unwrap()
    }

    #[test]
    fn wildcards_escapes_and_case() {
        let d =
            doc(json!({"CommandLine": "C:\\Windows\\System32\\CMD.exe /c whoami*", "Port": 4444}));
        assert!(m("CommandLine", json!("c:\\windows\\\\*cmd.exe*")).matches(&d));
        assert!(
            !m("CommandLine", json!("c:\\windows\\*cmd.exe*")).matches(&d),
            "backslash-star is a literal star"
        );
        assert!(m("CommandLine|endswith", json!("whoami\\*")).matches(&d));
        assert!(!m("CommandLine|endswith", json!("whoamix")).matches(&d));
        assert!(m("CommandLine|contains", json!("system?2")).matches(&d));
        assert!(!m("CommandLine|contains|cased", json!("cmd.exe")).matches(&d));
        assert!(m("Port", json!(4444)).matches(&d));
        assert!(m("Port|gte", json!(4000)).matches(&d) && !m("Port|lt", json!(4000)).matches(&d));
        assert!(m("Missing", json!(null)).matches(&d));
        assert!(!m("Missing", json!("x")).matches(&d));
        assert!(
            m("Missing|exists", json!(false)).matches(&d)
                && m("Port|exists", json!(true)).matches(&d)
        );
        assert!(m("CommandLine|contains|all", json!(["cmd", "whoami"])).matches(&d));
        assert!(!m("CommandLine|contains|all", json!(["cmd", "netstat"])).matches(&d));
    }

    #[test]
    fn regex_cidr_base64_and_windash() {
        let d = doc(
            json!({"Ip": "10.1.2.3", "V6": "fe80::1", "Cmd": "powershell -enc SQBFAFgA", "B": "ZXZpbCBjb21tYW5k"}),
        );
        assert!(m("Ip|cidr", json!("10.0.0.0/8")).matches(&d));
        assert!(!m("Ip|cidr", json!("192.168.0.0/16")).matches(&d));
        assert!(m("V6|cidr", json!("fe80::/10")).matches(&d));
        assert!(m("Cmd|re", json!("-enc [A-Z]+")).matches(&d));
        assert!(!m("Cmd|re", json!("-ENC")).matches(&d));
        assert!(m("Cmd|re|i", json!("-ENC")).matches(&d));
        assert!(m("Cmd|windash|contains", json!(" /enc ")).matches(&d));
        let en_dash = doc(json!({"Cmd": "powershell \u{2013}enc SQBFAFgA"}));
        assert!(m("Cmd|windash|contains", json!(" -enc ")).matches(&en_dash));
        assert!(!m("Cmd|contains", json!(" /enc ")).matches(&d));
        assert_eq!(
            windash("a-b"),
            vec!["a-b"],
            "a dash inside a word is not an option"
        );
        assert!(m("B|base64", json!("evil command")).matches(&d));
        // "command" inside a longer base64 text, at any offset.
        let inner = doc(json!({"B": B64.encode("run the command now")}));
        assert!(m("B|base64offset|contains", json!("command")).matches(&inner));
        let wide = doc(json!({"B": B64.encode(utf16("Invoke-Mimikatz", false, false))}));
        assert!(m("B|wide|base64offset|contains", json!("Mimikatz")).matches(&wide));
    }

    #[test]
    fn keywords_search_every_value() {
        let d = doc(json!({"product": "linux", "msg": "Accepted password for root", "n": 3}));
        let k = FieldMatcher::compile(None, &[], &[json!("password for")])
            .unwrap()
            .into_keywords();
        assert!(k.matches(&d));
        let k = FieldMatcher::compile(None, &[], &[json!("linux")])
            .unwrap()
            .into_keywords();
        assert!(!k.matches(&d), "log source keys are not searched");
    }
}
