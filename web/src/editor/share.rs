//! The share-link format: `#share=1.<base64url of the deflate-raw compressed document>`.
//! Compression itself is done by the browser (`CompressionStream`); this module owns the
//! encoding, the limits and the error messages, and is tested natively.

use std::fmt;

/// Fragment prefix of a share link (version 1: deflate-raw + base64url).
pub const PREFIX: &str = "#share=1.";
/// Longest fragment accepted (characters). Longer links are refused before decoding.
pub const MAX_FRAGMENT: usize = 512 * 1024;
/// Largest document accepted once decompressed (bytes).
pub const MAX_DOCUMENT: usize = 8 * 1024 * 1024;

/// Why a share link could not be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShareError {
    /// The fragment is not a share link (the app ignores it).
    NotAShareLink,
    /// A share link longer than [`MAX_FRAGMENT`].
    TooLong(usize),
    /// Characters outside base64url, or an impossible length.
    Malformed,
    /// The compressed data ends early or is corrupt (typically a link cut off when copied).
    Damaged,
    /// The document inflates beyond [`MAX_DOCUMENT`].
    TooLarge,
    /// The document inside is not a topology this build can open.
    Document(String),
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShareError::NotAShareLink => write!(f, "this address is not a Strata share link"),
            ShareError::TooLong(n) => {
                write!(f, "this share link is too long ({n} characters; the limit is {MAX_FRAGMENT})")
            }
            ShareError::Malformed => {
                write!(f, "this share link is malformed: it contains characters a share link never has")
            }
            ShareError::Damaged => write!(f, "this share link is incomplete or damaged (was it cut off when copied?)"),
            ShareError::TooLarge => {
                write!(f, "the shared document is larger than {} MB and was not opened", MAX_DOCUMENT / (1024 * 1024))
            }
            ShareError::Document(e) => write!(f, "the shared document cannot be opened: {e}"),
        }
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// Decodes base64url (padding tolerated).
pub fn decode(text: &str) -> Result<Vec<u8>, ShareError> {
    let text = text.trim_end_matches('=');
    if text.len() % 4 == 1 {
        return Err(ShareError::Malformed);
    }
    let val = |c: u8| -> Result<u32, ShareError> {
        Ok(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return Err(ShareError::Malformed),
        } as u32)
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.as_bytes().chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= val(c)? << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Ok(out)
}

/// The compressed payload of a fragment (`#share=1.<payload>`), checked for length and alphabet.
pub fn payload(fragment: &str) -> Result<Vec<u8>, ShareError> {
    let rest = fragment.strip_prefix(PREFIX).ok_or(ShareError::NotAShareLink)?;
    if fragment.len() > MAX_FRAGMENT {
        return Err(ShareError::TooLong(fragment.len()));
    }
    if rest.is_empty() {
        return Err(ShareError::Damaged);
    }
    decode(rest)
}

/// The folder of the app's address (its query and fragment dropped), where the viewer
/// (`viewer/index.html`) and `embed.js` sit beside it.
pub fn app_dir(address: &str) -> &str {
    let page = address.split(['#', '?']).next().unwrap_or_default();
    page.rsplit_once('/').map_or(page, |(d, _)| d)
}

/// The fragment for compressed document bytes.
pub fn fragment(compressed: &[u8]) -> String {
    format!("{PREFIX}{}", encode(compressed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trip() {
        for n in 0..40 {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            let s = encode(&bytes);
            assert!(s.bytes().all(|c| ALPHABET.contains(&c)));
            assert_eq!(decode(&s).unwrap(), bytes, "length {n}");
        }
        assert_eq!(encode(b"hi?"), "aGk_");
    }

    #[test]
    fn the_app_s_folder_ignores_its_query_and_fragment() {
        assert_eq!(app_dir("https://h.example/strata/index.html?ref=a/b#share=1.x/y"), "https://h.example/strata");
        assert_eq!(app_dir("https://h.example/strata/"), "https://h.example/strata");
    }

    #[test]
    fn fragments_and_their_errors() {
        let f = fragment(&[1, 2, 3, 250]);
        assert!(f.starts_with("#share=1."));
        assert_eq!(payload(&f).unwrap(), vec![1, 2, 3, 250]);
        assert_eq!(payload("#section-2"), Err(ShareError::NotAShareLink));
        assert_eq!(payload("#share=1.abc$def"), Err(ShareError::Malformed));
        assert_eq!(payload("#share=1.a"), Err(ShareError::Malformed));
        assert_eq!(payload("#share=1."), Err(ShareError::Damaged));
        let long = format!("{PREFIX}{}", "A".repeat(MAX_FRAGMENT));
        assert!(matches!(payload(&long), Err(ShareError::TooLong(_))));
        assert!(ShareError::Damaged.to_string().contains("cut off"));
    }
}
