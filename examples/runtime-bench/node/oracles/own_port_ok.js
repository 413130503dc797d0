'use strict';

// Talks to a server of its own on loopback (as a handler driving a headless browser or a helper
// process does): a port it bound is its own, and reaching it is no finding.
const http = require('http');
const { respond } = require('./event');

const server = http.createServer((request, response) => response.end('pong'));
const listening = new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
server.unref();

function get(port) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/', timeout: 3000 }, (response) => {
      let text = '';
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => resolve(text));
    }).on('error', reject);
  });
}

exports.handler = async () => {
  await listening;
  return respond(200, { helper: await get(server.address().port) });
};
