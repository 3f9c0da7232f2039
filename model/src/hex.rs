//! Lower-case hexadecimal encoding, used for hashes everywhere a person may read them.

/// Encodes bytes as lower-case hexadecimal.
pub fn encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 0x0f) as usize] as char);
    }
    out
}

/// Decodes hexadecimal (either case); `None` for anything else.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    text.as_bytes()
        .chunks(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

/// SHA-256 of `bytes`, as lower-case hexadecimal.
pub fn sha256(bytes: &[u8]) -> String {
    encode(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
}

/// True when `s` is 64 lower-case hexadecimal digits (a SHA-256 as Vigie writes it).
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_and_recognises_sha256() {
        assert_eq!(encode(&[0x00, 0xab, 0xff]), "00abff");
        let h = sha256(b"abc");
        assert_eq!(
            h,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(is_sha256(&h));
        assert!(!is_sha256("ABC"));
        assert_eq!(decode("00abFF"), Some(vec![0x00, 0xab, 0xff]));
        assert_eq!(decode("0g"), None);
        assert_eq!(decode("abc"), None);
    }
}
