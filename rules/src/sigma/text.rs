//! Sigma's string patterns: wildcards read once into a shape (exact, prefix, suffix,
//! substring or glob), compared without regard to ASCII case unless `|cased`; and
//! lists of them folded into one pass when a value may match any of them.

/// Where a value's text must appear in the field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Position {
    Equal,
    Prefix,
    Suffix,
    Contains,
}

/// A string pattern, already lower-cased when case-insensitive.
#[derive(Debug, Clone)]
pub(super) enum Shape {
    Exact(String),
    Prefix(String),
    Suffix(String),
    Contains(String),
    Glob(Glob),
}

/// A pattern with `*` or `?` inside its text.
#[derive(Debug, Clone)]
pub(super) struct Glob {
    /// The regular expression of the pieces between the anchors.
    body: String,
    /// Anchored at the start of the value (no leading `*`).
    start: bool,
    /// Anchored at the end of the value (no trailing `*`).
    end: bool,
    /// The longest run of literal text, which any matching value contains (for the
    /// prefilter).
    pub(super) literal: String,
    regex: regex::Regex,
}

impl Glob {
    fn new(body: String, start: bool, end: bool, literal: String) -> Glob {
        let pattern = Glob::pattern_of(&body, start, end);
        Glob {
            regex: regex::Regex::new(&pattern).expect("escaped pattern is valid"),
            body,
            start,
            end,
            literal,
        }
    }

    fn pattern_of(body: &str, start: bool, end: bool) -> String {
        format!(
            "(?s){}{body}{}",
            if start { "^" } else { "" },
            if end { "$" } else { "" }
        )
    }

    fn pattern(&self) -> String {
        Glob::pattern_of(&self.body, self.start, self.end)
    }

    /// The same pattern found anywhere in a value (keywords search full text).
    fn anywhere(self) -> Glob {
        Glob::new(self.body, false, false, self.literal)
    }
}

impl Shape {
    /// The same shape found anywhere in a value (keywords search full text).
    pub(super) fn anywhere(self) -> Shape {
        match self {
            Shape::Exact(t) | Shape::Prefix(t) | Shape::Suffix(t) => Shape::Contains(t),
            Shape::Glob(g) => Shape::Glob(g.anywhere()),
            contains => contains,
        }
    }

    /// Literal text every matching value contains (empty when none).
    pub(super) fn literal(&self) -> &str {
        match self {
            Shape::Exact(s) | Shape::Prefix(s) | Shape::Suffix(s) | Shape::Contains(s) => s,
            Shape::Glob(g) => &g.literal,
        }
    }

    /// The shape as a regular expression over text already folded like the pattern.
    fn pattern(&self) -> String {
        match self {
            Shape::Exact(s) => format!("^{}$", regex::escape(s)),
            Shape::Prefix(s) => format!("^{}", regex::escape(s)),
            Shape::Suffix(s) => format!("{}$", regex::escape(s)),
            Shape::Contains(s) => regex::escape(s),
            Shape::Glob(g) => g.pattern(),
        }
    }
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

/// Reads `value` (Sigma wildcard syntax) wanted at `position` into a shape.
pub(super) fn shape(value: &str, position: Position, cased: bool) -> Shape {
    let mut parts = pieces(value);
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
    let mut literal = String::new();
    let mut run = String::new();
    let mut body = String::new();
    for p in inner {
        match p {
            Piece::Literal(c) => {
                run.push(fold(*c));
                body.push_str(&regex::escape(&fold(*c).to_string()));
            }
            Piece::Star => {
                run.clear();
                body.push_str(".*");
            }
            Piece::One => {
                run.clear();
                body.push('.');
            }
        }
        if run.len() > literal.len() {
            literal.clone_from(&run);
        }
    }
    Shape::Glob(Glob::new(body, !leading, !trailing, literal))
}

/// Whether `text` matches `shape` (lower-cased unless `cased`).
pub(super) fn text_matches(shape: &Shape, cased: bool, text: &str) -> bool {
    if cased {
        return match shape {
            Shape::Exact(s) => text == s,
            Shape::Prefix(s) => text.starts_with(s.as_str()),
            Shape::Suffix(s) => text.ends_with(s.as_str()),
            Shape::Contains(s) => text.contains(s.as_str()),
            Shape::Glob(g) => g.regex.is_match(text),
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
        Shape::Glob(g) => g.regex.is_match(&folded(text)),
    }
}

fn folded(text: &str) -> std::borrow::Cow<'_, str> {
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(text.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(text)
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

/// Several shapes of which a value must match any, searched in one pass: one
/// Aho-Corasick automaton when they are all case-insensitive substrings (keyword lists,
/// long `|contains` lists), else one regular expression of their alternation.
#[derive(Debug, Clone)]
pub(super) enum AnyShape {
    Substrings(aho_corasick::AhoCorasick),
    Alternation { regex: regex::Regex, cased: bool },
}

impl AnyShape {
    /// The one-pass search for `shapes` (each with its `cased`), when there are enough
    /// of them to be worth it and they fold the same way.
    pub(super) fn new(shapes: &[(&Shape, bool)]) -> Option<AnyShape> {
        let (_, cased) = *shapes.first()?;
        if shapes.len() < 2 || shapes.iter().any(|(_, c)| *c != cased) {
            return None;
        }
        let substrings: Option<Vec<&str>> = shapes
            .iter()
            .map(|(s, _)| match s {
                Shape::Contains(s) if !cased => Some(s.as_str()),
                _ => None,
            })
            .collect();
        if let Some(needles) = substrings {
            return aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(needles)
                .ok()
                .map(AnyShape::Substrings);
        }
        let alternation: Vec<String> = shapes
            .iter()
            .map(|(s, _)| format!("(?:{})", s.pattern()))
            .collect();
        // Too large an alternation is refused by the regex crate: then each shape is
        // tried in turn, as without this.
        regex::Regex::new(&format!("(?s){}", alternation.join("|")))
            .ok()
            .map(|regex| AnyShape::Alternation { regex, cased })
    }

    pub(super) fn is_match(&self, text: &str) -> bool {
        match self {
            AnyShape::Substrings(automaton) => automaton.is_match(text),
            AnyShape::Alternation { regex, cased: true } => regex.is_match(text),
            AnyShape::Alternation { regex, .. } => regex.is_match(&folded(text)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any(values: &[&str], position: Position, cased: bool) -> AnyShape {
        let shapes: Vec<Shape> = values.iter().map(|v| shape(v, position, cased)).collect();
        let pairs: Vec<(&Shape, bool)> = shapes.iter().map(|s| (s, cased)).collect();
        AnyShape::new(&pairs).unwrap()
    }

    #[test]
    fn one_pass_agrees_with_each_shape() {
        let values = [
            "/bin/sh",
            "*wget *; chmod +x*",
            "chmod 777 2020*",
            "*>>/etc/rc.local",
            "a?c",
            "price $5*",
            "\\*literal",
        ];
        let texts = [
            "/BIN/SH",
            "x wget http://a; chmod +x b",
            "chmod 777 2020-01",
            "echo x >>/etc/rc.local",
            "abc",
            "aXc!",
            "price $5 each",
            "*literal",
            "literal",
            "",
        ];
        for position in [Position::Equal, Position::Contains, Position::Prefix] {
            for cased in [false, true] {
                let set = any(&values, position, cased);
                for text in texts {
                    let each = values
                        .iter()
                        .any(|v| text_matches(&shape(v, position, cased), cased, text));
                    assert_eq!(
                        set.is_match(text),
                        each,
                        "{text:?} at {position:?}, cased {cased}"
                    );
                }
            }
        }
        let anywhere = shape("*$5", Position::Equal, false).anywhere();
        assert!(
            text_matches(&anywhere, false, "pay $5 now"),
            "escaped $ kept"
        );
    }
}
