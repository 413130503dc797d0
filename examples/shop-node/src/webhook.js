'use strict';

// Payment gateway webhook (function URL, POST /): marks orders paid, failed or refunded.
//
// Body: model/schemas/payment-webhook.json. The gateway echoes back the `metadata` we attach to
// each payment; we write that with node-serialize so that dates and the cart survive the round
// trip, so the notification is read back with node-serialize too.

const serialize = require('node-serialize');
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, UpdateCommand } = require('@aws-sdk/lib-dynamodb');

const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

const NEW_STATUS = {
  'payment.succeeded': 'paid',
  'payment.failed': 'payment_failed',
  'payment.refunded': 'refunded',
};
const CURRENCY = /^[A-Z]{3}$/;

const respond = (statusCode, message) => ({
  statusCode,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ message }),
});

function readNotification(event) {
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body || '', 'base64').toString('utf8')
    : event.body || '';
  return serialize.unserialize(raw);
}

function problemWith(n) {
  if (n === null || typeof n !== 'object' || Array.isArray(n)) return 'body must be a JSON object';
  if (typeof n.eventId !== 'string' || !n.eventId || n.eventId.length > 128) return 'eventId is required';
  if (!Object.prototype.hasOwnProperty.call(NEW_STATUS, n.type)) return `unsupported event type ${n.type}`;
  if (typeof n.orderId !== 'string' || !n.orderId || n.orderId.length > 64) return 'orderId is required';
  if (!Number.isSafeInteger(n.amount) || n.amount < 0) return 'amount must be a whole number of cents';
  if (typeof n.currency !== 'string' || !CURRENCY.test(n.currency)) return 'currency must be an ISO code';
  return null;
}

exports.handler = async (event) => {
  let notification;
  try {
    notification = readNotification(event);
  } catch (err) {
    console.warn('unreadable notification: %s', err.message);
    return respond(400, 'body must be JSON');
  }
  const problem = problemWith(notification);
  if (problem) return respond(400, problem);

  // TODO(SHOP-231): check notification.signature against WEBHOOK_SIGNING_SECRET.
  const { eventId, type, orderId, amount, currency } = notification;
  const status = NEW_STATUS[type];
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: process.env.ORDERS_TABLE,
        Key: { pk: orderId },
        UpdateExpression:
          'SET #status = :status, paymentEventId = :eventId, paidAmountCents = :amount, paidCurrency = :currency, updatedAt = :now',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': status,
          ':eventId': eventId,
          ':amount': amount,
          ':currency': currency,
          ':now': new Date().toISOString(),
        },
      }),
    );
  } catch (err) {
    if (err.name === 'ConditionalCheckFailedException') return respond(404, `unknown order ${orderId}`);
    throw err;
  }
  console.log('order %s is now %s (gateway event %s)', orderId, status, eventId);
  return respond(200, 'ok');
};
