'use strict';

// Places an order: POST /orders on the shop's REST API (Cognito authoriser).
//
// Checks the body (model/schemas/place-order.json), prices the lines from the products table,
// asks the payment gateway to authorise the card and stores the order. The order id is the
// client's when it sends one, so that the app can retry a checkout without ordering twice.

const crypto = require('crypto');
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, GetCommand, PutCommand } = require('@aws-sdk/lib-dynamodb');

const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

const SKU = /^[A-Z0-9-]{4,32}$/;
const COUNTRY = /^[A-Z]{2}$/;
const CARD_NUMBER = /^[0-9]{12,19}$/;
const EXPIRY = /^(0[1-9]|1[0-2])\/([0-9]{2})$/;
const CVC = /^[0-9]{3,4}$/;
const ADDRESS_LIMITS = { name: 120, street: 200, city: 100, postcode: 16 };
const ORDER_ID = /^ord_[a-z0-9]{16}$/;
const COUPONS = new Map([
  ['WELCOME10', 10],
  ['SPRING15', 15],
]);
const GATEWAY_TIMEOUT_MS = 5000;

const json = (statusCode, body) => ({
  statusCode,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

class BadRequest extends Error {}

const pick = (object, keys) => Object.fromEntries(keys.map((k) => [k, object[k]]));

function parseBody(event) {
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body || '', 'base64').toString('utf8')
    : event.body || '';
  try {
    return JSON.parse(raw);
  } catch {
    throw new BadRequest('body must be JSON');
  }
}

function expired(expiry, now = new Date()) {
  const [, month, year] = EXPIRY.exec(expiry);
  const lastDay = new Date(Date.UTC(2000 + Number(year), Number(month), 1));
  return lastDay <= now;
}

function validate(order) {
  const problems = [];
  if (order === null || typeof order !== 'object' || Array.isArray(order)) {
    return ['body must be a JSON object'];
  }
  const { items, deliveryAddress: address, payment } = order;
  if (!Array.isArray(items) || items.length < 1 || items.length > 50) {
    problems.push('items must list 1 to 50 products');
  } else {
    items.forEach((line, i) => {
      if (!line || typeof line.sku !== 'string' || !SKU.test(line.sku)) problems.push(`items[${i}].sku is invalid`);
      if (!line || !Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > 99) {
        problems.push(`items[${i}].quantity must be 1 to 99`);
      }
    });
  }
  if (!address || typeof address !== 'object') {
    problems.push('deliveryAddress is required');
  } else {
    for (const [field, max] of Object.entries(ADDRESS_LIMITS)) {
      const value = address[field];
      if (typeof value !== 'string' || !value.trim() || value.length > max) {
        problems.push(`deliveryAddress.${field} must be 1 to ${max} characters`);
      }
    }
    if (typeof address.country !== 'string' || !COUNTRY.test(address.country)) {
      problems.push('deliveryAddress.country must be an ISO country code');
    }
  }
  if (!payment || typeof payment !== 'object') {
    problems.push('payment is required');
  } else {
    if (typeof payment.cardNumber !== 'string' || !CARD_NUMBER.test(payment.cardNumber)) {
      problems.push('payment.cardNumber is invalid');
    }
    if (typeof payment.expiry !== 'string' || !EXPIRY.test(payment.expiry)) {
      problems.push('payment.expiry must be MM/YY');
    } else if (expired(payment.expiry)) {
      problems.push('the card has expired');
    }
    if (typeof payment.cvc !== 'string' || !CVC.test(payment.cvc)) problems.push('payment.cvc is invalid');
  }
  if (order.couponCode !== undefined && typeof order.couponCode !== 'string') {
    problems.push('couponCode must be a string');
  }
  return problems;
}

async function priceLines(items) {
  const lines = [];
  for (const { sku, quantity } of items) {
    const { Item: product } = await ddb.send(
      new GetCommand({ TableName: process.env.PRODUCTS_TABLE, Key: { pk: sku } }),
    );
    if (!product || product.active === false) return { unknown: sku };
    if ((product.stock ?? 0) < quantity) return { soldOut: sku };
    lines.push({ sku, quantity, unitPriceCents: product.priceCents, currency: product.currency || 'EUR' });
  }
  return { lines };
}

// Asks the gateway to authorise the amount. When the gateway cannot be reached the order is kept
// and waits for the gateway's webhook, as the checkout page tells the customer.
async function authorise(orderId, totalCents, currency, payment) {
  const apiKey = process.env.PAYMENT_API_KEY;
  if (!apiKey) {
    console.warn('PAYMENT_API_KEY is not set: order %s waits for payment', orderId);
    return { status: 'pending' };
  }
  try {
    const response = await fetch(`${process.env.PAYMENT_API_URL}/authorisations`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ reference: orderId, amount: totalCents, currency, card: payment }),
      signal: AbortSignal.timeout(GATEWAY_TIMEOUT_MS),
    });
    if (response.status === 402) return { status: 'declined' };
    if (!response.ok) throw new Error(`gateway answered ${response.status}`);
    const { id } = await response.json();
    return { status: 'authorised', id };
  } catch (err) {
    console.warn('payment gateway unavailable for order %s: %s', orderId, err.message);
    return { status: 'pending' };
  }
}

exports.handler = async (event) => {
  const customerId = event.requestContext?.authorizer?.claims?.sub;
  if (!customerId) return json(401, { message: 'Unauthorized' });

  let order;
  try {
    order = parseBody(event);
  } catch (err) {
    if (err instanceof BadRequest) return json(400, { message: err.message });
    throw err;
  }
  const problems = validate(order);
  if (problems.length) return json(400, { message: 'invalid order', problems });

  const { Item: customer } = await ddb.send(
    new GetCommand({ TableName: process.env.CUSTOMERS_TABLE, Key: { pk: customerId } }),
  );
  if (!customer) return json(403, { message: 'complete your profile before ordering' });

  const priced = await priceLines(order.items);
  if (priced.unknown) return json(422, { message: `unknown product ${priced.unknown}` });
  if (priced.soldOut) return json(409, { message: `${priced.soldOut} is sold out` });
  const { lines } = priced;
  const currency = lines[0].currency;
  const subtotal = lines.reduce((sum, l) => sum + l.unitPriceCents * l.quantity, 0);
  const percentOff = COUPONS.get(order.couponCode) || 0;
  const discount = Math.round((subtotal * percentOff) / 100);
  const totalCents = subtotal - discount;

  // A retried checkout sends the id it got the first time.
  const orderId =
    typeof order.orderId === 'string' && ORDER_ID.test(order.orderId)
      ? order.orderId
      : `ord_${crypto.randomBytes(8).toString('hex')}`;
  const payment = await authorise(orderId, totalCents, currency, order.payment);
  if (payment.status === 'declined') return json(402, { message: 'the card was declined' });

  const now = new Date().toISOString();
  await ddb.send(
    new PutCommand({
      TableName: process.env.ORDERS_TABLE,
      Item: {
        pk: orderId,
        customerId,
        status: payment.status === 'authorised' ? 'paid' : 'placed',
        items: lines.map(({ sku, quantity, unitPriceCents }) => ({ sku, quantity, unitPriceCents })),
        subtotalCents: subtotal,
        discountCents: discount,
        totalCents,
        currency,
        couponCode: order.couponCode,
        deliveryAddress: pick(order.deliveryAddress, ['name', 'street', 'city', 'postcode', 'country']),
        payment: {
          last4: order.payment.cardNumber.slice(-4),
          expiry: order.payment.expiry,
          status: payment.status,
          gatewayId: payment.id,
        },
        createdAt: now,
        updatedAt: now,
      },
    }),
  );
  return json(payment.status === 'authorised' ? 201 : 202, { orderId, status: payment.status, totalCents, currency });
};
