'use strict';

// Sets the log level of a request. BUG: a helper taken from a CLI script exits the process (crash).
const { field, respond } = require('./event');

const LEVELS = ['debug', 'info', 'warn', 'error'];

function parseLevel(text) {
  if (!LEVELS.includes(text)) {
    console.error(`unknown log level ${text}`);
    process.exit(1);
  }
  return text;
}

exports.handler = async (event) => respond(200, { level: parseLevel(field(event, 'level') ?? 'info') });
