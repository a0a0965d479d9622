import { signingKeyFromSeed } from '../../src/index.js';

/** The spec's signing key (appendices, "Cryptographic Test Vectors"): server `domain`, key `ed25519:1`. */
export const SPEC_SEED = 'YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1';
export const SPEC_SERVER = 'domain';
export const SPEC_KEY_ID = 'ed25519:1';
/** Public key of {@link SPEC_SEED} (reference matrix-federation.md 2.7, checked with Python `cryptography`). */
export const SPEC_PUBLIC_KEY = 'XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI';

export const specKey = () => signingKeyFromSeed('1', SPEC_SEED);
