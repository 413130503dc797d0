'use strict';

// Where the oracle fixtures find their one input field, whatever kind of event they get.
//
// In order: a JSON body (API Gateway REST or HTTP API, function URL; base64 or not), the query
// string, the first SQS record's body (a JSON object's field, or else the whole body), the event
// itself (direct invocation).

const has = (object, name) => Object.prototype.hasOwnProperty.call(object, name);
const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// The body as text (null when there is none), for fixtures that read the whole body.
function bodyText(event) {
  if (!isObject(event) || typeof event.body !== 'string' || !event.body) return null;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

function field(event, name) {
  if (!isObject(event)) return undefined;
  const body = bodyText(event);
  if (body !== null) {
    const doc = parse(body);
    if (isObject(doc) && has(doc, name)) return doc[name];
  }
  const query = event.queryStringParameters;
  if (isObject(query) && has(query, name)) return query[name];
  const records = event.Records;
  if (Array.isArray(records) && isObject(records[0]) && typeof records[0].body === 'string') {
    const doc = parse(records[0].body);
    return isObject(doc) ? doc[name] : records[0].body;
  }
  return has(event, name) ? event[name] : undefined;
}

// An API Gateway proxy response with a JSON body.
const respond = (statusCode, body) => ({
  statusCode,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

module.exports = { field, bodyText, respond };
