//! The dashboard's words come from the one catalogue of `vigie-model`; this module only
//! gathers what pages need from it.

pub use vigie_model::i18n::{colon, fill, in_lang, rule_title, t, Lang, Msg};
