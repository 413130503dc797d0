'use strict';

// Makes a thumbnail of each review photo uploaded to the uploads bucket (S3 ObjectCreated) and
// publishes it to the product images bucket under thumbnails/.
//
// ImageMagick comes from a Lambda layer (/opt/bin/convert). Where the layer is missing (local
// runs, the staging account) the photo is published as it is.

const { execSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { S3Client, GetObjectCommand, PutObjectCommand } = require('@aws-sdk/client-s3');

const s3 = new S3Client({});

const WORK_ROOT = '/tmp/thumbs';
const CONVERT = process.env.IMAGEMAGICK_CONVERT || '/opt/bin/convert';
const THUMB_SIZE = '320x320';

// What customers may upload, by the first bytes of the file.
const FORMATS = [
  { type: 'image/jpeg', ext: 'jpg', test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: 'image/png', ext: 'png', test: (b) => b.toString('latin1', 0, 8) === '\x89PNG\r\n\x1a\n' },
  { type: 'image/webp', ext: 'webp', test: (b) => b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP' },
];

// Keys in S3 events are URL-encoded, with spaces as '+'.
const decodeKey = (key) => decodeURIComponent(key.replace(/\+/g, ' '));

async function download(bucket, key, file) {
  try {
    const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    fs.writeFileSync(file, Buffer.from(await Body.transformToByteArray()));
    return true;
  } catch (err) {
    if (err.name === 'NoSuchKey') return false;
    throw err;
  }
}

async function makeThumbnail(bucket, key) {
  // One work directory per object, e.g. /tmp/thumbs/reviews/ord_1/photo.jpg/
  const work = path.join(WORK_ROOT, key);
  if (!work.startsWith(`${WORK_ROOT}/`)) throw new Error('key leaves the work directory');
  execSync(`mkdir -p "${work}"`);
  try {
    const original = path.join(work, 'original');
    if (!(await download(bucket, key, original))) {
      console.warn(`s3://${bucket}/${key} was deleted before we got to it`);
      return null;
    }
    const bytes = fs.readFileSync(original);
    const format = FORMATS.find((f) => f.test(bytes));
    if (!format) {
      console.warn(`s3://${bucket}/${key} is not a JPEG, PNG or WebP picture`);
      return null;
    }

    const base = key.replace(/\.[^./]+$/, '');
    let thumbnail = { key: `thumbnails/${base}.${format.ext}`, body: bytes, type: format.type };
    if (fs.existsSync(CONVERT)) {
      const out = path.join(work, 'thumb.jpg');
      execSync(`${CONVERT} "${original}" -auto-orient -strip -thumbnail ${THUMB_SIZE} "${out}"`);
      thumbnail = { key: `thumbnails/${base}-320.jpg`, body: fs.readFileSync(out), type: 'image/jpeg' };
    } else {
      console.warn(`${CONVERT} not found: publishing ${key} without resizing it`);
    }

    await s3.send(
      new PutObjectCommand({
        Bucket: process.env.PRODUCT_IMAGES_BUCKET,
        Key: thumbnail.key,
        Body: thumbnail.body,
        ContentType: thumbnail.type,
        CacheControl: 'public, max-age=31536000, immutable',
      }),
    );
    return thumbnail.key;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

exports.handler = async (event) => {
  const published = [];
  const failed = [];
  for (const record of (event && event.Records) || []) {
    const s3Info = (record && record.s3) || {};
    const bucket = s3Info.bucket && s3Info.bucket.name;
    const rawKey = s3Info.object && s3Info.object.key;
    try {
      // One bad photo must not hold up the others: log it and go on.
      const thumbnail = await makeThumbnail(bucket, decodeKey(rawKey));
      if (thumbnail) published.push(thumbnail);
    } catch (err) {
      console.error(`could not make a thumbnail of s3://${bucket}/${rawKey}:`, err);
      failed.push(rawKey);
    }
  }
  return { published, failed };
};
