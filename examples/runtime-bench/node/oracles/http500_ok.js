'use strict';

// Returns one page of results: http500_bug.js that answers 400 to a bad page number.
const { field, respond } = require('./event');

const RESULTS = Array.from({ length: 100 }, (_, i) => `result ${i}`);

exports.handler = async (event) => {
  const page = Number(field(event, 'page') ?? 1);
  if (!Number.isInteger(page) || page < 1) return respond(400, { message: 'page must be a whole number from 1' });
  return respond(200, { page, results: RESULTS.slice((page - 1) * 10, page * 10) });
};
