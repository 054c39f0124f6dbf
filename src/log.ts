import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/**
 * Health data never reaches a log line: every field that can carry a name, phone, date of birth,
 * national id, email or free text a patient typed is censored wherever it sits.
 */
export const REDACTED_KEYS = [
  'name', 'displayName', 'dob', 'phone', 'email', 'nationalId', 'gender', 'text', 'body',
  'From', 'To', 'Body', 'patient', 'authorization', 'Authorization', 'apiKey', 'appSecret', 'authToken',
  'pageAccessToken', 'accessToken', 'webhookSecret', 'verifyToken', 'password', 'first_name', 'last_name', 'user_phone_number',
];

const paths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);

export function createLogger(opts: LoggerOptions = {}, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level: process.env.LOG_LEVEL ?? 'info',
    base: { service: 'frontdesk' },
    redact: { paths, censor: '[redacted]' },
    ...opts,
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Masks a phone for places where a hint helps staff (last 3 digits only). */
export const maskPhone = (phone: string | undefined): string | undefined =>
  phone ? `${'*'.repeat(Math.max(0, phone.length - 3))}${phone.slice(-3)}` : undefined;

export type { Logger };
