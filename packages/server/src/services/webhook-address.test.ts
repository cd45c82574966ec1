import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isPublicAddress, localHostReason, publicOnlyLookup } from './webhook-address.js';
import { postWebhook } from './webhook-post.js';

describe('webhook addresses', () => {
  it('public addresses pass; loopback, private, link-local, reserved and mapped ones do not', () => {
    for (const address of [
      '8.8.8.8',
      '1.1.1.1',
      '52.94.236.248',
      '2606:4700:4700::1111',
      '2a00:1450:4001:80b::200e',
    ])
      expect(isPublicAddress(address), address).toBe(true);
    for (const address of [
      '127.0.0.1',
      '127.255.0.9',
      '10.0.0.1',
      '172.16.5.4',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '198.18.0.1',
      '::1',
      '::',
      'fc00::1',
      'fd12:3456::1',
      'fe80::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:169.254.169.254',
      'not-an-address',
      '',
    ])
      expect(isPublicAddress(address), address).toBe(false);
  });

  it('refuses at once a URL host that is a non-public address or local by name; other names wait for delivery', () => {
    expect(localHostReason('127.0.0.1')).toMatch(/not a public address/);
    expect(localHostReason('[::1]')).toMatch(/not a public address/);
    expect(localHostReason('169.254.169.254')).toMatch(/not a public address/);
    expect(localHostReason('LOCALHOST')).toMatch(/this machine/);
    expect(localHostReason('api.localhost')).toMatch(/this machine/);
    expect(localHostReason('8.8.8.8')).toBeUndefined();
    expect(localHostReason('hooks.example.com')).toBeUndefined();
  });

  it('a delivery to a name that resolves to a loopback address is refused before connecting', async () => {
    let received = 0;
    const server = createServer((request, response) => {
      received++;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const refused = await postWebhook(`http://localhost:${port}/hook`, {}, '{}', {
        timeoutMs: 5000,
        lookup: publicOnlyLookup,
      }).catch((error: unknown) => error);
      expect(refused).toMatchObject({
        code: 'EWEBHOOKADDRESS',
        message: expect.stringContaining('not a public address'),
      });
      // Without the guard (development), the same delivery goes through.
      expect(await postWebhook(`http://localhost:${port}/hook`, {}, '{}', { timeoutMs: 5000 })).toBe(200);
      expect(received).toBe(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
