'use strict';

// Fetches a picture from a URL: ssrf_bug.js with an allow-list of hosts.
const https = require('https');
const { field, respond } = require('./event');

const ALLOWED_HOSTS = new Set(['images.shop.example', 'cdn.shop.example']);

function download(url) {
  return new Promise((resolve, reject) => {
    const request = https.get(url, { timeout: 3000 }, (response) => {
      let size = 0;
      response.on('data', (chunk) => {
        size += chunk.length;
      });
      response.on('end', () => resolve(size));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
  });
}

exports.handler = async (event) => {
  const text = field(event, 'url');
  let url;
  try {
    url = new URL(text);
  } catch {
    return respond(400, { message: 'url must be an https URL' });
  }
  if (url.protocol !== 'https:' || !ALLOWED_HOSTS.has(url.hostname) || !['', '443'].includes(url.port)) {
    return respond(403, { message: 'pictures come from our image hosts only' });
  }
  try {
    return respond(200, { bytes: await download(url) });
  } catch {
    return respond(422, { message: 'could not fetch the picture' });
  }
};
