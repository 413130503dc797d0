'use strict';

// Fetches a picture from a URL. BUG: any URL, so internal hosts too (SSRF).
const http = require('http');
const https = require('https');
const { field, respond } = require('./event');

function download(url) {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http;
    const request = client.get(url, { timeout: 3000 }, (response) => {
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
  const url = field(event, 'url');
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) {
    return respond(400, { message: 'url must be an http(s) URL' });
  }
  try {
    return respond(200, { bytes: await download(url) });
  } catch {
    return respond(422, { message: 'could not fetch the picture' });
  }
};
