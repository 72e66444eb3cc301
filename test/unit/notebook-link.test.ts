import { describe, expect, it } from 'vitest';
import { signLink, verifyLink } from '../../functions/core/notebook-link.ts';

const KEY = 'k'.repeat(43);
const claims = {
  tenantId: '11111111-2222-3333-4444-555555555555',
  projectId: '66666666-7777-8888-9999-000000000000',
  notebookId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
  expiresAt: 2_000_000_000,
};
const before = new Date((claims.expiresAt - 1) * 1000);

describe('unit', () => {
  describe('signed notebook links', () => {
    it('verifies a link it signed until it expires', () => {
      const token = signLink(KEY, claims);
      expect(verifyLink(KEY, token, before)).toEqual(claims);
      expect(verifyLink(KEY, token, new Date(claims.expiresAt * 1000))).toBeUndefined();
    });

    it('refuses a link signed with another key', () => {
      expect(verifyLink(KEY, signLink('other-key', claims), before)).toBeUndefined();
    });

    it('refuses a link whose notebook or expiry was changed', () => {
      const token = signLink(KEY, claims);
      const [payload, mac] = token.slice(4).split('.');
      const text = Buffer.from(payload!, 'base64url').toString();
      for (const changed of [
        text.replace(claims.notebookId, 'bbbbbbbb-bbbb-cccc-dddd-eeeeeeeeeeee'),
        text.replace(String(claims.expiresAt), '9999999999'),
      ]) {
        expect(
          verifyLink(KEY, `cwl_${Buffer.from(changed).toString('base64url')}.${mac}`, before),
        ).toBeUndefined();
      }
    });

    it('refuses malformed tokens', () => {
      for (const token of ['cwl_', 'cwl_abc', 'cwl_a.b.c', 'cw_notalink', `${signLink(KEY, claims)}x`]) {
        expect(verifyLink(KEY, token, before)).toBeUndefined();
      }
    });
  });
});
