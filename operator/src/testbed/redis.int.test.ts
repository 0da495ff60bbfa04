import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type Redis } from './redis.js';

/** One RESP command over a fresh connection; the raw reply. */
function command(port: number, parts: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.endsWith('\r\n')) {
        socket.end();
        resolve(reply);
      }
    });
    socket.on('error', reject);
    socket.write(
      `*${String(parts.length)}\r\n${parts.map((part) => `$${String(Buffer.byteLength(part))}\r\n${part}\r\n`).join('')}`,
    );
  });
}

describe('the test-bed Redis', () => {
  let redis: Redis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('refuses a client without its password and answers one with it', async () => {
    expect(await command(redis.port, ['PING'])).toMatch(/^-NOAUTH/);
    expect(await command(redis.port, ['AUTH', redis.password])).toBe('+OK\r\n');
  });
});
