//! Request parameters, read in one leaf module that every layer may use: the list as it
//! came, and a parameter that cannot be used — which one, and what is wrong with it, said
//! in French or English.

pub use vigie_model::time::parse_time;

/// Query parameters in order, repeated names kept (`severity=high&severity=critical`).
pub type Params = Vec<(String, String)>;

/// The first value of parameter `name`.
pub fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// What is wrong with a parameter's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// Longer than this many characters.
    TooLong(usize),
    /// The value is not one of those allowed.
    NotOneOf(String, Vec<String>),
    /// Not a date and time (`YYYY-MM-DDTHH:MM`, or milliseconds).
    NotATime(String),
    /// The end comes before the start.
    EndBeforeStart,
    /// Not a page cursor given by a previous page.
    NotACursor,
    /// Not a whole number in this range.
    OutOfRange(u64, u64),
    /// Not a number.
    NotANumber(String),
    /// Not a field name.
    NotAFieldName(String),
    /// Too many host names, or one too long.
    TooManyHosts,
    /// Not a query string (`name=value&…`).
    NotAQuery,
    /// No such parameter here; the names that are.
    Unknown(Vec<String>),
    /// The parameter must be given.
    Required,
}

/// A parameter that cannot be used.
#[derive(Debug, Clone, PartialEq)]
pub struct BadParam {
    /// Its name.
    pub param: String,
    /// What is wrong.
    pub problem: Problem,
}

/// The parameter `param` has `problem`.
pub fn bad(param: &str, problem: Problem) -> BadParam {
    BadParam {
        param: param.into(),
        problem,
    }
}

/// `one of` lists are built from string slices.
pub fn one_of(value: &str, allowed: &[&str]) -> Problem {
    Problem::NotOneOf(
        value.into(),
        allowed.iter().map(|a| a.to_string()).collect(),
    )
}

/// The first parameter whose name is not in `known`, refused: a misspelt filter must
/// not silently widen what a request reads or changes.
pub fn only_known(params: &Params, known: &[&str]) -> Result<(), BadParam> {
    match params.iter().find(|(k, _)| !known.contains(&k.as_str())) {
        Some((name, _)) => Err(bad(
            name,
            Problem::Unknown(known.iter().map(|k| k.to_string()).collect()),
        )),
        None => Ok(()),
    }
}

impl BadParam {
    /// `param: what is wrong`, in `lang` (the words from the catalogue).
    pub fn detail(&self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::{fill, t, Msg};
        let what = match &self.problem {
            Problem::TooLong(n) => fill(lang, Msg::ProblemTooLong, &[("n", n)]),
            Problem::NotOneOf(v, allowed) => fill(
                lang,
                Msg::ProblemNotOneOf,
                &[
                    ("value", &format!("{v:?}")),
                    ("allowed", &allowed.join(", ")),
                ],
            ),
            Problem::NotATime(v) => {
                fill(lang, Msg::ProblemNotATime, &[("value", &format!("{v:?}"))])
            }
            Problem::EndBeforeStart => t(lang, Msg::ProblemEndBeforeStart).into(),
            Problem::NotACursor => t(lang, Msg::ProblemNotACursor).into(),
            Problem::OutOfRange(a, b) => fill(lang, Msg::ProblemOutOfRange, &[("a", a), ("b", b)]),
            Problem::NotANumber(v) => fill(
                lang,
                Msg::ProblemNotANumber,
                &[("value", &format!("{v:?}"))],
            ),
            Problem::NotAFieldName(v) => fill(
                lang,
                Msg::ProblemNotAFieldName,
                &[("value", &format!("{v:?}"))],
            ),
            Problem::TooManyHosts => t(lang, Msg::ProblemTooManyHosts).into(),
            Problem::NotAQuery => t(lang, Msg::ProblemNotAQuery).into(),
            Problem::Unknown(known) => {
                fill(lang, Msg::ProblemUnknown, &[("known", &known.join(", "))])
            }
            Problem::Required => t(lang, Msg::ProblemRequired).into(),
        };
        format!("{}{}{what}", self.param, crate::i18n::colon(lang))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn details_in_both_languages() {
        let e = bad("severity", one_of("urgent", &["low", "high"]));
        assert_eq!(
            e.detail(Lang::En),
            "severity: \"urgent\" is not one of low, high"
        );
        assert_eq!(
            e.detail(Lang::Fr),
            "severity\u{a0}: \"urgent\" n'est pas l'une des valeurs low, high"
        );
        assert_eq!(
            bad("limit", Problem::OutOfRange(1, 9)).detail(Lang::Fr),
            "limit\u{a0}: doit être un entier de 1 à 9"
        );
    }
}
