//! Who is asking, and what their role lets them do.
//!
//! A request is made either by a signed-in person (session cookie; state changes need
//! the session's CSRF token) or by a program holding an API token (`Authorization:
//! Bearer …`; no cookie, so no CSRF). Roles: auditors read and export, analysts also
//! triage, admins also manage users and agents.

use crate::i18n::{Lang, Msg};

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Reads and exports.
    Auditor,
    /// Reads, exports and triages.
    Analyst,
    /// Everything, including users and agents.
    Admin,
}

impl Role {
    /// Every role, least powerful first.
    pub const ALL: [Role; 3] = [Role::Auditor, Role::Analyst, Role::Admin];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Auditor => "auditor",
            Role::Analyst => "analyst",
            Role::Admin => "admin",
        }
    }

    /// What a person reads for it.
    pub fn msg(self) -> Msg {
        match self {
            Role::Auditor => Msg::RoleAuditor,
            Role::Analyst => Msg::RoleAnalyst,
            Role::Admin => Msg::RoleAdmin,
        }
    }

    /// The label of a stored role name (shown as stored when unknown).
    pub fn label_of(name: &str, lang: Lang) -> &str {
        Role::parse(name).map_or(name, |r| r.msg().text(lang))
    }

    /// The role stored as `name`.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// May acknowledge, assign, comment and set statuses.
    pub fn can_triage(self) -> bool {
        self >= Role::Analyst
    }

    /// May manage users and agents.
    pub fn is_admin(self) -> bool {
        self == Role::Admin
    }
}

/// How the request proved who it is.
#[derive(Debug, Clone)]
pub enum Credential {
    /// A session cookie: its id, and the CSRF token state changes must carry.
    Session {
        /// The session's id (the cookie value).
        id: String,
        /// The token forms and API calls must echo.
        csrf: String,
    },
    /// An API token, by its public id.
    Token {
        /// The token's public id.
        token_id: String,
    },
}

/// The person or program behind a request.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The user (a token acts as the user who made it).
    pub username: String,
    /// What they may do.
    pub role: Role,
    /// How they proved it.
    pub credential: Credential,
}

impl Principal {
    /// True when `provided` is this session's CSRF token, or when the request comes with
    /// an API token (no cookie, so nothing to forge).
    pub fn csrf_ok(&self, provided: Option<&str>) -> bool {
        match &self.credential {
            Credential::Session { csrf, .. } => {
                provided.is_some_and(|p| constant_time_eq(p.as_bytes(), csrf.as_bytes()))
            }
            Credential::Token { .. } => true,
        }
    }

    /// The session's CSRF token, for forms (empty for API tokens).
    pub fn csrf(&self) -> &str {
        match &self.credential {
            Credential::Session { csrf, .. } => csrf,
            Credential::Token { .. } => "",
        }
    }
}

/// Compares without stopping at the first difference, so timing tells nothing of
/// where a guess went wrong.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_grant_in_order() {
        assert!(!Role::Auditor.can_triage());
        assert!(Role::Analyst.can_triage() && !Role::Analyst.is_admin());
        assert!(Role::Admin.can_triage() && Role::Admin.is_admin());
        assert_eq!(Role::parse("analyst"), Some(Role::Analyst));
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn csrf_is_checked_for_sessions_only() {
        let session = Principal {
            username: "a".into(),
            role: Role::Analyst,
            credential: Credential::Session {
                id: "s".into(),
                csrf: "right".into(),
            },
        };
        assert!(session.csrf_ok(Some("right")));
        assert!(!session.csrf_ok(Some("wrong")) && !session.csrf_ok(None));
        let token = Principal {
            credential: Credential::Token {
                token_id: "t".into(),
            },
            ..session
        };
        assert!(token.csrf_ok(None));
    }
}
