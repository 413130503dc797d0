'use strict';

// Creates the customer's profile when they confirm their sign-up (Cognito PostConfirmation).
// Cognito expects the event back; a thrown error would fail the confirmation.

const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, PutCommand } = require('@aws-sdk/lib-dynamodb');

const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

// The longest display name the profile page shows, in characters.
const DISPLAY_NAME_LENGTH = 24;

const text = (value) => (typeof value === 'string' && value.trim() ? value.trim() : undefined);

function displayName(name) {
  return Array.from(name).slice(0, DISPLAY_NAME_LENGTH).join('');
}

exports.handler = async (event) => {
  if (event.triggerSource !== 'PostConfirmation_ConfirmSignUp') return event;

  const attributes = (event.request && event.request.userAttributes) || {};
  const customerId = text(attributes.sub) || text(event.userName);
  if (!customerId) {
    console.warn('confirmed user without a sub or user name in pool %s', event.userPoolId);
    return event;
  }
  const email = text(attributes.email) && attributes.email.trim().toLowerCase();
  const name = text(attributes.name) || [text(attributes.given_name), text(attributes.family_name)].filter(Boolean).join(' ');

  try {
    await ddb.send(
      new PutCommand({
        TableName: process.env.CUSTOMERS_TABLE,
        Item: {
          pk: customerId,
          email,
          emailVerified: attributes.email_verified === 'true',
          name: name || undefined,
          displayName: displayName(name || (email ? email.split('@')[0] : 'Customer')),
          phone: text(attributes.phone_number),
          marketingOptIn: attributes['custom:marketing_opt_in'] === 'true',
          userPoolId: text(event.userPoolId),
          createdAt: new Date().toISOString(),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    console.log('created the profile of %s', customerId);
  } catch (err) {
    if (err.name !== 'ConditionalCheckFailedException') throw err;
    console.log('%s already has a profile', customerId);
  }
  return event;
};
