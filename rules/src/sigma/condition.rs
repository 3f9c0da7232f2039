//! Sigma conditions: `and`, `or`, `not`, parentheses, `1 of X*`, `all of X*`,
//! `1 of them`, `all of them` — parsed once, against the rule's selection names.

/// A parsed condition; numbers index the rule's selections.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cond {
    /// One selection.
    Sel(usize),
    /// Negation.
    Not(Box<Cond>),
    /// Every part.
    And(Vec<Cond>),
    /// Any part.
    Or(Vec<Cond>),
    /// At least one of these selections.
    AnyOf(Vec<usize>),
    /// All of these selections.
    AllOf(Vec<usize>),
}

impl Cond {
    /// Evaluates with `sel(i)` telling whether selection `i` matched.
    pub(super) fn eval(&self, sel: &mut dyn FnMut(usize) -> bool) -> bool {
        match self {
            Cond::Sel(i) => sel(*i),
            Cond::Not(c) => !c.eval(sel),
            Cond::And(parts) => parts.iter().all(|c| c.eval(sel)),
            Cond::Or(parts) => parts.iter().any(|c| c.eval(sel)),
            Cond::AnyOf(ids) => ids.iter().any(|i| sel(*i)),
            Cond::AllOf(ids) => ids.iter().all(|i| sel(*i)),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    And,
    Or,
    Not,
    Quantifier(bool),
    Of,
    Word(String),
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '(' {
            chars.next();
            tokens.push(Token::Open);
        } else if c == ')' {
            chars.next();
            tokens.push(Token::Close);
        } else if c == '|' {
            return Err(
                "aggregations after `|` are not supported: write a correlation rule".into(),
            );
        } else {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '(' || c == ')' || c == '|' {
                    break;
                }
                word.push(c);
                chars.next();
            }
            tokens.push(match word.to_ascii_lowercase().as_str() {
                "and" => Token::And,
                "or" => Token::Or,
                "not" => Token::Not,
                "1" | "any" => Token::Quantifier(false),
                "all" => Token::Quantifier(true),
                "of" => Token::Of,
                _ => Token::Word(word),
            });
        }
    }
    Ok(tokens)
}

struct Parser<'a> {
    tokens: Vec<Token>,
    pos: usize,
    names: &'a [String],
}

/// Parses `text` for a rule whose selections are `names` (in order).
pub(super) fn parse(text: &str, names: &[String]) -> Result<Cond, String> {
    let mut parser = Parser {
        tokens: tokenize(text)?,
        pos: 0,
        names,
    };
    let cond = parser.or()?;
    if let Some(t) = parser.tokens.get(parser.pos) {
        return Err(format!("unexpected {t:?} in condition {text:?}"));
    }
    Ok(cond)
}

impl Parser<'_> {
    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn or(&mut self) -> Result<Cond, String> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some(&Token::Or) {
            self.pos += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.pop().expect("one")
        } else {
            Cond::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Cond, String> {
        let mut parts = vec![self.not()?];
        while self.peek() == Some(&Token::And) {
            self.pos += 1;
            parts.push(self.not()?);
        }
        Ok(if parts.len() == 1 {
            parts.pop().expect("one")
        } else {
            Cond::And(parts)
        })
    }

    fn not(&mut self) -> Result<Cond, String> {
        if self.peek() == Some(&Token::Not) {
            self.pos += 1;
            return Ok(Cond::Not(Box::new(self.not()?)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Cond, String> {
        match self.next() {
            Some(Token::Open) => {
                let inner = self.or()?;
                match self.next() {
                    Some(Token::Close) => Ok(inner),
                    _ => Err("missing `)` in condition".into()),
                }
            }
            Some(Token::Quantifier(all)) => {
                if self.next() != Some(Token::Of) {
                    return Err("expected `of` after `1`/`all`".into());
                }
                let ids = match self.next() {
                    Some(Token::Word(w)) if w.eq_ignore_ascii_case("them") => (0..self.names.len())
                        .filter(|i| !self.names[*i].starts_with('_'))
                        .collect::<Vec<_>>(),
                    Some(Token::Word(pattern)) => {
                        let ids: Vec<usize> = (0..self.names.len())
                            .filter(|i| name_matches(&pattern, &self.names[*i]))
                            .collect();
                        if ids.is_empty() {
                            return Err(format!("no selection matches {pattern:?}"));
                        }
                        ids
                    }
                    other => {
                        return Err(format!(
                            "expected selection names after `of`, found {other:?}"
                        ))
                    }
                };
                Ok(if all {
                    Cond::AllOf(ids)
                } else {
                    Cond::AnyOf(ids)
                })
            }
            Some(Token::Word(name)) => self
                .names
                .iter()
                .position(|n| *n == name)
                .map(Cond::Sel)
                .ok_or_else(|| {
                    format!("condition names {name:?}, which is not a selection of this rule")
                }),
            Some(t) => Err(format!("unexpected {t:?} in condition")),
            None => Err("condition ends too early".into()),
        }
    }
}

/// `selection_*`-style patterns: `*` matches any run of characters.
fn name_matches(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, rest)) => {
            name.starts_with(head)
                && (0..=name.len() - head.len()).any(|i| {
                    name.is_char_boundary(head.len() + i)
                        && name_matches(rest, &name[head.len() + i..])
                })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        ["selection_a", "selection_b", "filter", "_hidden"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn precedence_quantifiers_and_them() {
        let c = parse("selection_a and not filter or selection_b", &names()).unwrap();
        assert_eq!(
            c,
            Cond::Or(vec![
                Cond::And(vec![Cond::Sel(0), Cond::Not(Box::new(Cond::Sel(2)))]),
                Cond::Sel(1)
            ])
        );
        assert_eq!(
            parse("1 of selection_*", &names()).unwrap(),
            Cond::AnyOf(vec![0, 1])
        );
        assert_eq!(
            parse("all of them", &names()).unwrap(),
            Cond::AllOf(vec![0, 1, 2])
        );
        assert_eq!(
            parse("(selection_a OR selection_b) AND NOT filter", &names()).unwrap(),
            Cond::And(vec![
                Cond::Or(vec![Cond::Sel(0), Cond::Sel(1)]),
                Cond::Not(Box::new(Cond::Sel(2)))
            ])
        );
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert!(parse("selection_c", &names())
            .unwrap_err()
            .contains("selection_c"));
        assert!(parse("1 of nothing*", &names())
            .unwrap_err()
            .contains("nothing*"));
        assert!(parse("(selection_a", &names()).is_err());
        assert!(parse("selection_a | count() > 5", &names())
            .unwrap_err()
            .contains("correlation"));
        assert!(parse("selection_a selection_b", &names()).is_err());
    }
}
