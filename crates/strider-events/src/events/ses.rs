//! Amazon SES receipt rules with a Lambda action: one record per received mail, with the
//! envelope, the mail's headers as SES parsed them (`headers`, in order, repeats kept) and the
//! few it decodes (`commonHeaders`), and SES's verdicts. Quirks: everything in the headers comes
//! from the sender — display names, addresses with quoted local parts, comments, IDN domains,
//! RFC 2047 encoded-words (`=?UTF-8?B?…?=`) that decode to anything, CR LF included, which a
//! handler that forwards or replies puts into its own mail's headers; the envelope sender
//! (`source`) need not match `From`; the verdicts say what SES found, and a handler that acts on
//! a mail whose SPF, DKIM or DMARC failed trusts a forged sender; SES sends at most 10 KB of
//! headers (`headersTruncated`) and no body (a Lambda action never receives the content).

use arbitrary::Result;
use aws_lambda_events::ses::{
    SimpleEmailEvent, SimpleEmailHeader, SimpleEmailReceiptAction, SimpleEmailRecord,
    SimpleEmailVerdict,
};
use base64::Engine;

use super::{arn, event_time, within};
use crate::hostile::Hostile;
use crate::payload::Role;

/// The most header bytes SES puts into an event; it cuts the rest and says so.
pub const MAX_HEADERS: usize = 10 * 1024;

/// SES's id of the realistic mail.
pub const MESSAGE_ID: &str = "0c0ffee0q7n5tk5u0nbshgs0fhhpkn3ii9rk1qv2";

const SENDER: &str = "ana@example.com";
const SENDER_HEADER: &str = "Ana Lima <ana@example.com>";
const RECIPIENT: &str = "orders@shop.example";
const SUBJECT: &str = "Order 1042";
const DATE: &str = "Mon, 23 Nov 2026 10:00:00 +0000";

/// Addresses that are valid, or that mail software accepts, and that surprise parsers: quoted
/// local parts, comments, IDN and IP-literal domains, display names that look like addresses,
/// groups, the null sender.
const ODD_ADDRESSES: &[(&str, &str)] = &[
    ("\"ana..lima\"@example.com", "\"ana..lima\"@example.com"),
    ("\"a b\\\"c@d\"@example.com", "<\"a b\\\"c@d\"@example.com>"),
    (
        "\"<script>alert(1)</script>\"@example.com",
        "\"<script>alert(1)</script>\"@example.com",
    ),
    (
        "ana(comment)@example.com",
        "Ana (CEO) <ana(comment)@example.com>",
    ),
    ("ana@bücher.example", "Ana <ana@bücher.example>"),
    (
        "ana@xn--bcher-kva.example",
        "Ana <ana@xn--bcher-kva.example>",
    ),
    // A Cyrillic `о` in the shop's own domain.
    (
        "support@sh\u{43e}p.example",
        "Support <support@sh\u{43e}p.example>",
    ),
    ("ñandú@example.com", "Ñandú <ñandú@example.com>"),
    ("ana@[127.0.0.1]", "ana@[127.0.0.1]"),
    ("ana@[IPv6:::1]", "<ana@[IPv6:::1]>"),
    (
        "eve@evil.example",
        "\"orders@shop.example\" <eve@evil.example>",
    ),
    (
        "eve@evil.example",
        "Ana <ana@example.com>, Eve <eve@evil.example>",
    ),
    ("", "undisclosed-recipients:;"),
    ("", "<>"),
    ("ana@example.com", "ana@example.com <eve@evil.example>"),
    ("ana+orders@EXAMPLE.com", "ANA+orders@EXAMPLE.com"),
];

/// Dates mail software writes, or that break a strict parser.
const ODD_DATES: &[&str] = &[
    "23 Nov 26 10:00 EST",
    "Mon, 31 Feb 2026 25:61:61 +9999",
    "Thu, 01 Jan 1970 00:00:00 +0000",
    "Fri, 31 Dec 9999 23:59:59 -1200",
    "Mon, 23 Nov 2026 10:00:00 GMT (Greenwich Mean Time)",
    "2026-11-23T10:00:00Z",
    "not a date",
    "",
];

/// An RFC 2047 encoded-word of `text`: base64 (`B`) or quoted-printable (`Q`) UTF-8, in pieces of
/// at most 45 bytes (which may split a character, as careless mailers do), separated by spaces.
#[must_use]
pub fn encoded_words(text: &str, base64: bool) -> String {
    let mut words = Vec::new();
    for piece in text.as_bytes().chunks(45) {
        let encoded = if base64 {
            base64::engine::general_purpose::STANDARD.encode(piece)
        } else {
            let mut out = String::new();
            for byte in piece {
                match byte {
                    b' ' => out.push('_'),
                    b'=' | b'?' | b'_' => out.push_str(&format!("={byte:02X}")),
                    0x21..=0x7e => out.push(char::from(*byte)),
                    _ => out.push_str(&format!("={byte:02X}")),
                }
            }
            out
        };
        let kind = if base64 { 'B' } else { 'Q' };
        words.push(format!("=?UTF-8?{kind}?{encoded}?="));
    }
    words.join(" ")
}

/// A header's raw value as the mail carries it and the decoded one SES puts into
/// `commonHeaders`.
struct Field {
    raw: String,
    decoded: String,
}

impl Field {
    fn plain(text: String) -> Field {
        Field {
            raw: text.clone(),
            decoded: text,
        }
    }
}

/// A free-text header (the subject): the realistic text, a payload, or a payload behind
/// encoded-words — CR LF and a forged header included — or a folded or malformed encoding.
fn text_field(h: &mut Hostile<'_, '_>, realistic: &str) -> Result<Field> {
    Ok(match h.choice(10)? {
        0..=4 => Field::plain(within(h.text(Role::Text, realistic)?, MAX_HEADERS)),
        5 | 6 => {
            let payload = within(h.payload(Role::Text)?, MAX_HEADERS / 2);
            Field {
                raw: encoded_words(&payload, h.choice(2)? == 0),
                decoded: payload,
            }
        }
        7 => {
            // Header injection: the decoded subject ends the header and starts another.
            let forged = format!("{realistic}\r\nBcc: eve@evil.example");
            h.injected.push(forged.clone());
            Field {
                raw: encoded_words(&forged, true),
                decoded: forged,
            }
        }
        8 => Field {
            raw: format!("{realistic}\r\n\t(continued)"),
            decoded: format!("{realistic} (continued)"),
        },
        _ => {
            let raw = [
                "=?UTF-8?B?not base64!?=",
                "=?x-unknown?B?T3JkZXI=?=",
                "=?UTF-8?B?PT9VVEYtOD9CP1BITmpjbWx3ZEQ0PT89?=",
                "=?UTF-8?Q?=E2=80?=",
                "=?UTF-7?B?K0FEd0FjUUJ5QUdrQWNBQjBBRDQt?=",
                "=?utf-8?b??=",
            ][h.choice(6)?];
            Field::plain(raw.to_owned())
        }
    })
}

/// An address header: the realistic one, an odd address, a payload in the local part, a very
/// long one or an encoded-word display name. Gives the bare address and the header's value.
fn address(h: &mut Hostile<'_, '_>, bare: &str, header: &str) -> Result<(String, Field)> {
    Ok(match h.choice(8)? {
        0..=3 => (bare.to_owned(), Field::plain(header.to_owned())),
        4 => {
            let (bare, header) = ODD_ADDRESSES[h.choice(ODD_ADDRESSES.len())?];
            (bare.to_owned(), Field::plain(header.to_owned()))
        }
        5 => {
            let local = h.payload(Role::Email)?;
            let quoted = serde_json::to_string(&local).unwrap_or_default();
            let bare = within(format!("{quoted}@example.com"), MAX_HEADERS / 4);
            (bare.clone(), Field::plain(format!("<{bare}>")))
        }
        6 => {
            // A local part, or a domain, far past the 64 and 255 bytes SMTP allows.
            let long = within(h.oversize("a")?, MAX_HEADERS / 4);
            let bare = if h.choice(2)? == 0 {
                format!("{long}@example.com")
            } else {
                format!("ana@{long}.example")
            };
            (bare.clone(), Field::plain(bare))
        }
        _ => {
            let name = within(h.payload(Role::Text)?, MAX_HEADERS / 4);
            let field = Field {
                raw: format!("{} <{bare}>", encoded_words(&name, true)),
                decoded: format!("{name} <{bare}>"),
            };
            (bare.to_owned(), field)
        }
    })
}

/// A verdict: `PASS` on the realistic mail, else what SES reports for a forged, spammy or
/// infected one, or when it could not tell.
fn verdict(h: &mut Hostile<'_, '_>) -> Result<SimpleEmailVerdict> {
    let status = match h.choice(8)? {
        0..=3 => "PASS",
        4 => "FAIL",
        5 => "GRAY",
        6 => "PROCESSING_FAILED",
        _ => "DISABLED",
    };
    let mut verdict = SimpleEmailVerdict::default();
    verdict.status = Some(status.to_owned());
    Ok(verdict)
}

/// More headers a sender adds: a repeated `From` or `Subject` (parsers disagree on which one
/// counts), a `Bcc` or `Reply-To` a handler may follow, a hostile `Content-Type`, or enough
/// filler to pass SES's 10 KB.
fn extra_headers(h: &mut Hostile<'_, '_>, headers: &mut Vec<(String, String)>) -> Result<()> {
    match h.choice(8)? {
        0..=3 => {}
        4 => {
            let name = ["From", "Subject", "To", "Message-ID"][h.choice(4)?];
            let value = within(h.payload(Role::Email)?, MAX_HEADERS);
            headers.push((name.to_owned(), value));
        }
        5 => {
            let name = [
                "Bcc",
                "Reply-To",
                "X-Original-To",
                "Disposition-Notification-To",
            ][h.choice(4)?];
            let value = within(h.text(Role::Email, "eve@evil.example")?, MAX_HEADERS);
            headers.push((name.to_owned(), value));
        }
        6 => {
            let boundary = h.payload(Role::Text)?;
            let charset = ["utf-7", "x-unknown", "UTF-8\"; a=\"b", "utf-8"][h.choice(4)?];
            headers.retain(|(name, _)| name != "Content-Type");
            headers.push((
                "Content-Type".to_owned(),
                within(
                    format!("multipart/mixed; charset={charset}; boundary=\"{boundary}\""),
                    MAX_HEADERS,
                ),
            ));
        }
        _ => {
            let line = format!("X-Filler: {}", "x".repeat(70));
            for i in 0..h.count(200)? {
                headers.push((format!("X-Filler-{i}"), line.clone()));
            }
        }
    }
    Ok(())
}

/// The headers as SES puts them into the event: in order, at most [`MAX_HEADERS`] bytes of
/// names and values; whether some were cut.
fn cut_headers(headers: Vec<(String, String)>) -> (Vec<SimpleEmailHeader>, bool) {
    let mut used = 0;
    let mut out = Vec::new();
    for (name, value) in headers {
        used += name.len() + value.len() + 4;
        if used > MAX_HEADERS {
            return (out, true);
        }
        let mut header = SimpleEmailHeader::default();
        header.name = Some(name);
        header.value = Some(value);
        out.push(header);
    }
    (out, false)
}

/// An SES receipt event for a mail to the plan's address, realistic on the empty input.
///
/// # Errors
/// As [`Hostile::choice`].
pub fn receipt(h: &mut Hostile<'_, '_>) -> Result<SimpleEmailEvent> {
    let (from, from_header) = address(h, SENDER, SENDER_HEADER)?;
    // The envelope sender: the `From` address, or another, or the null sender of a bounce.
    let source = match h.choice(6)? {
        0..=3 => from.clone(),
        4 => String::new(),
        _ => within(h.text(Role::Email, "bounces@mailer.example")?, MAX_HEADERS),
    };
    let (_, to_header) = address(h, RECIPIENT, RECIPIENT)?;
    let subject = text_field(h, SUBJECT)?;
    let date = match h.choice(6)? {
        0..=3 => Some(DATE.to_owned()),
        4 => Some(ODD_DATES[h.choice(ODD_DATES.len())?].to_owned()),
        _ => None,
    };
    let message_id = within(
        h.text(Role::Id, "<CAF1042.ana@mail.example.com>")?,
        MAX_HEADERS,
    );
    let mut headers = vec![
        ("Return-Path".to_owned(), format!("<{source}>")),
        (
            "Received".to_owned(),
            "from mail.example.com (mail.example.com [203.0.113.7]) by inbound-smtp.eu-west-1.amazonaws.com with SMTP id 0c0ffee0 for orders@shop.example; Mon, 23 Nov 2026 10:00:00 +0000 (UTC)".to_owned(),
        ),
        (
            "DKIM-Signature".to_owned(),
            "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=mail; h=from:to:subject:date; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=c2ln".to_owned(),
        ),
        ("MIME-Version".to_owned(), "1.0".to_owned()),
        ("From".to_owned(), from_header.raw.clone()),
    ];
    if let Some(date) = &date {
        headers.push(("Date".to_owned(), date.clone()));
    }
    headers.extend([
        ("Message-ID".to_owned(), message_id.clone()),
        ("Subject".to_owned(), subject.raw),
        ("To".to_owned(), to_header.raw.clone()),
        (
            "Content-Type".to_owned(),
            "text/plain; charset=UTF-8".to_owned(),
        ),
    ]);
    extra_headers(h, &mut headers)?;
    let (headers, truncated) = cut_headers(headers);
    // The envelope's recipients: a rule for the shop's domain takes any local part there.
    let mut recipients = vec![RECIPIENT.to_owned()];
    if h.rarely(4)? {
        recipients.push(within(h.text(Role::Email, RECIPIENT)?, MAX_HEADERS));
    }
    let spam = verdict(h)?;
    let virus = verdict(h)?;
    let spf = verdict(h)?;
    let dkim = verdict(h)?;
    let dmarc = verdict(h)?;
    let dmarc_policy = if dmarc.status.as_deref() == Some("FAIL") {
        Some(["reject", "quarantine", "none"][h.choice(3)?])
    } else {
        None
    };

    let mut event = SimpleEmailEvent::default();
    let mut record = SimpleEmailRecord::default();
    record.event_source = Some("aws:ses".to_owned());
    record.event_version = Some("1.0".to_owned());
    let mail = &mut record.ses.mail;
    mail.timestamp = event_time();
    mail.source = Some(source);
    mail.message_id = Some(MESSAGE_ID.to_owned());
    mail.destination = recipients.clone();
    mail.headers = headers;
    mail.headers_truncated = truncated;
    mail.common_headers.from = vec![from_header.decoded];
    mail.common_headers.to = vec![to_header.decoded];
    mail.common_headers.return_path = Some(from);
    mail.common_headers.message_id = Some(message_id);
    mail.common_headers.date = date;
    mail.common_headers.subject = Some(subject.decoded);
    let receipt = &mut record.ses.receipt;
    receipt.timestamp = event_time();
    receipt.processing_time_millis = 574;
    receipt.recipients = recipients;
    receipt.spam_verdict = spam;
    receipt.virus_verdict = virus;
    receipt.spf_verdict = spf;
    receipt.dkim_verdict = dkim;
    receipt.dmarc_verdict = dmarc;
    receipt.dmarc_policy = dmarc_policy.map(str::to_owned);
    let mut action = SimpleEmailReceiptAction::default();
    action.type_ = Some("Lambda".to_owned());
    action.function_arn = Some(arn("lambda", &format!("function:{}", h.plan().function)));
    action.invocation_type = Some(
        if h.rarely(4)? {
            "RequestResponse"
        } else {
            "Event"
        }
        .to_owned(),
    );
    receipt.action = action;
    event.records.push(record);
    Ok(event)
}

#[cfg(test)]
mod tests {
    use arbitrary::Unstructured;

    use super::*;
    use crate::Plan;
    use crate::events::seeded;

    static MAIL: Plan = Plan {
        function: "inbound-mail",
        source: "support-inbox",
        max_body: MAX_HEADERS,
        ..Plan::BASE
    };

    #[test]
    fn the_empty_input_is_a_clean_mail() {
        let mut u = Unstructured::new(&[]);
        let event = receipt(&mut Hostile::new(&mut u, &MAIL)).unwrap();
        let ses = &event.records[0].ses;
        assert_eq!(ses.mail.common_headers.from, vec![SENDER_HEADER]);
        assert_eq!(ses.mail.common_headers.subject.as_deref(), Some(SUBJECT));
        assert_eq!(ses.mail.source.as_deref(), Some(SENDER));
        assert_eq!(ses.receipt.recipients, vec![RECIPIENT]);
        for verdict in [
            &ses.receipt.spam_verdict,
            &ses.receipt.virus_verdict,
            &ses.receipt.spf_verdict,
            &ses.receipt.dkim_verdict,
            &ses.receipt.dmarc_verdict,
        ] {
            assert_eq!(verdict.status.as_deref(), Some("PASS"));
        }
        assert!(!ses.mail.headers_truncated);
        assert_eq!(
            ses.receipt.action.function_arn.as_deref(),
            Some("arn:aws:lambda:eu-west-1:123456789012:function:inbound-mail")
        );
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["Records"][0]["eventSource"], "aws:ses");
        assert_eq!(json["Records"][0]["ses"]["mail"]["messageId"], MESSAGE_ID);
    }

    #[test]
    fn encoded_words_decode_back() {
        let words = encoded_words("Order\r\nBcc: eve@evil.example", true);
        assert_eq!(
            words,
            "=?UTF-8?B?T3JkZXINCkJjYzogZXZlQGV2aWwuZXhhbXBsZQ==?="
        );
        assert_eq!(encoded_words("a b=?", false), "=?UTF-8?Q?a_b=3D=3F?=");
        assert_eq!(
            encoded_words(&"é".repeat(30), true)
                .matches("=?UTF-8?B?")
                .count(),
            2
        );
    }

    #[test]
    fn mails_round_trip_stay_within_limits_and_carry_hostile_mime() {
        let mut carried = 0;
        let (mut crlf, mut encoded, mut failed, mut truncated) = (false, false, false, false);
        for seed in 0..500 {
            let data = seeded(seed, 512);
            let mut u = Unstructured::new(&data);
            let mut h = Hostile::new(&mut u, &MAIL);
            let event = receipt(&mut h).unwrap();
            carried += usize::from(!h.injected.is_empty());
            let json = serde_json::to_value(&event).unwrap();
            let back: SimpleEmailEvent = serde_json::from_value(json.clone()).unwrap();
            assert_eq!(back, event);
            // Lambda's limit for the asynchronous invocation SES makes.
            assert!(json.to_string().len() <= 256 * 1024);
            let mail = &event.records[0].ses.mail;
            let bytes: usize = mail
                .headers
                .iter()
                .map(|h| {
                    h.name.as_ref().map_or(0, String::len)
                        + h.value.as_ref().map_or(0, String::len)
                        + 4
                })
                .sum();
            assert!(bytes <= MAX_HEADERS, "{bytes}");
            let subject = mail.common_headers.subject.clone().unwrap_or_default();
            crlf |= subject.contains("\r\n");
            encoded |= mail
                .headers
                .iter()
                .any(|h| h.value.as_deref().is_some_and(|v| v.contains("=?UTF-8?B?")));
            failed |= event.records[0].ses.receipt.spf_verdict.status.as_deref() == Some("FAIL");
            truncated |= mail.headers_truncated;
        }
        assert!(carried > 100, "{carried} of 500");
        assert!(crlf && encoded && failed && truncated);
    }
}
