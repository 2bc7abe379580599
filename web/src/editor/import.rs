//! Limits on imported files, checked from the file's size before anything is read or parsed.
//!
//! The browser keeps about 5 MB of text for all of a site's documents, and a saved document is
//! larger than a compact file (it is stored indented, with every default written out), so a file
//! above [`MAX_IMPORT_BYTES`] could not be kept anyway; parsing it would only freeze the page.

use std::fmt;

/// The largest file Import accepts.
pub const MAX_IMPORT_BYTES: u64 = 2 * 1024 * 1024;

/// Files above this size show a progress notice (painted before parsing starts).
pub const PROGRESS_BYTES: u64 = 256 * 1024;

/// Why a file is refused before it is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportError {
    /// The file is larger than [`MAX_IMPORT_BYTES`] (its size in bytes).
    TooLarge(u64),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::TooLarge(n) => write!(
                f,
                "the file is {} and Strata imports files up to {} (the browser keeps about 5 MB for all your documents)",
                size_text(*n),
                size_text(MAX_IMPORT_BYTES)
            ),
        }
    }
}

/// Refuses a file by its size.
pub fn check_size(bytes: u64) -> Result<(), ImportError> {
    if bytes > MAX_IMPORT_BYTES {
        Err(ImportError::TooLarge(bytes))
    } else {
        Ok(())
    }
}

/// A size in plain words: "812 bytes", "35 KB", "2 MB", "20.5 MB".
pub fn size_text(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    if bytes < KB {
        format!("{bytes} bytes")
    } else if bytes < MB {
        format!("{} KB", bytes.div_ceil(KB))
    } else if bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regression_twenty_megabyte_import_is_refused_before_parsing() {
        let e = check_size(20 * 1024 * 1024 + 5).unwrap_err();
        assert_eq!(e, ImportError::TooLarge(20 * 1024 * 1024 + 5));
        assert_eq!(
            e.to_string(),
            "the file is 20.0 MB and Strata imports files up to 2 MB (the browser keeps about 5 MB for all your documents)"
        );
    }

    #[test]
    fn files_up_to_the_limit_pass() {
        assert_eq!(check_size(0), Ok(()));
        assert_eq!(check_size(MAX_IMPORT_BYTES), Ok(()));
        assert!(check_size(MAX_IMPORT_BYTES + 1).is_err());
    }

    #[test]
    fn sizes_in_plain_words() {
        assert_eq!(size_text(812), "812 bytes");
        assert_eq!(size_text(35 * 1024 - 10), "35 KB");
        assert_eq!(size_text(2 * 1024 * 1024), "2 MB");
        assert_eq!(size_text(21_495_808), "20.5 MB");
    }
}
