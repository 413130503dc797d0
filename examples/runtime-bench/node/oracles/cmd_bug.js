'use strict';

// Lists a file of the spool directory. BUG: the name goes to a shell (command injection).
const { execSync } = require('child_process');
const { field, respond } = require('./event');

const SPOOL = '/tmp/spool';

exports.handler = async (event) => {
  const name = field(event, 'name');
  if (typeof name !== 'string' || !name) return respond(400, { message: 'name is required' });
  try {
    return respond(200, { listing: execSync(`ls -l ${SPOOL}/${name}`, { encoding: 'utf8', stdio: 'pipe' }) });
  } catch {
    return respond(404, { message: 'no such file' });
  }
};
