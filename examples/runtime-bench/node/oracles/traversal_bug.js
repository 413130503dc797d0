'use strict';

// Returns a help page shipped beside the code. BUG: the file name may climb out (path traversal).
const fs = require('fs');
const path = require('path');
const { field, respond } = require('./event');

const PAGES = path.join(__dirname, 'files');

exports.handler = async (event) => {
  const name = field(event, 'file');
  if (typeof name !== 'string' || !name) return respond(400, { message: 'file is required' });
  try {
    return respond(200, { page: fs.readFileSync(path.join(PAGES, name), 'utf8').slice(0, 100000) });
  } catch {
    return respond(404, { message: 'no such page' });
  }
};
