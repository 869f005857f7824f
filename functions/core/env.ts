/**
 * Configuration of a Lambda function, read once at start-up. A missing
 * variable fails the cold start with its name, not a later call with `undefined`.
 */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new Error(`Environment variable ${name} is required but is not set`);
  }
  return value;
}
