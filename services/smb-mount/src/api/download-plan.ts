// How a download request is answered, from the file's stat and the request's conditional and
// range headers (RFC 9110 §13 and §14): 304, 416, 206 with one range, or 200 with the whole body
// (also for a multi-range request, which the RFC allows).
import parseRange from 'range-parser';

export interface Validators {
  size: number;
  /** The SMB version, `${mtimeNs}-${size}`; the ETag is it, quoted. */
  version: string;
  mtime: Date;
}

export interface RequestConditions {
  range?: string;
  ifRange?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
}

export type DownloadPlan =
  | { status: 304 }
  | { status: 416 }
  | { status: 200 | 206; start: number; end: number; length: number };

export function etagOf(version: string): string {
  return `"${version}"`;
}

/** The tags of an If-None-Match list, without W/ (it compares weakly); `*` stays `*`. */
function tags(header: string): string[] {
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .filter((tag) => tag !== '');
}

function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

function httpDate(text: string): number | undefined {
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : Math.floor(time / 1000);
}

function notModified(file: Validators, request: RequestConditions): boolean {
  if (request.ifNoneMatch !== undefined) {
    const list = tags(request.ifNoneMatch);
    return list.includes('*') || list.includes(etagOf(file.version));
  }
  if (request.ifModifiedSince !== undefined) {
    const since = httpDate(request.ifModifiedSince);
    return since !== undefined && seconds(file.mtime) <= since;
  }
  return false;
}

/**
 * If-Range holds when it names the current (strong) ETag, or exactly the Last-Modified date;
 * otherwise the range is ignored and the whole file is sent.
 */
function ifRangeHolds(file: Validators, ifRange: string | undefined): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return value === etagOf(file.version);
  const date = httpDate(value);
  return date !== undefined && date === seconds(file.mtime);
}

export function planDownload(file: Validators, request: RequestConditions): DownloadPlan {
  if (notModified(file, request)) return { status: 304 };
  const whole = { status: 200, start: 0, end: file.size - 1, length: file.size } as const;
  if (request.range === undefined || !ifRangeHolds(file, request.ifRange)) return whole;
  const ranges = parseRange(file.size, request.range, { combine: true });
  // -2: malformed, ignored as the RFC says; -1: no range overlaps the file.
  if (ranges === -2) return whole;
  if (ranges === -1) return { status: 416 };
  if (ranges.type !== 'bytes' || ranges.length !== 1) return whole;
  const [range] = ranges;
  if (range === undefined) return whole;
  return { status: 206, start: range.start, end: range.end, length: range.end - range.start + 1 };
}
