import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** What is stored of a value: AES-256-GCM ciphertext, its nonce and tag (base64). */
export interface SealedValue {
  ciphertext: string;
  iv: string;
  tag: string;
  /** Which derivation of the master key sealed it (a rotation adds the next). */
  keyVersion: number;
}

/** The purpose label of the derived key: the master key is used for nothing else as is. */
const PURPOSE = 'cellwise project secrets v1';

/**
 * Seals and opens secret values with AES-256-GCM under a key derived from the deployment's
 * secrets master key (HKDF-SHA256 with a purpose label). The associated data binds each
 * ciphertext to its tenant, project and name: a value copied to another item does not open.
 */
export class SecretCipher {
  private key: Promise<Buffer> | undefined;

  constructor(private readonly masterKey: () => Promise<string>) {}

  private derived(): Promise<Buffer> {
    this.key ??= this.masterKey()
      .then((master) => {
        if (master.length < 32) throw new Error('configuration: the secrets master key is too short');
        return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), PURPOSE, 32));
      })
      .catch((error: unknown) => {
        this.key = undefined;
        throw error;
      });
    return this.key;
  }

  async seal(value: string, associated: string): Promise<SealedValue> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', await this.derived(), iv);
    cipher.setAAD(Buffer.from(associated, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return {
      ciphertext: ciphertext.toString('base64'),
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      keyVersion: 1,
    };
  }

  /** The value; throws when the ciphertext, its tag or its associated data do not match. */
  async open(sealed: SealedValue, associated: string): Promise<string> {
    const decipher = createDecipheriv('aes-256-gcm', await this.derived(), Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(associated, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([
      decipher.update(Buffer.from(sealed.ciphertext, 'base64')),
      decipher.final(),
    ]).toString('utf8');
  }
}
