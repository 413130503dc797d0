'use strict';

// Counts the pages of the catalogue. BUG: a page size of 0 or less never ends (timeout).
const { field, respond } = require('./event');

const PRODUCTS = 240;

exports.handler = async (event) => {
  const size = Number(field(event, 'pageSize') ?? 20);
  if (Number.isNaN(size)) return respond(400, { message: 'pageSize must be a number' });
  let pages = 0;
  for (let left = PRODUCTS; left > 0; left -= size) pages += 1;
  return respond(200, { pages });
};
