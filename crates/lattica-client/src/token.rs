//! The account's session token: a secret that is validated once, redacted everywhere it could
//! be printed, and exposed only where the `Authorization` header is built.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// Longest token accepted. Real tokens are far shorter; the cap keeps a pasted document from
/// becoming a multi-megabyte header.
pub const MAX_TOKEN_LEN: usize = 4096;

/// Why a string is not a usable session token. Never carries the token or any part of it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the session token is empty")]
    Empty,
    #[error("the session token is longer than {MAX_TOKEN_LEN} characters")]
    TooLong,
    /// Position (in characters, from 0, after trimming) of the first character that is not
    /// printable ASCII or is whitespace. The character itself is not reported: it is part of
    /// the secret.
    #[error("the session token contains an invalid character at position {position}")]
    Malformed { position: usize },
}

/// A validated session token.
///
/// `Debug` and `Display` print `SessionToken(***)`; there is deliberately no `Serialize`, so
/// the token cannot slip into a JSON document, a log field or an IPC payload by accident.
/// Cloning is cheap (the secret is shared, not copied).
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(Arc<str>);

impl SessionToken {
    /// Validates a token as pasted by a user: surrounding whitespace is trimmed; what remains
    /// must be non-empty printable ASCII without inner whitespace.
    pub fn parse(raw: impl AsRef<str>) -> Result<Self, TokenError> {
        let trimmed = raw.as_ref().trim();
        if trimmed.is_empty() {
            return Err(TokenError::Empty);
        }
        if let Some(position) = trimmed.chars().position(|c| !c.is_ascii_graphic()) {
            return Err(TokenError::Malformed { position });
        }
        // Checked after the character scan so that every accepted byte is one character.
        if trimmed.len() > MAX_TOKEN_LEN {
            return Err(TokenError::TooLong);
        }
        Ok(Self(Arc::from(trimmed)))
    }

    /// The secret itself. Call it only to build the `Authorization` header or to hand the
    /// token to the OS keychain; never to log or display it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl FromStr for SessionToken {
    type Err = TokenError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for SessionToken {
    type Error = TokenError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(***)")
    }
}

impl fmt::Display for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_keeps_the_secret() {
        let token = SessionToken::parse("  tok_SECRET_123\n").unwrap();
        assert_eq!(token.expose_secret(), "tok_SECRET_123");
        assert_eq!("tok_SECRET_123".parse::<SessionToken>().unwrap(), token);
    }

    #[test]
    fn redacts_debug_and_display() {
        let token = SessionToken::parse("tok_SECRET_123").unwrap();
        let printed = format!("{token:?} {token} {token:#?} {:?}", Some(&token));
        assert!(!printed.contains("SECRET"), "{printed}");
        assert_eq!(format!("{token:?}"), "SessionToken(***)");
    }

    #[test]
    fn rejects_empty_and_blank() {
        assert_eq!(SessionToken::parse(""), Err(TokenError::Empty));
        assert_eq!(SessionToken::parse(" \t\r\n"), Err(TokenError::Empty));
    }

    #[test]
    fn rejects_inner_whitespace_and_non_ascii() {
        assert_eq!(
            SessionToken::parse("abc def"),
            Err(TokenError::Malformed { position: 3 })
        );
        assert_eq!(
            SessionToken::parse("ab\u{7f}"),
            Err(TokenError::Malformed { position: 2 })
        );
        assert_eq!(
            SessionToken::parse("é-token"),
            Err(TokenError::Malformed { position: 0 })
        );
        assert_eq!(
            SessionToken::parse("a\u{0}b"),
            Err(TokenError::Malformed { position: 1 })
        );
    }

    #[test]
    fn rejects_oversized_tokens() {
        let long = "a".repeat(MAX_TOKEN_LEN + 1);
        assert_eq!(SessionToken::parse(&long), Err(TokenError::TooLong));
        assert!(SessionToken::parse("a".repeat(MAX_TOKEN_LEN)).is_ok());
    }

    #[test]
    fn errors_never_echo_the_input() {
        let err = SessionToken::parse("tok_SECRET 123").unwrap_err();
        let printed = format!("{err:?} {err}");
        assert!(!printed.contains("SECRET"), "{printed}");
    }
}
