/**
 * Structured one-line JSON logs (CloudWatch-friendly). Never pass request headers or
 * bodies here: tokens and notebook content stay out of logs.
 */
export function log(
  level: 'info' | 'warn' | 'error',
  message: string,
  fields: Record<string, unknown> = {},
): void {
  if (process.env.CELLWISE_LOG_LEVEL === 'silent') return;
  if (level === 'info' && process.env.CELLWISE_LOG_LEVEL === 'warn') return;
  const line = JSON.stringify({ level, message, time: new Date().toISOString(), ...fields });
  if (level === 'error') console.error(line);
  else console.log(line);
}
