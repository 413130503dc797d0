'use strict';

// Returns a help page shipped beside the code: traversal_bug.js that stays in its directory.
const fs = require('fs');
const path = require('path');
const { field, respond } = require('./event');

const PAGES = path.join(__dirname, 'files');

exports.handler = async (event) => {
  const name = field(event, 'file');
  if (typeof name !== 'string' || !name || name.includes('\0')) return respond(400, { message: 'file is required' });
  const file = path.resolve(PAGES, path.basename(name));
  if (path.dirname(file) !== PAGES) return respond(404, { message: 'no such page' });
  try {
    return respond(200, { page: fs.readFileSync(file, 'utf8').slice(0, 100000) });
  } catch {
    return respond(404, { message: 'no such page' });
  }
};
