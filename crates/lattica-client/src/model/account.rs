//! `api/account/get_account_info`: who the token belongs to, and until when it is valid.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;

use super::{credits, ids, time};

/// The account behind the session token. Only `account_id` is required; the platform has never
/// promised the rest, so each is `None` when absent or `null`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountInfo {
    #[serde(alias = "account_id", deserialize_with = "ids::required")]
    pub account_id: String,
    #[serde(default, alias = "created_at", deserialize_with = "time::optional")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default, alias = "company_name")]
    pub company_name: Option<String>,
    #[serde(default, alias = "contact_name")]
    pub contact_name: Option<String>,
    #[serde(default, alias = "phone_number")]
    pub phone_number: Option<String>,
    #[serde(default, deserialize_with = "credits::optional")]
    pub credits: Option<Decimal>,
    /// When the session token used for this call expires.
    #[serde(
        default,
        rename = "authExpDate",
        alias = "auth_exp_date",
        deserialize_with = "time::optional"
    )]
    pub token_expires_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ClientError;
    use crate::model::read;

    #[test]
    fn reads_the_published_shape() {
        let info: AccountInfo = read(
            r#"{"accountId": "acc_1", "createdAt": "2026-01-02T03:04:05.000Z",
                "email": "a@b.c", "companyName": "ACME", "contactName": "Ada",
                "phoneNumber": null, "credits": 249.517333,
                "authExpDate": 1798000000000, "somethingNew": [1, 2]}"#,
            "account info",
        )
        .unwrap();
        assert_eq!(info.account_id, "acc_1");
        assert_eq!(info.email.as_deref(), Some("a@b.c"));
        assert_eq!(info.phone_number, None);
        assert_eq!(info.credits.unwrap().to_string(), "249.517333");
        assert_eq!(
            info.token_expires_at.unwrap().timestamp_millis(),
            1_798_000_000_000
        );
        assert_eq!(
            info.created_at.unwrap().to_rfc3339(),
            "2026-01-02T03:04:05+00:00"
        );
    }

    #[test]
    fn only_the_id_is_required() {
        let info: AccountInfo = read(r#"{"account_id": 12}"#, "account info").unwrap();
        assert_eq!(info.account_id, "12");
        assert_eq!(info.credits, None);
        let Err(ClientError::Malformed(message)) =
            read::<AccountInfo>(r#"{"email": "a@b.c"}"#, "account info")
        else {
            panic!("a missing id must be malformed");
        };
        assert!(message.contains("accountId"), "{message}");
    }
}
