import { lookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { WebhookPostResult, WebhookTransport } from '../core/ports.ts';
import { addressRefusal, type Cidr } from '../core/webhooks/address-policy.ts';

/** The most of a receiver's answer that is read (and discarded). */
const MAX_RESPONSE_BYTES = 64 * 1024;

type Target = { address: string; family: 4 | 6 };
type Resolved = { ok: true; target: Target } | { ok: false; refused: boolean; error: string };

/** The URL's host without IPv6 brackets. */
const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * Webhook requests over node:http(s), guarded against SSRF: the host is resolved once, every
 * address it resolves to must pass the address policy, and the connection goes to the first
 * of those checked addresses (a `lookup` that returns it), so a DNS answer that changes
 * between the check and the connect (rebinding) cannot redirect the request. TLS still
 * verifies the certificate against the URL's host name. Redirects are not followed.
 */
export class HttpWebhookTransport implements WebhookTransport {
  constructor(
    private readonly allowed: readonly Cidr[],
    private readonly timeoutMs: number,
  ) {}

  async refusal(url: string): Promise<string | null> {
    const resolved = await this.resolve(url);
    return resolved.ok ? null : resolved.error;
  }

  private async resolve(text: string): Promise<Resolved> {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return { ok: false, refused: true, error: 'not a URL' };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return { ok: false, refused: true, error: 'only http and https URLs are allowed' };
    }
    const host = hostOf(url);
    let addresses: Target[];
    if (isIP(host)) {
      addresses = [{ address: host, family: isIP(host) as 4 | 6 }];
    } else {
      try {
        addresses = (await withTimeout(
          lookup(host, { all: true, verbatim: true }),
          this.timeoutMs,
        )) as Target[];
      } catch (error) {
        return {
          ok: false,
          refused: false,
          error: `${host} could not be resolved (${(error as Error).message})`,
        };
      }
    }
    if (addresses.length === 0) return { ok: false, refused: false, error: `${host} has no address` };
    for (const { address } of addresses) {
      const why = addressRefusal(address, this.allowed);
      if (why) {
        const via = address === host ? '' : ` (${host} resolves to it)`;
        return {
          ok: false,
          refused: true,
          error: `refused: ${why}${via}; webhooks go to public addresses only`,
        };
      }
    }
    return { ok: true, target: addresses[0]! };
  }

  async post(url: string, body: string, headers: Record<string, string>): Promise<WebhookPostResult> {
    const deadline = Date.now() + this.timeoutMs;
    const resolved = await this.resolve(url);
    if (!resolved.ok) return { outcome: resolved.refused ? 'refused' : 'error', error: resolved.error };
    const { target } = resolved;
    const pinned: LookupFunction = (_host, options, callback) => {
      if ((options as { all?: boolean }).all) callback(null, [target]);
      else (callback as (e: null, a: string, f: number) => void)(null, target.address, target.family);
    };
    const parsed = new URL(url);
    const send = parsed.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<WebhookPostResult>((resolve) => {
      let settled = false;
      const finish = (result: WebhookPostResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const req = send(
        parsed,
        {
          method: 'POST',
          headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
          lookup: pinned,
          agent: false,
        },
        (res) => {
          let read = 0;
          res.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > MAX_RESPONSE_BYTES) res.destroy();
          });
          const done = () => finish({ outcome: 'response', status: res.statusCode ?? 0 });
          res.on('end', done);
          res.on('close', done);
          res.on('error', done);
        },
      );
      const timer = setTimeout(
        () => {
          finish({ outcome: 'error', error: `no answer within ${Math.round(this.timeoutMs / 1000)} s` });
          req.destroy();
        },
        Math.max(0, deadline - Date.now()),
      );
      req.on('error', (error) => finish({ outcome: 'error', error: `request failed: ${error.message}` }));
      req.end(body);
    });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
