'use strict';

// Returns one page of results. BUG: a bad page number gets a 500 with the stack trace in the body.
const { field, respond } = require('./event');

const RESULTS = Array.from({ length: 100 }, (_, i) => `result ${i}`);

function pageNumber(value) {
  const page = Number(value);
  if (!Number.isInteger(page) || page < 1) throw new RangeError(`invalid page ${value}`);
  return page;
}

exports.handler = async (event) => {
  try {
    const page = pageNumber(field(event, 'page') ?? 1);
    return respond(200, { page, results: RESULTS.slice((page - 1) * 10, page * 10) });
  } catch (err) {
    return { statusCode: 500, headers: { 'Content-Type': 'text/plain' }, body: err.stack };
  }
};
