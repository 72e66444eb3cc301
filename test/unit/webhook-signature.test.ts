import { describe, expect, it } from 'vitest';
import {
  deliveryIdFor,
  eventFor,
  newWebhookSecret,
  signatureHeader,
} from '../../functions/core/webhooks/webhook.ts';

describe('unit: webhook signatures', () => {
  it('signs "<t>.<body>" with HMAC-SHA256 keyed by the whole secret (known vector)', () => {
    // Computed independently: printf '1700000000.<body>' | openssl dgst -sha256 -hmac whsec_test_secret
    const body = '{"event":"execution.completed","deliveryId":"d1"}';
    expect(signatureHeader('whsec_test_secret', 1_700_000_000, body)).toBe(
      't=1700000000,v1=9c1dc87cf2f9949e86eb6a5f6dd85cc238dd0ac002e9fe5d2e3161c2b3a279d2',
    );
  });

  it('changes the signature when the body, the time or the secret changes', () => {
    const base = signatureHeader('whsec_a', 1, '{}');
    expect(signatureHeader('whsec_a', 1, '{ }')).not.toBe(base);
    expect(signatureHeader('whsec_a', 2, '{}').split(',v1=')[1]).not.toBe(base.split(',v1=')[1]);
    expect(signatureHeader('whsec_b', 1, '{}')).not.toBe(base);
  });

  it('makes secrets of whsec_ and 32 random bytes in base64url', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(newWebhookSecret()).not.toBe(secret);
  });

  it('derives one delivery id per (webhook, execution, event), as a UUID', () => {
    const id = deliveryIdFor('w1', 'e1', 'execution.completed');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deliveryIdFor('w1', 'e1', 'execution.completed')).toBe(id);
    expect(deliveryIdFor('w1', 'e1', 'execution.failed')).not.toBe(id);
    expect(deliveryIdFor('w2', 'e1', 'execution.completed')).not.toBe(id);
  });

  it('maps final run statuses to events and others to none', () => {
    expect(eventFor('Completed')).toBe('execution.completed');
    expect(eventFor('Error')).toBe('execution.failed');
    expect(eventFor('Cancelled')).toBe('execution.cancelled');
    expect(eventFor('Running')).toBeNull();
    expect(eventFor('Queued')).toBeNull();
  });
});
