//! Exclusion patterns: `*` and `?` stay within one path segment, `**` crosses segments.
//! A pattern with a `/` is matched against the whole path, one without against the name.

use std::path::Path;

/// A compiled exclusion pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Glob {
    pattern: Vec<char>,
    whole_path: bool,
}

impl Glob {
    /// Compiles `pattern`.
    pub fn new(pattern: &str) -> Glob {
        Glob {
            pattern: pattern.chars().collect(),
            whole_path: pattern.contains('/'),
        }
    }

    /// True when `path` matches.
    pub fn matches(&self, path: &Path) -> bool {
        let text = if self.whole_path {
            path.to_string_lossy()
        } else {
            match path.file_name() {
                Some(name) => name.to_string_lossy(),
                None => return false,
            }
        };
        let text: Vec<char> = text.chars().collect();
        matches_at(&self.pattern, &text)
    }
}

fn matches_at(pattern: &[char], text: &[char]) -> bool {
    match pattern.first() {
        None => text.is_empty(),
        Some('*') if pattern.get(1) == Some(&'*') => {
            let rest = &pattern[2..];
            (0..=text.len()).any(|i| matches_at(rest, &text[i..]))
        }
        Some('*') => {
            let rest = &pattern[1..];
            for i in 0..=text.len() {
                if matches_at(rest, &text[i..]) {
                    return true;
                }
                if text.get(i) == Some(&'/') {
                    break;
                }
            }
            false
        }
        Some('?') => {
            matches!(text.first(), Some(c) if *c != '/') && matches_at(&pattern[1..], &text[1..])
        }
        Some(c) => text.first() == Some(c) && matches_at(&pattern[1..], &text[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, path: &str) -> bool {
        Glob::new(pattern).matches(Path::new(path))
    }

    #[test]
    fn name_patterns_and_path_patterns() {
        assert!(m("*.swp", "/etc/.passwd.swp"));
        assert!(!m("*.swp", "/etc/passwd"));
        assert!(m("/etc/mtab", "/etc/mtab"));
        assert!(!m("/etc/*", "/etc/ssh/sshd_config"));
        assert!(m("/etc/**", "/etc/ssh/sshd_config"));
        assert!(m("/var/www/**/cache/*", "/var/www/site/a/cache/x.html"));
        assert!(m("file?.txt", "/tmp/file1.txt"));
        assert!(!m("file?.txt", "/tmp/file12.txt"));
    }
}
