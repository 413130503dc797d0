'use strict';

// Counts the pages of the catalogue: timeout_bug.js that accepts page sizes 1 to 100 only.
const { field, respond } = require('./event');

const PRODUCTS = 240;

exports.handler = async (event) => {
  const size = Number(field(event, 'pageSize') ?? 20);
  if (!Number.isInteger(size) || size < 1 || size > 100) return respond(400, { message: 'pageSize must be 1 to 100' });
  let pages = 0;
  for (let left = PRODUCTS; left > 0; left -= size) pages += 1;
  return respond(200, { pages });
};
