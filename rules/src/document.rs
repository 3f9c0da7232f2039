//! What rules look at: a flat set of named values, plus the log source it came from.

use serde_json::{Map, Value};
use vigie_model::Event;

/// An event as the engine sees it. Field names are matched exactly first, then without
/// regard to ASCII case (as SigmaHQ's reference backends do).
pub trait Document {
    /// The value of field `name`, if present and not null.
    fn get(&self, name: &str) -> Option<&Value>;
    /// Every field value, for keyword (field-less) searches; log source keys excluded.
    fn values(&self) -> Box<dyn Iterator<Item = &Value> + '_>;
    /// Calls `visit` with every field and its name (log source keys included), for the
    /// prefilter (a callback rather than an iterator: no allocation per event).
    fn visit_fields(&self, visit: &mut dyn FnMut(&str, &Value));
    /// Sigma `logsource.product` of the event (`linux` for Vigie's agents).
    fn product(&self) -> Option<&str>;
    /// Sigma `logsource.category`.
    fn category(&self) -> Option<&str>;
    /// Sigma `logsource.service`.
    fn service(&self) -> Option<&str>;
}

const LOGSOURCE_KEYS: [&str; 3] = ["product", "category", "service"];

fn lookup<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    let value = match map.get(name) {
        Some(v) => v,
        None => map.iter().find(|(k, _)| k.eq_ignore_ascii_case(name))?.1,
    };
    (!value.is_null()).then_some(value)
}

impl Document for Event {
    fn get(&self, name: &str) -> Option<&Value> {
        lookup(&self.fields, name)
    }

    fn values(&self) -> Box<dyn Iterator<Item = &Value> + '_> {
        Box::new(self.fields.values())
    }

    fn visit_fields(&self, visit: &mut dyn FnMut(&str, &Value)) {
        self.fields.iter().for_each(|(k, v)| visit(k, v));
    }

    fn product(&self) -> Option<&str> {
        Some(self.str_field("product").unwrap_or("linux"))
    }

    fn category(&self) -> Option<&str> {
        Some(&self.category)
    }

    fn service(&self) -> Option<&str> {
        self.str_field("service")
    }
}

/// A flat JSON object, as `vigie rules test` reads them: the log source is in its
/// `product`, `category` and `service` keys.
impl Document for Map<String, Value> {
    fn get(&self, name: &str) -> Option<&Value> {
        lookup(self, name)
    }

    fn values(&self) -> Box<dyn Iterator<Item = &Value> + '_> {
        Box::new(
            self.iter()
                .filter(|(k, _)| !LOGSOURCE_KEYS.iter().any(|l| k.eq_ignore_ascii_case(l)))
                .map(|(_, v)| v),
        )
    }

    fn visit_fields(&self, visit: &mut dyn FnMut(&str, &Value)) {
        self.iter().for_each(|(k, v)| visit(k, v));
    }

    fn product(&self) -> Option<&str> {
        lookup(self, "product").and_then(Value::as_str)
    }

    fn category(&self) -> Option<&str> {
        lookup(self, "category").and_then(Value::as_str)
    }

    fn service(&self) -> Option<&str> {
        lookup(self, "service").and_then(Value::as_str)
    }
}

/// A value as text the way Sigma compares it: strings as they are, booleans as
/// `true`/`false`, numbers as written, lists and objects as compact JSON.
pub fn as_text(value: &Value) -> std::borrow::Cow<'_, str> {
    match value {
        Value::String(s) => std::borrow::Cow::Borrowed(s),
        Value::Bool(b) => std::borrow::Cow::Borrowed(if *b { "true" } else { "false" }),
        other => std::borrow::Cow::Owned(other.to_string()),
    }
}
