//! Value modifiers of the Sigma specification (`Field|contains|all`).

/// One modifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modifier {
    /// Value anywhere in the field.
    Contains,
    /// Field starts with the value.
    StartsWith,
    /// Field ends with the value.
    EndsWith,
    /// Every value of the list must match (instead of any).
    All,
    /// Value is a regular expression.
    Re,
    /// Regular expression flag: case-insensitive.
    ReI,
    /// Regular expression flag: multi-line.
    ReM,
    /// Regular expression flag: dot matches newline.
    ReS,
    /// Value is an IPv4 or IPv6 network.
    Cidr,
    /// Value is base64-encoded before matching.
    Base64,
    /// Value is base64-encoded at the three possible offsets.
    Base64Offset,
    /// Value is encoded as UTF-16 little-endian.
    Utf16Le,
    /// Value is encoded as UTF-16 big-endian.
    Utf16Be,
    /// Value is encoded as UTF-16 with a byte-order mark.
    Utf16,
    /// Same as UTF-16 little-endian.
    Wide,
    /// `-` also matches `/` and the Unicode dashes (Windows option syntax).
    Windash,
    /// Value is true or false: the field is present or absent.
    Exists,
    /// Comparison is case-sensitive.
    Cased,
    /// Field is not equal to the value.
    Neq,
    /// Numeric less than.
    Lt,
    /// Numeric less than or equal.
    Lte,
    /// Numeric greater than.
    Gt,
    /// Numeric greater than or equal.
    Gte,
    /// Value names another field to compare with.
    FieldRef,
}

impl Modifier {
    /// The modifier named `name`, if the specification has it.
    pub fn parse(name: &str) -> Option<Modifier> {
        Some(match name {
            "contains" => Modifier::Contains,
            "startswith" => Modifier::StartsWith,
            "endswith" => Modifier::EndsWith,
            "all" => Modifier::All,
            "re" => Modifier::Re,
            "i" => Modifier::ReI,
            "m" => Modifier::ReM,
            "s" => Modifier::ReS,
            "cidr" => Modifier::Cidr,
            "base64" => Modifier::Base64,
            "base64offset" => Modifier::Base64Offset,
            "utf16le" => Modifier::Utf16Le,
            "utf16be" => Modifier::Utf16Be,
            "utf16" => Modifier::Utf16,
            "wide" => Modifier::Wide,
            "windash" => Modifier::Windash,
            "exists" => Modifier::Exists,
            "cased" => Modifier::Cased,
            "neq" => Modifier::Neq,
            "lt" => Modifier::Lt,
            "lte" => Modifier::Lte,
            "gt" => Modifier::Gt,
            "gte" => Modifier::Gte,
            "fieldref" => Modifier::FieldRef,
            _ => return None,
        })
    }
}

/// Splits `Field|mod|mod` into the field (empty for keywords) and its modifiers.
pub(super) fn split_key(key: &str) -> Result<(Option<String>, Vec<Modifier>), String> {
    let mut parts = key.split('|');
    let field = parts.next().unwrap_or("");
    let mut modifiers = Vec::new();
    for name in parts {
        let modifier =
            Modifier::parse(name).ok_or_else(|| format!("unknown modifier {name:?} in {key:?}"))?;
        if matches!(modifier, Modifier::ReI | Modifier::ReM | Modifier::ReS)
            && !modifiers.contains(&Modifier::Re)
        {
            return Err(format!("modifier {name:?} in {key:?} only follows |re"));
        }
        modifiers.push(modifier);
    }
    let field = (!field.is_empty()).then(|| field.to_string());
    Ok((field, modifiers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_fields_and_names_unknown_modifiers() {
        assert_eq!(
            split_key("CommandLine|contains|all").unwrap(),
            (
                Some("CommandLine".into()),
                vec![Modifier::Contains, Modifier::All]
            )
        );
        assert_eq!(split_key("|re").unwrap(), (None, vec![Modifier::Re]));
        let err = split_key("Image|endswit").unwrap_err();
        assert!(err.contains("\"endswit\""), "{err}");
        assert!(split_key("x|i").is_err());
    }
}
