//! SQL with bound values only: text with `?` placeholders and the values, in order.
//! User input never becomes SQL text.

use clickhouse::query::Query;
use vigie_store::Client;

/// A value bound into a query.
#[derive(Debug, Clone)]
pub enum Bind {
    /// Text.
    Text(String),
    /// A whole number.
    Number(u64),
    /// A list of texts (for `has(?, column)`).
    Texts(Vec<String>),
}

/// SQL text with `?` placeholders and their values, in order.
#[derive(Debug, Default)]
pub struct Sql {
    /// The SQL so far.
    pub text: String,
    /// Its values, in placeholder order.
    pub binds: Vec<Bind>,
}

impl Sql {
    /// Appends `text` and the values of its placeholders.
    pub fn push(&mut self, text: &str, binds: impl IntoIterator<Item = Bind>) {
        self.text.push_str(text);
        self.binds.extend(binds);
    }

    /// The query, values bound (the clickhouse crate quotes and escapes each).
    pub fn query(&self, client: &Client) -> Query {
        let mut query = client.query(&self.text);
        for bind in &self.binds {
            query = match bind {
                Bind::Text(s) => query.bind(s.as_str()),
                Bind::Number(n) => query.bind(*n),
                Bind::Texts(v) => query.bind(v.as_slice()),
            };
        }
        query
    }
}
