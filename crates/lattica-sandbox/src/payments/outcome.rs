//! What a test card does when a payment is confirmed with it: succeed, ask for 3-D Secure,
//! or decline with a reason. Decided once, when the hosted form tokenises the card, and kept
//! with the token (the number itself is not).

/// Why a test card declines. The codes are the wire's `failureCode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decline {
    /// A generic refusal by the issuer.
    CardDeclined,
    /// Not enough money on the account.
    InsufficientFunds,
    /// The issuer considers the card expired.
    ExpiredCard,
    /// The security code did not match.
    IncorrectCvc,
    /// The processor failed; trying again may work.
    ProcessingError,
    /// The cardholder denied the 3-D Secure step.
    AuthenticationFailed,
}

impl Decline {
    const ALL: [Self; 6] = [
        Self::CardDeclined,
        Self::InsufficientFunds,
        Self::ExpiredCard,
        Self::IncorrectCvc,
        Self::ProcessingError,
        Self::AuthenticationFailed,
    ];

    /// The `failureCode`.
    pub fn code(self) -> &'static str {
        match self {
            Self::CardDeclined => "card_declined",
            Self::InsufficientFunds => "insufficient_funds",
            Self::ExpiredCard => "expired_card",
            Self::IncorrectCvc => "incorrect_cvc",
            Self::ProcessingError => "processing_error",
            Self::AuthenticationFailed => "authentication_failed",
        }
    }

    /// The `failureMessage`, written for the person paying.
    pub fn message(self) -> &'static str {
        match self {
            Self::CardDeclined => "Your card was declined.",
            Self::InsufficientFunds => "Your card has insufficient funds.",
            Self::ExpiredCard => "Your card has expired.",
            Self::IncorrectCvc => "Your card's security code is incorrect.",
            Self::ProcessingError => {
                "An error occurred while processing your card. Try again in a little bit."
            }
            Self::AuthenticationFailed => "The 3-D Secure authentication was not completed.",
        }
    }
}

/// What confirming a payment with a card does, decided by the test-card table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The payment succeeds.
    Succeed,
    /// The payment waits for 3-D Secure (`requires_action`).
    Authenticate,
    /// The payment fails with this reason.
    Decline(Decline),
}

impl Outcome {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Succeed => "succeed",
            Self::Authenticate => "authenticate",
            Self::Decline(decline) => decline.code(),
        }
    }

    /// Reads the stored spelling.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "succeed" => Some(Self::Succeed),
            "authenticate" => Some(Self::Authenticate),
            _ => Decline::ALL
                .into_iter()
                .find(|d| d.code() == text)
                .map(Self::Decline),
        }
    }
}

/// The test cards with a special outcome; any other valid number succeeds.
const TEST_CARDS: [(&str, Outcome); 6] = [
    ("4000000000000002", Outcome::Decline(Decline::CardDeclined)),
    (
        "4000000000009995",
        Outcome::Decline(Decline::InsufficientFunds),
    ),
    ("4000000000000069", Outcome::Decline(Decline::ExpiredCard)),
    ("4000000000000127", Outcome::Decline(Decline::IncorrectCvc)),
    (
        "4000000000000119",
        Outcome::Decline(Decline::ProcessingError),
    ),
    ("4000002760003184", Outcome::Authenticate),
];

/// What confirming with the card `digits` does.
pub fn outcome_of(digits: &str) -> Outcome {
    TEST_CARDS
        .iter()
        .find(|(number, _)| *number == digits)
        .map_or(Outcome::Succeed, |(_, outcome)| *outcome)
}
