//! Cognito user pool triggers: pre sign-up, post confirmation, pre and post authentication and
//! pre token generation. The user's attributes are typed by the user at sign-up, so they are
//! attacker-controlled even though Cognito sends the event.

use std::collections::HashMap;

use arbitrary::Result;
use aws_lambda_events::cognito::{
    CognitoEventUserPoolsHeader, CognitoEventUserPoolsPostAuthentication,
    CognitoEventUserPoolsPostConfirmation, CognitoEventUserPoolsPreAuthentication,
    CognitoEventUserPoolsPreSignup, CognitoEventUserPoolsPreTokenGen,
};

use super::{REGION, uuid};
use crate::hostile::Hostile;
use crate::payload::Role;

/// The most user attributes named by [`Hostile::name`] an event gets.
pub const MAX_NAMED_ATTRIBUTES: usize = 3;

/// Attributes a user fills in at sign-up, and Cognito's own, and some the handler may read.
///
/// # Errors
/// As [`Hostile::choice`].
pub fn user_attributes(h: &mut Hostile<'_, '_>) -> Result<HashMap<String, String>> {
    let mut attributes = HashMap::from([
        ("sub".to_owned(), uuid(7)),
        ("email".to_owned(), h.text(Role::Email, "ana@example.com")?),
        ("email_verified".to_owned(), "true".to_owned()),
        ("name".to_owned(), h.text(Role::Text, "Ana Lima")?),
        ("cognito:user_status".to_owned(), "CONFIRMED".to_owned()),
    ]);
    if h.choice(2)? == 1 {
        attributes.insert("given_name".to_owned(), h.text(Role::Text, "Ana")?);
        attributes.insert(
            "custom:referrer".to_owned(),
            h.text(Role::Url, "https://shop.example/")?,
        );
    }
    if h.rarely(6)? {
        attributes.remove("email");
    }
    // Attributes the handler may read (`custom:tenant`), typed by the user like the others.
    for _ in 0..h.choice(MAX_NAMED_ATTRIBUTES + 1)? {
        let name = h.name()?;
        let value = crate::body::named_text(h, &name)?;
        attributes.insert(name, value);
    }
    Ok(attributes)
}

fn header<T: Default>(
    h: &mut Hostile<'_, '_>,
    header: &mut CognitoEventUserPoolsHeader<T>,
) -> Result<()> {
    header.trigger_source = Some(T::default());
    header.version = Some("1".to_owned());
    header.region = Some(REGION.to_owned());
    header.user_pool_id = Some(format!("{REGION}_Ab12Cd34E"));
    header.user_name = Some(h.text(Role::Id, &uuid(7))?);
    header.caller_context.awssdk_version = Some("aws-sdk-unknown-unknown".to_owned());
    header.caller_context.client_id = Some("1example23456789".to_owned());
    Ok(())
}

/// A post-confirmation event.
///
/// # Errors
/// As [`Hostile::choice`].
pub fn post_confirmation(h: &mut Hostile<'_, '_>) -> Result<CognitoEventUserPoolsPostConfirmation> {
    let mut event = CognitoEventUserPoolsPostConfirmation::default();
    header(h, &mut event.cognito_event_user_pools_header)?;
    event.request.user_attributes = user_attributes(h)?;
    Ok(event)
}

/// A pre sign-up event.
///
/// # Errors
/// As [`Hostile::choice`].
pub fn pre_signup(h: &mut Hostile<'_, '_>) -> Result<CognitoEventUserPoolsPreSignup> {
    let mut event = CognitoEventUserPoolsPreSignup::default();
    header(h, &mut event.cognito_event_user_pools_header)?;
    event.request.user_attributes = user_attributes(h)?;
    Ok(event)
}

/// A pre-authentication event.
///
/// # Errors
/// As [`Hostile::choice`].
pub fn pre_authentication(
    h: &mut Hostile<'_, '_>,
) -> Result<CognitoEventUserPoolsPreAuthentication> {
    let mut event = CognitoEventUserPoolsPreAuthentication::default();
    header(h, &mut event.cognito_event_user_pools_header)?;
    event.request.user_attributes = user_attributes(h)?;
    Ok(event)
}

/// A post-authentication event.
///
/// # Errors
/// As [`Hostile::choice`].
pub fn post_authentication(
    h: &mut Hostile<'_, '_>,
) -> Result<CognitoEventUserPoolsPostAuthentication> {
    let mut event = CognitoEventUserPoolsPostAuthentication::default();
    header(h, &mut event.cognito_event_user_pools_header)?;
    event.request.user_attributes = user_attributes(h)?;
    event.request.new_device_used = h.choice(2)? == 1;
    Ok(event)
}

/// A pre token generation event.
///
/// # Errors
/// As [`Hostile::choice`].
pub fn pre_token_generation(h: &mut Hostile<'_, '_>) -> Result<CognitoEventUserPoolsPreTokenGen> {
    let mut event = CognitoEventUserPoolsPreTokenGen::default();
    header(h, &mut event.cognito_event_user_pools_header)?;
    event.request.user_attributes = user_attributes(h)?;
    Ok(event)
}

#[cfg(test)]
mod tests {
    use arbitrary::Unstructured;

    use super::*;
    use crate::Plan;

    #[test]
    fn the_empty_input_is_a_confirmed_sign_up() {
        let mut u = Unstructured::new(&[]);
        let event = post_confirmation(&mut Hostile::new(&mut u, &Plan::BASE)).unwrap();
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["triggerSource"], "PostConfirmation_ConfirmSignUp");
        assert_eq!(
            json["request"]["userAttributes"]["email"],
            "ana@example.com"
        );
    }

    #[test]
    fn plan_names_become_user_attributes() {
        static NAMED: Plan = Plan {
            names: &["custom:tenant"],
            ..Plan::BASE
        };
        let mut u = Unstructured::new(&[]);
        assert!(
            !user_attributes(&mut Hostile::new(&mut u, &NAMED))
                .unwrap()
                .contains_key("custom:tenant")
        );
        let found = (0..256).any(|seed| {
            let data = crate::events::seeded(seed, 32);
            let mut u = Unstructured::new(&data);
            user_attributes(&mut Hostile::new(&mut u, &NAMED))
                .unwrap()
                .contains_key("custom:tenant")
        });
        assert!(found);
    }

    #[test]
    fn attributes_carry_odd_unicode() {
        let mut multibyte = false;
        for seed in 0..256 {
            let data = crate::events::seeded(seed, 32);
            let mut u = Unstructured::new(&data);
            let attributes = user_attributes(&mut Hostile::new(&mut u, &Plan::BASE)).unwrap();
            multibyte |= attributes
                .values()
                .any(|v| v.chars().any(|c| c.len_utf8() > 1));
        }
        assert!(multibyte);
    }
}
