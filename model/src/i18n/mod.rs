//! The one French/English catalogue of everything a person reads, for every part of
//! Vigie: agent, collector, dashboard, command line.
//!
//! Messages are [`Msg`] variants, so a message that does not exist does not compile, and
//! each entry of the catalogue must give both languages. Keys that come from data (a
//! stored action, a refusal code) are looked up with [`Msg::from_key`]; functions that
//! compose such keys live beside the type they name, and a test walks every value.

/// A language Vigie speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// French.
    Fr,
}

impl Lang {
    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// `en` or `fr` (and regional forms such as `fr-ML`), case-insensitive.
    pub fn parse(code: &str) -> Option<Lang> {
        let primary = code
            .trim()
            .split(['-', '_', '.'])
            .next()?
            .to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "fr" => Some(Lang::Fr),
            _ => None,
        }
    }

    /// The preferred language of an HTTP `Accept-Language` header, English when none fits.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let Some(lang) = pieces.next().and_then(Lang::parse) else {
                continue;
            };
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }

    /// The language of the environment (`VIGIE_LANG`, then `LANG`), English by default.
    pub fn from_env() -> Lang {
        ["VIGIE_LANG", "LC_ALL", "LANG"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find_map(|v| Lang::parse(&v))
            .unwrap_or_default()
    }
}

/// Writes [`Msg`] from the list in `catalogue.rs`: every entry must give a key, English
/// and French, so a message without a translation does not compile.
macro_rules! catalogue {
    ($($variant:ident = $key:literal, $en:literal, $fr:literal;)+) => {
        /// A message a person reads; [`Msg::text`] gives it in a language.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Msg {
            $(#[doc = $en] $variant,)+
        }

        impl Msg {
            /// Every message.
            pub const ALL: &'static [Msg] = &[$(Msg::$variant),+];

            /// The stable key: the code of a JSON refusal, the name of an audit action.
            pub fn key(self) -> &'static str {
                match self {
                    $(Msg::$variant => $key,)+
                }
            }

            /// The message in `lang`.
            pub fn text(self, lang: Lang) -> &'static str {
                match lang {
                    Lang::En => match self {
                        $(Msg::$variant => $en,)+
                    },
                    Lang::Fr => match self {
                        $(Msg::$variant => $fr,)+
                    },
                }
            }
        }
    };
}

mod catalogue;

pub use catalogue::Msg;

impl Msg {
    /// The message whose key is `key`: for keys that come from data (a stored action, a
    /// refusal code). Code that knows its message names the variant instead.
    pub fn from_key(key: &str) -> Option<Msg> {
        Msg::ALL.iter().copied().find(|m| m.key() == key)
    }
}

/// The message `msg` in `lang`.
pub fn t(lang: Lang, msg: Msg) -> &'static str {
    msg.text(lang)
}

/// A colon and its space as each language writes them after a word (French puts a
/// no-break space before it).
pub fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "\u{a0}: ",
        Lang::En => ": ",
    }
}

/// A moment as a person reads it, in UTC: `1 Dec 2026 14:03` or `1 déc. 2026 14:03`.
pub fn date_time(lang: Lang, ms: u64) -> String {
    format!("{} {}", date(lang, ms), &crate::time::utc(ms)[11..16])
}

/// A day as a person reads it: `1 Dec 2026` or `1 déc. 2026`.
pub fn date(lang: Lang, ms: u64) -> String {
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const FR: [&str; 12] = [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
        "déc.",
    ];
    let day = crate::time::day(ms);
    let (year, month, dd) = (&day[..4], &day[5..7], &day[8..10]);
    let month: usize = month.parse().unwrap_or(1);
    let names = match lang {
        Lang::En => EN,
        Lang::Fr => FR,
    };
    format!(
        "{} {} {year}",
        dd.trim_start_matches('0'),
        names[month.clamp(1, 12) - 1]
    )
}

/// A count as a person reads it: `12,345` or `12 345` (narrow no-break space).
pub fn number(lang: Lang, n: u64) -> String {
    let digits = n.to_string();
    let separator = match lang {
        Lang::En => ",",
        Lang::Fr => "\u{202f}",
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(c);
    }
    out
}

/// The message `msg` in `lang` with each `{name}` replaced by its value.
pub fn fill(lang: Lang, msg: Msg, values: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut text = msg.text(lang).to_string();
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), &value.to_string());
    }
    text
}

/// [`fill`] in the language of this process's environment (`VIGIE_LANG`, `LC_ALL`,
/// `LANG`): for the command line and the daemons' own messages.
pub fn say(msg: Msg, values: &[(&str, &dyn std::fmt::Display)]) -> String {
    fill(Lang::from_env(), msg, values)
}

/// [`fill`] in English and in French, for values that keep both (a verdict stored or
/// sent on).
pub fn both(msg: Msg, values: &[(&str, &dyn std::fmt::Display)]) -> (String, String) {
    (fill(Lang::En, msg, values), fill(Lang::Fr, msg, values))
}

/// A text kept in both languages, in `lang` (the English one when there is no French).
pub fn in_lang<'a>(lang: Lang, en: &'a str, fr: &'a str) -> &'a str {
    rule_title(lang, en, fr)
}

/// A rule's title in `lang` (the English one when there is no French title).
pub fn rule_title<'a>(lang: Lang, en: &'a str, fr: &'a str) -> &'a str {
    if lang == Lang::Fr && !fr.is_empty() {
        fr
    } else {
        en
    }
}

/// Where in `text` a French high punctuation mark (`: ; ! ?`) has no no-break space
/// before it; times (`14:03`), addresses (`https://`),
/// code in backquotes and placeholders are left alone.
pub fn unspaced_punctuation(text: &str) -> Option<usize> {
    let chars: Vec<char> = text.chars().collect();
    let mut in_code = false;
    for (i, c) in chars.iter().enumerate() {
        if *c == '`' {
            in_code = !in_code;
        }
        if in_code || !matches!(c, ':' | ';' | '!' | '?') || i == 0 {
            continue;
        }
        let before = chars[i - 1];
        let after = chars.get(i + 1).copied().unwrap_or(' ');
        // A no-break space: a plain one lets the line break before the mark.
        let spaced = matches!(before, '\u{a0}' | '\u{202f}');
        let time_or_address = before.is_ascii_digit() && after.is_ascii_digit()
            || (*c == ':' && after == '/')
            || before == '}'
            || after == '{';
        if !spaced && !time_or_address {
            return Some(i);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_numbers_read_as_each_language_writes_them() {
        // 2026-12-01 14:03 UTC.
        let ms = 1_796_133_780_000;
        assert_eq!(date_time(Lang::En, ms), "1 Dec 2026 14:03");
        assert_eq!(date_time(Lang::Fr, ms), "1 déc. 2026 14:03");
        assert_eq!(number(Lang::En, 1_234_567), "1,234,567");
        assert_eq!(number(Lang::Fr, 12_345), "12\u{202f}345");
        assert_eq!(number(Lang::Fr, 999), "999");
        assert_eq!(colon(Lang::Fr), "\u{a0}: ");
    }

    #[test]
    fn every_message_has_both_languages_and_its_own_key() {
        let mut seen = std::collections::HashSet::new();
        for msg in Msg::ALL {
            assert!(seen.insert(msg.key()), "{} appears twice", msg.key());
            for lang in [Lang::En, Lang::Fr] {
                assert!(!msg.text(lang).trim().is_empty(), "{msg:?} lacks {lang:?}");
            }
            assert_eq!(Msg::from_key(msg.key()), Some(*msg));
        }
    }

    #[test]
    fn french_puts_a_space_before_high_punctuation_and_english_does_not() {
        let mut wrong = Vec::new();
        for msg in Msg::ALL {
            let fr = msg.text(Lang::Fr);
            if let Some(at) = unspaced_punctuation(fr) {
                wrong.push(format!("{} (fr, at {at}): {fr}", msg.key()));
            }
            let en = msg.text(Lang::En);
            if en.contains(" :") || en.contains("\u{a0}:") {
                wrong.push(format!("{} (en): {en}", msg.key()));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        assert_eq!(unspaced_punctuation("Période: 1 déc."), Some(7));
        assert_eq!(
            unspaced_punctuation("Période : 1 déc."),
            Some(8),
            "a plain space"
        );
        assert_eq!(
            unspaced_punctuation("Période\u{a0}: 14:03, https://x"),
            None
        );
    }

    #[test]
    fn placeholders_are_the_same_in_both_languages() {
        let names = |text: &str| -> Vec<String> {
            let mut found: Vec<String> = text
                .split('{')
                .skip(1)
                .filter_map(|r| r.split_once('}').map(|(n, _)| n.to_string()))
                .collect();
            found.sort();
            found
        };
        for msg in Msg::ALL {
            assert_eq!(
                names(msg.text(Lang::En)),
                names(msg.text(Lang::Fr)),
                "{msg:?}"
            );
        }
        assert_eq!(
            fill(Lang::Fr, Msg::TriageDone, &[("n", &3)]),
            Msg::TriageDone.text(Lang::Fr).replace("{n}", "3")
        );
    }

    #[test]
    fn accept_language_picks_the_best_known_language() {
        assert_eq!(
            Lang::from_accept_language("fr-FR,fr;q=0.9,en;q=0.8"),
            Lang::Fr
        );
        assert_eq!(
            Lang::from_accept_language("de, en;q=0.5, fr;q=0.4"),
            Lang::En
        );
        assert_eq!(Lang::from_accept_language("de"), Lang::En);
        assert_eq!(
            t(Lang::Fr, Msg::RuleSpoolDrop),
            "Un agent a perdu des événements\u{a0}: son tampon disque était plein"
        );
        assert_eq!(Msg::from_key("no_such_key"), None);
    }
}
