import { createHash } from 'node:crypto';

/**
 * The signed Basic credentials of the X-Road-style NDXP gateway (domain README §2.1):
 * `Basic base64(userName + ":" + hexLower(SHA256(url_xacthuc + userName + timestamp + secretKey)))`,
 * sent with `Timestamp` (unix ms) so the gateway can recompute it and refuse a replay.
 */
export function xroadSignature(
  authUrl: string,
  userName: string,
  timestamp: string,
  secretKey: string,
): string {
  return createHash('sha256')
    .update(authUrl + userName + timestamp + secretKey, 'utf8')
    .digest('hex');
}

export function xroadAuthorization(
  authUrl: string,
  userName: string,
  timestamp: string,
  secretKey: string,
): string {
  const signature = xroadSignature(authUrl, userName, timestamp, secretKey);
  return `Basic ${Buffer.from(`${userName}:${signature}`, 'utf8').toString('base64')}`;
}
