'use strict';

// Sets the log level of a request: crash_bug.js that answers 400 to an unknown level.
const { field, respond } = require('./event');

const LEVELS = ['debug', 'info', 'warn', 'error'];

exports.handler = async (event) => {
  const level = field(event, 'level') ?? 'info';
  if (!LEVELS.includes(level)) return respond(400, { message: `level must be one of ${LEVELS.join(', ')}` });
  return respond(200, { level });
};
