//! Path patterns for file-monitoring exclusions, compiled by `globset` (linear-time
//! matching whatever the pattern; a bad pattern is an error naming it).
//!
//! `*` and `?` stay within one path segment, `**` crosses segments. A pattern with a `/`
//! is matched against the whole path, one without against the file's name.

use std::path::Path;

/// A compiled exclusion pattern.
#[derive(Debug, Clone)]
pub struct PathGlob {
    matcher: globset::GlobMatcher,
    whole_path: bool,
}

/// A pattern that cannot be compiled.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{pattern:?} is not a valid pattern: {reason}")]
pub struct GlobError {
    /// The pattern as written.
    pub pattern: String,
    /// What is wrong with it.
    pub reason: String,
}

impl PathGlob {
    /// Compiles `pattern`.
    pub fn new(pattern: &str) -> Result<PathGlob, GlobError> {
        let glob = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map_err(|e| GlobError {
                pattern: pattern.to_string(),
                reason: e.kind().to_string(),
            })?;
        Ok(PathGlob {
            matcher: glob.compile_matcher(),
            whole_path: pattern.contains('/'),
        })
    }

    /// True when `path` matches.
    pub fn matches(&self, path: &Path) -> bool {
        if self.whole_path {
            self.matcher.is_match(path)
        } else {
            path.file_name().is_some_and(|n| self.matcher.is_match(n))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, path: &str) -> bool {
        PathGlob::new(pattern).unwrap().matches(Path::new(path))
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

    #[test]
    fn bad_patterns_are_refused_by_name() {
        // Issue #11: bad syntax used to be accepted and never match.
        let e = PathGlob::new("/etc/[abc").unwrap_err();
        assert_eq!(e.pattern, "/etc/[abc");
        assert!(e.to_string().contains("/etc/[abc"), "{e}");
        assert!(PathGlob::new("{a,b").is_err());
    }

    #[test]
    fn hostile_patterns_match_in_linear_time() {
        // Issue #11: the hand-written matcher backtracked exponentially on these.
        let pattern = "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";
        let name = "a".repeat(200);
        let start = std::time::Instant::now();
        assert!(!m(pattern, &format!("/tmp/{name}")));
        let deep = format!("/{}c", "a/".repeat(100));
        assert!(!m(&format!("/**{}/b", "/**".repeat(20)), &deep));
        // Generous: a backtracking matcher takes hours here.
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }
}
