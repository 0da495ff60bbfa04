import { describe, expect, it } from 'vitest';
import { etagOf, planDownload } from './download-plan.js';

const file = { size: 1000, version: '17-1000', mtime: new Date('2026-03-04T05:06:07.890Z') };
const etag = etagOf(file.version);
const date = file.mtime.toUTCString();

describe('planning a download', () => {
  it('sends the whole file without conditions', () => {
    expect(planDownload(file, {})).toEqual({ status: 200, start: 0, end: 999, length: 1000 });
  });

  it('answers one range with 206, in its forms', () => {
    expect(planDownload(file, { range: 'bytes=0-0' })).toMatchObject({
      status: 206,
      start: 0,
      end: 0,
    });
    expect(planDownload(file, { range: 'bytes=990-' })).toMatchObject({ start: 990, end: 999 });
    expect(planDownload(file, { range: 'bytes=-10' })).toMatchObject({
      start: 990,
      end: 999,
      length: 10,
    });
    expect(planDownload(file, { range: 'bytes=500-5000' })).toMatchObject({ start: 500, end: 999 });
    // Overlapping ranges that combine into one are one range.
    expect(planDownload(file, { range: 'bytes=0-10,5-20' })).toMatchObject({
      status: 206,
      start: 0,
      end: 20,
    });
  });

  it('sends several ranges, a malformed one or another unit as the whole file', () => {
    expect(planDownload(file, { range: 'bytes=0-9,100-109' }).status).toBe(200);
    expect(planDownload(file, { range: 'bytes=a-b' }).status).toBe(200);
    expect(planDownload(file, { range: 'items=0-1' }).status).toBe(200);
  });

  it('answers 416 for a range outside the file, also for an empty file', () => {
    expect(planDownload(file, { range: 'bytes=1000-' }).status).toBe(416);
    expect(planDownload({ ...file, size: 0 }, { range: 'bytes=0-' }).status).toBe(416);
    expect(planDownload({ ...file, size: 0 }, {})).toMatchObject({ status: 200, length: 0 });
  });

  it('answers 304 when If-None-Match matches (weakly), else by If-Modified-Since', () => {
    for (const ifNoneMatch of [etag, `W/${etag}`, `"x", ${etag}`, '*'])
      expect(planDownload(file, { ifNoneMatch }).status).toBe(304);
    expect(planDownload(file, { ifNoneMatch: '"x"' }).status).toBe(200);
    expect(planDownload(file, { ifModifiedSince: date }).status).toBe(304);
    expect(planDownload(file, { ifModifiedSince: 'Tue, 03 Mar 2026 00:00:00 GMT' }).status).toBe(
      200,
    );
    expect(planDownload(file, { ifModifiedSince: 'not a date' }).status).toBe(200);
    // If-None-Match wins over If-Modified-Since.
    expect(planDownload(file, { ifNoneMatch: '"x"', ifModifiedSince: date }).status).toBe(200);
  });

  it('keeps the range only while If-Range holds: the strong ETag or the exact date', () => {
    expect(planDownload(file, { range: 'bytes=0-1', ifRange: etag }).status).toBe(206);
    expect(planDownload(file, { range: 'bytes=0-1', ifRange: date }).status).toBe(206);
    expect(planDownload(file, { range: 'bytes=0-1', ifRange: `W/${etag}` }).status).toBe(200);
    expect(planDownload(file, { range: 'bytes=0-1', ifRange: '"other"' }).status).toBe(200);
    expect(
      planDownload(file, { range: 'bytes=0-1', ifRange: new Date(0).toUTCString() }).status,
    ).toBe(200);
  });
});
