'use strict';

// Lists a file of the spool directory: cmd_bug.js without a shell (argument array).
const { execFileSync } = require('child_process');
const path = require('path');
const { field, respond } = require('./event');

const SPOOL = '/tmp/spool';

exports.handler = async (event) => {
  const name = field(event, 'name');
  if (typeof name !== 'string' || !name || name.includes('\0')) return respond(400, { message: 'name is required' });
  try {
    const listing = execFileSync('ls', ['-l', '--', path.join(SPOOL, path.basename(name))], { encoding: 'utf8', stdio: 'pipe' });
    return respond(200, { listing });
  } catch {
    return respond(404, { message: 'no such file' });
  }
};
