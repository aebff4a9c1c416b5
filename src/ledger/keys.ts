import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.js';

/**
 * The Ed25519 key that signs checkpoints lives outside the database (someone who can rewrite the
 * database must not also hold the key). Generated on first use, readable only by its owner.
 */
export interface SigningKey {
  privateKey: KeyObject;
  publicKeyPem: string;
}

export function loadOrCreateSigningKey(file: string): SigningKey {
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    try {
      fs.writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  try {
    const privateKey = createPrivateKey(fs.readFileSync(file, 'utf8'));
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
    return {
      privateKey,
      publicKeyPem: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }) as string,
    };
  } catch (err) {
    throw new AppError('config_invalid', `signing key ${file} is unreadable: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

export function signMessage(key: SigningKey, message: string): string {
  return sign(null, Buffer.from(message, 'utf8'), key.privateKey).toString('base64');
}

export function verifySignature(publicKeyPem: string, message: string, signature: string): boolean {
  try {
    return verify(
      null,
      Buffer.from(message, 'utf8'),
      createPublicKey(publicKeyPem),
      Buffer.from(signature, 'base64'),
    );
  } catch {
    return false;
  }
}
