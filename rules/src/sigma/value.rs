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
use super::text::{shape, text_matches, AnyShape, Position, Shape};
use crate::document::{as_text, Document};

/// How one value matches a field's text.
#[derive(Debug, Clone)]
enum Matcher {
    Text {
        shape: Shape,
        cased: bool,
    },
    /// A regular expression, and texts one of which starts any of its matches (when
    /// they can be known), for the prefilter.
    Regex(regex::Regex, Option<Vec<String>>),
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

/// A field (or, without a field, any value of the event) and what it must match.
#[derive(Debug, Clone)]
pub(super) struct FieldMatcher {
    field: Option<String>,
    all: bool,
    negate: bool,
    matchers: Vec<Matcher>,
    /// When a value may match any of several texts, one pass over it replaces one
    /// per text.
    any_shape: Option<AnyShape>,
}

/// The one-pass search over `matchers`, when they are all texts any of which may match.
fn one_pass(matchers: &[Matcher], all: bool, negate: bool) -> Option<AnyShape> {
    if all || negate {
        return None;
    }
    let shapes: Option<Vec<(&Shape, bool)>> = matchers
        .iter()
        .map(|m| match m {
            Matcher::Text { shape, cased } => Some((shape, *cased)),
            _ => None,
        })
        .collect();
    AnyShape::new(&shapes?)
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
    pub(super) fn compile(
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
                matchers.push(Matcher::Regex(re, regex_prefixes(&pattern)));
                continue;
            }
            if has(Modifier::Cidr) {
                let (addr, bits) = crate::net::parse_network(&text)?;
                matchers.push(Matcher::Cidr(addr, bits));
                continue;
            }
            for text in encode(&text, modifiers) {
                matchers.push(Matcher::Text {
                    shape: shape(&text, position, cased),
                    cased,
                });
            }
        }
        let (all, negate) = (has(Modifier::All), has(Modifier::Neq));
        Ok(FieldMatcher {
            any_shape: one_pass(&matchers, all, negate),
            field,
            all,
            negate,
            matchers,
        })
    }

    /// True when `doc` satisfies this item.
    pub(super) fn matches(&self, doc: &dyn Document) -> bool {
        let Some(field) = &self.field else {
            return self.matches_keywords(doc);
        };
        let value = doc.get(field);
        if let Some(set) = &self.any_shape {
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
        if let Some(set) = &self.any_shape {
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
    pub(super) fn into_keywords(mut self) -> FieldMatcher {
        for m in &mut self.matchers {
            if let Matcher::Text { shape: s, .. } = m {
                *s = std::mem::replace(s, Shape::Exact(String::new())).anywhere();
            }
        }
        self.any_shape = one_pass(&self.matchers, self.all, self.negate);
        self
    }
}

impl FieldMatcher {
    /// The field this item looks at (`None` for keywords, which look at every value).
    pub(super) fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// Texts of which the value must contain at least one (ASCII case aside) for this
    /// item to match, or `None` when no such list exists (negations, regular
    /// expressions, numbers, CIDR, `null`…). The prefilter's raw material.
    pub(super) fn required_literals(&self) -> Option<Vec<&str>> {
        if self.negate {
            return None;
        }
        fn literals(m: &Matcher) -> Option<Vec<&str>> {
            let all: Vec<&str> = match m {
                Matcher::Text { shape, .. } => vec![shape.literal()],
                Matcher::Regex(_, Some(prefixes)) => prefixes.iter().map(String::as_str).collect(),
                _ => return None,
            };
            (!all.is_empty() && all.iter().all(|s| !s.is_empty())).then_some(all)
        }
        if self.all {
            // Every value must match: the one with the longest shortest text is enough.
            return self
                .matchers
                .iter()
                .filter_map(literals)
                .max_by_key(|l| l.iter().map(|s| s.len()).min());
        }
        let mut all = Vec::new();
        for m in &self.matchers {
            all.extend(literals(m)?);
        }
        Some(all)
    }
}

/// Texts one of which begins every match of `pattern`, if a short list of them can be
/// found (at most 64, none empty). Non-UTF-8 pieces give up: they cannot be searched as
/// text.
fn regex_prefixes(pattern: &str) -> Option<Vec<String>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = regex_syntax::parse(pattern).ok()?;
    let mut extractor = Extractor::new();
    extractor.kind(ExtractKind::Prefix).limit_total(64);
    let mut seq = extractor.extract(&hir);
    // Case variants of one text are one text for a case-insensitive search.
    seq.dedup();
    let literals = seq.literals()?;
    let texts: Option<Vec<String>> = literals
        .iter()
        .map(|l| String::from_utf8(l.as_bytes().to_vec()).ok())
        .collect();
    let mut texts = texts?;
    texts.iter_mut().for_each(|t| t.make_ascii_lowercase());
    texts.sort();
    texts.dedup();
    (!texts.is_empty() && texts.iter().all(|t| !t.is_empty())).then_some(texts)
}

fn matches_value(m: &Matcher, value: &Value, doc: &dyn Document) -> bool {
    let text = as_text(value);
    match m {
        Matcher::Text { shape, cased } => text_matches(shape, *cased, &text),
        Matcher::Regex(re, _) => re.is_match(&text),
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
