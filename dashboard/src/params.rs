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
    /// `param: what is wrong`, in `lang`.
    pub fn detail(&self, lang: crate::i18n::Lang) -> String {
        let fr = lang == crate::i18n::Lang::Fr;
        let what = match &self.problem {
            Problem::TooLong(n) if fr => format!("plus de {n} caractères"),
            Problem::TooLong(n) => format!("longer than {n} characters"),
            Problem::NotOneOf(v, allowed) if fr => {
                format!("{v:?} n'est pas l'une des valeurs {}", allowed.join(", "))
            }
            Problem::NotOneOf(v, allowed) => format!("{v:?} is not one of {}", allowed.join(", ")),
            Problem::NotATime(v) if fr => format!("{v:?} n'est pas une date et une heure"),
            Problem::NotATime(v) => format!("{v:?} is not a date and time"),
            Problem::EndBeforeStart if fr => "la fin précède le début".into(),
            Problem::EndBeforeStart => "the end comes before the start".into(),
            Problem::NotACursor if fr => "pas un repère de page".into(),
            Problem::NotACursor => "not a page cursor".into(),
            Problem::OutOfRange(a, b) if fr => format!("doit être un entier de {a} à {b}"),
            Problem::OutOfRange(a, b) => format!("must be a whole number from {a} to {b}"),
            Problem::NotANumber(v) if fr => format!("{v:?} n'est pas un nombre"),
            Problem::NotANumber(v) => format!("{v:?} is not a number"),
            Problem::NotAFieldName(v) if fr => format!("{v:?} n'est pas un nom de champ"),
            Problem::NotAFieldName(v) => format!("{v:?} is not a field name"),
            Problem::TooManyHosts if fr => {
                "au plus 500 noms d'hôtes de 255 caractères au plus".into()
            }
            Problem::TooManyHosts => "at most 500 host names of up to 255 characters".into(),
            Problem::NotAQuery if fr => "pas une chaîne de requête (nom=valeur&…)".into(),
            Problem::NotAQuery => "not a query string (name=value&…)".into(),
            Problem::Unknown(known) if fr => {
                format!("paramètre inconnu ici (connus\u{a0}: {})", known.join(", "))
            }
            Problem::Unknown(known) => {
                format!("no such parameter here (known: {})", known.join(", "))
            }
            Problem::Required if fr => "obligatoire".into(),
            Problem::Required => "required".into(),
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
