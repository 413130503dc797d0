'use strict';

// Greets a customer by e-mail: exception_bug.js that checks the address is there.
const { field, respond } = require('./event');

exports.handler = async (event) => {
  const customer = field(event, 'customer');
  if (customer === null || typeof customer !== 'object' || typeof customer.email !== 'string') {
    return respond(400, { message: 'customer.email is required' });
  }
  return respond(200, { to: customer.email.toLowerCase() });
};
