//! The hosted pages' HTML. Everything interpolated is escaped; scripts and styles are files of
//! this origin (the CSP forbids inline ones), and data reaches scripts through `data-`
//! attributes.

use std::fmt::Write;

use crate::db::payments::{PaymentRecord, PaymentStatus};
use crate::payments::cards::Brand;

/// Escapes text for HTML content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Percent-encodes a query parameter value (everything but unreserved characters).
pub fn encode_query(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// The document around `main`: `body_data` are `data-` attributes (name, value), `script`
/// one of this origin's assets.
fn layout(title: &str, body_data: &[(&str, &str)], main: &str, script: Option<&str>) -> String {
    let script = script.map_or_else(String::new, |file| {
        format!("\n<script src=\"/assets/{file}\" defer></script>")
    });
    let data: String = body_data
        .iter()
        .map(|(name, value)| format!(" data-{name}=\"{}\"", escape(value)))
        .collect();
    format!(
        "<!doctype html>
<html lang=\"en\">
<head>
<meta charset=\"utf-8\">
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">
<meta name=\"color-scheme\" content=\"light dark\">
<title>{title} · Lattica payments (sandbox)</title>
<link rel=\"stylesheet\" href=\"/assets/hosted.css\">{script}
</head>
<body{data}>
<main class=\"panel\">
{main}
<p class=\"footer\">Lattica payments · sandbox: no real card is charged.</p>
</main>
</body>
</html>
",
        title = escape(title)
    )
}

/// A field of the card form: label, input, and the place its error message appears.
fn field(id: &str, label: &str, attributes: &str, optional: bool) -> String {
    let optional = if optional {
        " <span class=\"optional\">(optional)</span>"
    } else {
        ""
    };
    let required = if optional.is_empty() {
        " required aria-required=\"true\""
    } else {
        ""
    };
    format!(
        "<div class=\"field\">
  <label for=\"{id}\">{label}{optional}</label>
  <input id=\"{id}\" name=\"{id}\" {attributes}{required} aria-invalid=\"false\" aria-describedby=\"{id}-error\">
  <p id=\"{id}-error\" class=\"error\" hidden></p>
</div>"
    )
}

/// The card form, for an iframe of `parent`.
pub fn card_form(parent: &str) -> String {
    let main = format!(
        "<form id=\"card-form\" novalidate>
<h1>Card details</h1>
<p class=\"hint\">Test cards: 4242 4242 4242 4242 succeeds, 4000 0027 6000 3184 asks for 3-D Secure. Any future expiry, any CVC.</p>
<div class=\"field\">
  <label for=\"number\">Card number</label>
  <div class=\"with-badge\">
    <input id=\"number\" name=\"number\" type=\"text\" inputmode=\"numeric\" autocomplete=\"cc-number\" placeholder=\"1234 1234 1234 1234\" maxlength=\"23\" spellcheck=\"false\" required aria-required=\"true\" aria-invalid=\"false\" aria-describedby=\"number-error brand\">
    <span id=\"brand\" class=\"badge\" aria-live=\"polite\"></span>
  </div>
  <p id=\"number-error\" class=\"error\" hidden></p>
</div>
<div class=\"row\">
{expiry}
{cvc}
</div>
{name}
{postal}
<button id=\"submit\" type=\"submit\">Use this card</button>
<p id=\"form-status\" class=\"status\" role=\"status\" aria-live=\"polite\"></p>
</form>
<noscript><p class=\"error\">This form needs JavaScript to check and send the card.</p></noscript>",
        expiry = field(
            "expiry",
            "Expiry (MM / YY)",
            "type=\"text\" inputmode=\"numeric\" autocomplete=\"cc-exp\" placeholder=\"MM / YY\" maxlength=\"7\"",
            false
        ),
        cvc = field(
            "cvc",
            "Security code (CVC)",
            "type=\"text\" inputmode=\"numeric\" autocomplete=\"cc-csc\" placeholder=\"123\" maxlength=\"4\"",
            false
        ),
        name = field(
            "name",
            "Name on card",
            "type=\"text\" autocomplete=\"cc-name\" maxlength=\"100\" spellcheck=\"false\"",
            false
        ),
        postal = field(
            "postalCode",
            "Postal code",
            "type=\"text\" autocomplete=\"postal-code\" maxlength=\"10\"",
            true
        ),
    );
    layout(
        "Card details",
        &[("parent", parent)],
        &main,
        Some("card-form.js"),
    )
}

/// A page that only explains why nothing can be done here.
pub fn problem(title: &str, message: &str) -> String {
    let main = format!(
        "<h1>{}</h1>\n<p role=\"alert\">{}</p>",
        escape(title),
        escape(message)
    );
    layout(title, &[], &main, None)
}

fn money(payment: &PaymentRecord) -> String {
    let major = payment.amount / 100;
    let minor = payment.amount % 100;
    format!("{major}.{minor:02} {}", payment.currency.to_uppercase())
}

fn card_line(payment: &PaymentRecord) -> String {
    payment.card.as_ref().map_or_else(String::new, |card| {
        let brand: &str = match Brand::parse(&card.brand) {
            Some(brand) => brand.display_name(),
            None => &card.brand,
        };
        format!(
            "<dt>Card</dt><dd>{} •••• {}</dd>",
            escape(brand),
            escape(&card.last4)
        )
    })
}

/// The 3-D Secure challenge: approve or deny. Each button posts a plain form (no script
/// needed); `query` is appended to the form actions to keep the `parent`.
pub fn challenge(payment: &PaymentRecord, query: &str) -> String {
    let id = escape(&payment.id);
    let query = escape(query);
    let main = format!(
        "<h1>Confirm your payment</h1>
<p>Your bank asks you to confirm this payment. This is the sandbox's 3-D Secure step.</p>
<dl class=\"summary\">
<dt>Merchant</dt><dd>Lattica</dd>
<dt>Amount</dt><dd>{amount}</dd>
<dt>Credits</dt><dd>{credits}</dd>
{card}
</dl>
<div class=\"actions\">
<form method=\"post\" action=\"/3ds/{id}/deny{query}\"><button type=\"submit\" class=\"secondary\">Deny</button></form>
<form method=\"post\" action=\"/3ds/{id}/approve{query}\"><button type=\"submit\">Approve</button></form>
</div>",
        amount = escape(&money(payment)),
        credits = escape(&payment.credits.to_string()),
        card = card_line(payment),
    );
    layout("Confirm your payment", &[], &main, None)
}

/// The page after the challenge (or for a payment that no longer needs it): says how it
/// ended and tells the app, posting to each of `targets` (only the real parent's origin
/// receives it).
pub fn finished(payment: &PaymentRecord, targets: &[String]) -> String {
    let (title, message) = match payment.status {
        PaymentStatus::Succeeded => ("Payment confirmed", "You can go back to the app."),
        PaymentStatus::Failed => (
            "Payment not confirmed",
            "The authentication was declined, so nothing was charged.",
        ),
        PaymentStatus::Canceled => ("Payment canceled", "Nothing was charged."),
        PaymentStatus::RequiresPaymentMethod | PaymentStatus::RequiresAction => (
            "Payment not finished",
            "This payment is still waiting for a card.",
        ),
    };
    let main = format!(
        "<h1>{title}</h1>\n<p role=\"status\">{message}</p>\n<dl class=\"summary\"><dt>Amount</dt><dd>{}</dd></dl>",
        escape(&money(payment))
    );
    // A list of strings always serializes.
    let targets = serde_json::to_string(targets).unwrap_or_default();
    layout(
        title,
        &[
            ("payment-id", &payment.id),
            ("status", payment.status.as_str()),
            ("targets", &targets),
        ],
        &main,
        Some("three-ds.js"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_encodes() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(encode_query("tauri://localhost"), "tauri%3A%2F%2Flocalhost");
        assert_eq!(encode_query("a b&c=d"), "a%20b%26c%3Dd");
    }

    #[test]
    fn the_form_carries_its_parent_escaped() {
        let page = card_form("http://a\"b");
        assert!(page.contains("data-parent=\"http://a&quot;b\""));
        assert!(!page.contains("<script>"), "no inline script");
        for id in ["number", "expiry", "cvc", "name", "postalCode"] {
            assert!(page.contains(&format!("<label for=\"{id}\"")), "{id}");
            assert!(page.contains(&format!("id=\"{id}-error\"")), "{id}");
        }
    }
}
