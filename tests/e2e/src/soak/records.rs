//! What the sandbox's own database says at the end of a soak: every payment, and the demo
//! account's balance, read from `sandbox.sqlite3` (opened read-only beside the running
//! sandbox).

use std::collections::BTreeSet;
use std::path::Path;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::{Context, Result};

/// One row of `payments`.
#[derive(Debug, Clone)]
pub struct PaymentRow {
    pub id: String,
    pub status: String,
    pub credits: Decimal,
    pub receipt: Option<String>,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
}

/// The records of one sandbox data folder.
#[derive(Debug)]
pub struct Records {
    pub payments: Vec<PaymentRow>,
    pub balance: Decimal,
}

impl Records {
    pub fn read(data_dir: &Path) -> Result<Self> {
        let conn = rusqlite::Connection::open_with_flags(
            data_dir.join("sandbox.sqlite3"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )?;
        let mut statement =
            conn.prepare("SELECT id, status, credits, receipt_number, created_at FROM payments")?;
        let payments = statement
            .query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, Option<String>>(3)?,
                    row.get::<_, i64>(4)?,
                ))
            })?
            .map(|row| {
                let (id, status, credits, receipt, created_at) = row?;
                Ok(PaymentRow {
                    id,
                    status,
                    credits: Decimal::from_str(&credits).context("payment credits")?,
                    receipt,
                    created_at,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let balances: Vec<String> = conn
            .prepare("SELECT balance FROM accounts")?
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        crate::ensure!(
            balances.len() == 1,
            "expected one account, found {balances:?}"
        );
        Ok(Self {
            payments,
            balance: Decimal::from_str(&balances[0])?,
        })
    }

    /// The payments that are not in `before` (those the seed made).
    pub fn since<'a>(
        &'a self,
        before: &'a BTreeSet<String>,
    ) -> impl Iterator<Item = &'a PaymentRow> {
        self.payments.iter().filter(|p| !before.contains(&p.id))
    }
}

/// What the clients were told, to hold against the records.
#[derive(Debug)]
pub struct Told<'a> {
    /// The balance set before any payment.
    pub start: Decimal,
    /// Payments that were there before (the seed's).
    pub seeded: &'a BTreeSet<String>,
    /// Payments of other clients than the app, with the status each was told.
    pub others: Vec<(String, String, Decimal)>,
    /// The receipts of the successes the app showed.
    pub receipts: &'a [String],
    /// Top-ups the app was killed in the middle of: from just before "Confirm" to a little
    /// after the kill (a request already sent is still processed), in Unix milliseconds.
    pub cut: Vec<(i64, i64)>,
}

impl Records {
    /// The soak's invariants on the money: every credit granted belongs to exactly one
    /// succeeded payment; each client's payment is recorded as it was told; every payment
    /// of the app is one whose outcome it showed, but for at most one made while each top-up
    /// cut short by a kill of the app ran.
    pub fn check(&self, told: &Told<'_>) -> Result<()> {
        let ours: Vec<&PaymentRow> = self.since(told.seeded).collect();
        let granted: Decimal = ours
            .iter()
            .filter(|p| p.status == "succeeded")
            .map(|p| p.credits)
            .sum();
        crate::ensure!(
            self.balance == told.start + granted,
            "the balance {} is not {} + {granted} from succeeded payments",
            self.balance,
            told.start
        );
        for (id, status, credits) in &told.others {
            let row = ours
                .iter()
                .find(|r| &r.id == id)
                .with_context(|| format!("payment {id} is not recorded"))?;
            crate::ensure!(
                &row.status == status && &row.credits == credits,
                "told {status} for {credits}, recorded {row:?}"
            );
        }
        for receipt in told.receipts {
            let row = ours
                .iter()
                .find(|r| r.receipt.as_ref() == Some(receipt))
                .with_context(|| format!("the app showed receipt {receipt}; no such payment"))?;
            crate::ensure!(row.status == "succeeded", "receipt {receipt}: {row:?}");
        }
        let unshown: Vec<&&PaymentRow> = ours
            .iter()
            .filter(|r| !told.others.iter().any(|(id, ..)| id == &r.id))
            .filter(|r| {
                !r.receipt
                    .as_ref()
                    .is_some_and(|x| told.receipts.contains(x))
            })
            .collect();
        let mut windows = told.cut.clone();
        for payment in &unshown {
            let window = windows
                .iter()
                .position(|(from, to)| (*from..=*to).contains(&payment.created_at));
            crate::ensure!(
                window.is_some(),
                "payments whose outcome the app never showed: {unshown:?} (top-ups cut by a \
                 kill of the app: {:?})",
                told.cut
            );
            windows.remove(window.unwrap_or_default());
        }
        Ok(())
    }

    /// How many payments (since the seed) are in each status.
    pub fn by_status(&self, seeded: &BTreeSet<String>) -> std::collections::BTreeMap<String, u64> {
        let mut counts = std::collections::BTreeMap::new();
        for p in self.since(seeded) {
            *counts.entry(p.status.clone()).or_default() += 1;
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, status: &str, credits: i64, receipt: Option<&str>) -> PaymentRow {
        PaymentRow {
            id: id.into(),
            status: status.into(),
            credits: Decimal::from(credits),
            receipt: receipt.map(Into::into),
            created_at: 5_000,
        }
    }

    fn told<'a>(
        seeded: &'a BTreeSet<String>,
        receipts: &'a [String],
        cut: Vec<(i64, i64)>,
    ) -> Told<'a> {
        Told {
            start: Decimal::from(100),
            seeded,
            others: vec![("pay_b".into(), "failed".into(), Decimal::from(20))],
            receipts,
            cut,
        }
    }

    #[test]
    fn the_checks_catch_a_double_grant_an_unrecorded_outcome_and_an_unshown_payment() {
        let seeded = BTreeSet::from(["pay_seed".to_owned()]);
        let receipts = vec!["1-1".to_owned()];
        let mut records = Records {
            payments: vec![
                row("pay_seed", "succeeded", 7, Some("0-0")),
                row("pay_a", "succeeded", 25, Some("1-1")),
                row("pay_b", "failed", 20, None),
            ],
            balance: Decimal::from(125),
        };
        records.check(&told(&seeded, &receipts, vec![])).unwrap();
        // Credits granted twice for one payment.
        records.balance = Decimal::from(150);
        assert!(records.check(&told(&seeded, &receipts, vec![])).is_err());
        records.balance = Decimal::from(125);
        // A success the app never showed, allowed only when a kill cut a top-up short.
        records.payments[1].receipt = Some("1-2".into());
        assert!(records.check(&told(&seeded, &receipts, vec![])).is_err());
        assert!(
            records
                .check(&told(&seeded, &[], vec![(4_000, 6_000)]))
                .is_ok()
        );
        // …made while that top-up ran, not at another time.
        assert!(
            records
                .check(&told(&seeded, &[], vec![(6_000, 9_000)]))
                .is_err()
        );
        // A payment recorded otherwise than its client was told.
        records.payments[2].status = "succeeded".into();
        records.balance = Decimal::from(145);
        assert!(
            records
                .check(&told(&seeded, &[], vec![(4_000, 6_000)]))
                .is_err()
        );
    }
}
