//! Password hashing with PBKDF2-HMAC-SHA256 (`ring`), salted, slow on purpose.

use std::num::NonZeroU32;

use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use base64::Engine;
use ring::pbkdf2;
use ring::rand::{SecureRandom, SystemRandom};

const ITERATIONS: u32 = 310_000;
const ALGORITHM: pbkdf2::Algorithm = pbkdf2::PBKDF2_HMAC_SHA256;

/// Hashes `password` as `pbkdf2-sha256$iterations$salt$hash`.
pub fn hash(password: &str) -> String {
    let mut salt = [0u8; 16];
    SystemRandom::new()
        .fill(&mut salt)
        .expect("system random source works");
    let mut out = [0u8; 32];
    let iterations = NonZeroU32::new(ITERATIONS).expect("non-zero");
    pbkdf2::derive(ALGORITHM, iterations, &salt, password.as_bytes(), &mut out);
    format!(
        "pbkdf2-sha256${ITERATIONS}${}${}",
        B64.encode(salt),
        B64.encode(out)
    )
}

/// True when `password` matches `stored` (in constant time).
pub fn verify(password: &str, stored: &str) -> bool {
    let parts: Vec<&str> = stored.split('$').collect();
    let [scheme, iterations, salt, expected] = parts.as_slice() else {
        return false;
    };
    if *scheme != "pbkdf2-sha256" {
        return false;
    }
    let (Some(iterations), Ok(salt), Ok(expected)) = (
        iterations.parse().ok().and_then(NonZeroU32::new),
        B64.decode(salt),
        B64.decode(expected),
    ) else {
        return false;
    };
    pbkdf2::verify(ALGORITHM, iterations, &salt, password.as_bytes(), &expected).is_ok()
}

/// Checks `password` against `stored`, or against a hash of nothing anyone knows when
/// there is no such account, on the blocking pool: either way the same slow work is
/// done, so the answer's timing does not tell whether an account exists (and the
/// async workers are never held for it).
pub async fn verify_timing_safe(password: &str, stored: Option<&str>) -> bool {
    static DECOY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| hash(&generate()));
    let known = stored.is_some();
    let stored = stored.map_or_else(|| DECOY.clone(), str::to_string);
    let password = password.to_string();
    let matches = tokio::task::spawn_blocking(move || verify(&password, &stored))
        .await
        .unwrap_or(false);
    known && matches
}

/// Passwords people pick first, checked without case, spaces or trailing digits: a
/// length floor alone lets `password123` and `motdepasse` through.
const COMMON: &[&str] = &[
    "password",
    "passw0rd",
    "motdepasse",
    "motdepass",
    "admin",
    "administrator",
    "administrateur",
    "vigie",
    "welcome",
    "bienvenue",
    "letmein",
    "azerty",
    "qwerty",
    "qwertz",
    "azertyuiop",
    "qwertyuiop",
    "soleil",
    "bonjour",
    "secret",
    "changeme",
    "iloveyou",
    "jetaime",
    "dragon",
    "monkey",
    "football",
    "baseball",
    "superman",
    "trustno1",
    "sunshine",
    "princess",
    "master",
    "shadow",
    "root",
    "toor",
    "test",
    "testtest",
    "default",
    "utilisateur",
    "user",
    "login",
    "security",
    "securite",
    "ministere",
    "bamako",
    "niamey",
    "ouagadougou",
    "sahel",
    "mali",
    "niger",
    "burkina",
];

/// Runs of characters people type in order.
const RUNS: &[&str] = &[
    "01234567890",
    "09876543210",
    "abcdefghijklmnopqrstuvwxyz",
    "zyxwvutsrqponmlkjihgfedcba",
    "azertyuiopqsdfghjklmwxcvbn",
    "qwertyuiopasdfghjklzxcvbnm",
];

/// Why `password` is too simple for account `username`, if it is: fewer than four
/// different characters, a run typed in order, the user name, or a well-known password.
pub fn too_simple(password: &str, username: &str) -> bool {
    let folded: String = password
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let distinct: std::collections::BTreeSet<char> = folded.chars().collect();
    if distinct.len() < 4 {
        return true;
    }
    if RUNS.iter().any(|run| run.contains(folded.as_str())) {
        return true;
    }
    let name = username.to_lowercase();
    if !name.is_empty() {
        let rest: std::collections::BTreeSet<char> = folded.replace(&name, "").chars().collect();
        if rest.len() < 4 {
            return true;
        }
    }
    let stem = folded.trim_end_matches(|c: char| c.is_ascii_digit() || "!?.*@#$".contains(c));
    COMMON.iter().any(|common| {
        stem == *common || (stem.len() < common.len() + 3 && stem.starts_with(common))
    })
}

/// A random password of 20 characters for a generated first admin.
pub fn generate() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("system random source works");
    bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn verifies_only_the_right_password() {
        let stored = super::hash("s3cret é");
        assert!(super::verify("s3cret é", &stored));
        assert!(!super::verify("s3cret", &stored));
        assert!(!super::verify("s3cret é", "garbage"));
        assert_ne!(super::hash("x"), super::hash("x"), "salted");
    }
}

#[cfg(test)]
mod policy_tests {
    use super::*;

    #[test]
    fn trivial_and_common_passwords_are_too_simple() {
        for weak in [
            "aaaaaaaaaa",
            "          ",
            "ababababab",
            "1234567890",
            "azertyuiop",
            "Password123",
            "motdepasse2024!",
            "MotDePasse",
            "admin12345",
            "ana-ana-ana-1",
        ] {
            assert!(too_simple(weak, "ana"), "{weak:?}");
        }
        for fine in [
            "long-password-3",
            "Kp7#vR2m!qZ",
            "cheval agrafe pile correcte",
            "ana et ses 3 chats roux",
        ] {
            assert!(!too_simple(fine, "ana"), "{fine:?}");
        }
    }
}
