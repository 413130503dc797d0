'use strict';

// Greets a customer by e-mail. BUG: a customer without an e-mail address throws a TypeError.
const { field, respond } = require('./event');

exports.handler = async (event) => {
  const customer = field(event, 'customer');
  if (customer === null || typeof customer !== 'object') return respond(400, { message: 'customer is required' });
  return respond(200, { to: customer.email.toLowerCase() });
};
