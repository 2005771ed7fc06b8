//! Bearer tokens: minting, hashing, and the checks a request's token must pass.
//!
//! Only the SHA-256 of a token is stored and compared (see [`crate::db`] for the one
//! exception, the demo token). A token is 32 random bytes, so a plain hash is enough: there is
//! nothing to brute-force that a salt or a slow hash would protect.

use chrono::Duration;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::api::envelope::{ApiError, ErrorCode};
use crate::domain::{Secret, TokenRecord};
use crate::time::Instant;

/// How long a token lives unless told otherwise: the platform mails a new one every 30 days.
pub const DEFAULT_VALID_DAYS: i64 = 30;

/// A fresh random token, `lat_` and 64 hex digits.
pub fn generate() -> Secret {
    let mut bytes = [0_u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    Secret::new(format!("lat_{}", hex::encode(bytes)))
}

/// Hex SHA-256 of a token, the only form that is stored.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A record for `token`, valid from `now` for `valid`.
pub fn record(token: &Secret, account_id: &str, now: Instant, valid: Duration) -> TokenRecord {
    TokenRecord {
        token_id: format!("tok_{}", uuid::Uuid::new_v4().simple()),
        hash: hash(token.expose()),
        account_id: account_id.to_owned(),
        created_at: now,
        expires_at: now.checked_add_signed(valid).unwrap_or(now),
        revoked_at: None,
    }
}

/// The token in an `Authorization: Bearer …` header value.
pub fn bearer(header: Option<&str>) -> Option<&str> {
    let value = header?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Whether `record` opens the door at `now`; the contract checks expiry before revocation.
pub fn check(record: &TokenRecord, now: Instant) -> Result<(), ApiError> {
    if record.expires_at <= now {
        return Err(ApiError::new(ErrorCode::TokenExpired, "token expired"));
    }
    if record.revoked_at.is_some() {
        return Err(ApiError::new(ErrorCode::TokenRevoked, "token revoked"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::from_millis;

    #[test]
    fn tokens_are_random_and_hashes_stable() {
        let (a, b) = (generate(), generate());
        assert_ne!(a, b);
        assert_eq!(a.expose().len(), 4 + 64);
        assert_eq!(hash(a.expose()), hash(a.expose()));
        assert_ne!(hash(a.expose()), hash(b.expose()));
        assert!(!format!("{a:?}").contains(a.expose()));
    }

    #[test]
    fn reads_bearer_headers() {
        assert_eq!(bearer(Some("Bearer abc")), Some("abc"));
        assert_eq!(bearer(Some("bearer   abc ")), Some("abc"));
        assert_eq!(bearer(Some("Basic abc")), None);
        assert_eq!(bearer(Some("Bearer ")), None);
        assert_eq!(bearer(None), None);
    }

    #[test]
    fn expiry_is_checked_before_revocation() {
        let now = from_millis(1_000_000).unwrap();
        let mut r = record(&generate(), "a", now, Duration::days(1));
        assert!(check(&r, now).is_ok());
        r.revoked_at = Some(now);
        assert_eq!(check(&r, now).unwrap_err().code, ErrorCode::TokenRevoked);
        r.expires_at = now;
        assert_eq!(check(&r, now).unwrap_err().code, ErrorCode::TokenExpired);
    }
}
