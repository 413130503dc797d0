'use strict';

// Restores a saved cart. BUG: with node-serialize, which runs the functions the data holds.
const serialize = require('node-serialize');
const { bodyText, field, respond } = require('./event');

exports.handler = async (event) => {
  // The cart is the `data` field, or the whole body.
  const data = field(event, 'data') ?? bodyText(event);
  if (typeof data !== 'string' && (data === null || typeof data !== 'object')) {
    return respond(400, { message: 'data is required' });
  }
  let cart;
  try {
    cart = serialize.unserialize(data);
  } catch {
    return respond(400, { message: 'not a saved cart' });
  }
  if (cart === null || typeof cart !== 'object' || !Array.isArray(cart.items)) {
    return respond(400, { message: 'not a saved cart' });
  }
  return respond(200, { items: cart.items.length });
};
