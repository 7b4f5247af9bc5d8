/**
 * Daemon settings: defaults, environment variables and command-line flags, validated in one place.
 * Flags win over environment variables, which win over defaults.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

export interface DaemonConfig {
  /** Interface to bind. Loopback by default; anything else requires `token`. */
  host: string;
  /** TCP port; 0 picks a free one (tests, bench). */
  port: number;
  /** Bearer token required on every route but health; null = no auth (loopback only). */
  token: string | null;
  /** Where jobs, uploads and outputs persist. */
  dataDir: string;
  /** Browser origins allowed by CORS (exact match, e.g. "http://localhost:3000"). Empty = none. */
  corsOrigins: string[];
  /** Largest accepted upload, bytes. */
  maxUploadBytes: number;
  /** Largest accepted photo, decoded pixels (width × height). */
  maxPixels: number;
  /** Jobs allowed to wait behind the one computing; beyond that POST answers 429. Uploads still arriving do not count. */
  queueLimit: number;
  /** Uploads received at the same time; beyond that POST answers 503 too_many_uploads. */
  maxUploads: number;
  /** An upload slower than `uploadMinBytesPerS` on average is cut off (408) once this much time has passed, ms. */
  uploadGraceMs: number;
  /** Slowest accepted average upload rate, bytes per second. */
  uploadMinBytesPerS: number;
  /** A client must finish sending its request headers within this time, ms. */
  headersTimeoutMs: number;
  /** Directory served at /scenes/ (the built sample scenes); null = not served. */
  scenesDir: string | null;
}

/** Where the pipeline's single entry point lives (dynamically imported by the worker process). */
export const PIPELINE_MODULE = fileURLToPath(new URL("../pipeline/reconstruct.ts", import.meta.url));

export const DEFAULT_SCENES_DIR = fileURLToPath(new URL("../../sample-scenes/dist", import.meta.url));

/** `$XDG_DATA_HOME/porelight`, else `~/.local/share/porelight`. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith("/") ? env.XDG_DATA_HOME : join(homedir(), ".local", "share");
  return join(base, "porelight");
}

export const CONFIG_DEFAULTS = {
  host: "127.0.0.1",
  port: 7860,
  maxUploadBytes: 50 * 1024 * 1024,
  /** 50 MP: a 8192×6144 photo; the capture stage holds it as float RGB (600 MB). */
  maxPixels: 50_000_000,
  queueLimit: 16,
  /** Uploads are held in memory: 16 × the 50 MiB limit at most, as when each one held a queue place. */
  maxUploads: 16,
  uploadGraceMs: 10_000,
  /** 16 KiB/s: a 1 MB phone photo needs a minute at this rate. */
  uploadMinBytesPerS: 16 * 1024,
  headersTimeoutMs: 10_000,
} as const;

/** Minimum token length: a guessable token on a network interface is worse than none. */
export const MIN_TOKEN_LENGTH = 16;

/** True for 127.0.0.0/8, ::1 and "localhost": addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h) || h === "::ffff:127.0.0.1";
}

/** Settings as given by flags (strings from commander, or typed values from code). */
export interface ConfigInput {
  host?: string;
  port?: string | number;
  token?: string;
  dataDir?: string;
  corsOrigin?: string | string[];
  maxUploadMb?: string | number;
  maxMegapixels?: string | number;
  queueLimit?: string | number;
  maxUploads?: string | number;
  scenesDir?: string | null;
  /** No flag or variable: for tests, which need the upload deadlines short. */
  uploadGraceMs?: number;
  uploadMinBytesPerS?: number;
  headersTimeoutMs?: number;
}

const originSchema = z
  .string()
  .refine((o) => o === "null" || /^https?:\/\/[^/\s]+$/.test(o), { message: 'an origin is "scheme://host[:port]" with no path, or "null"' });

const schema = z.object({
  host: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535),
  // The token travels in an Authorization header, which is split at spaces and carries bytes, not text.
  token: z
    .string()
    .min(MIN_TOKEN_LENGTH, `the token must have at least ${MIN_TOKEN_LENGTH} characters (try: openssl rand -hex 24)`)
    .regex(/^[\x21-\x7e]+$/, "the token must be printable ASCII with no spaces (try: openssl rand -hex 24)")
    .nullable(),
  dataDir: z.string().min(1),
  corsOrigins: z.array(originSchema),
  maxUploadMb: z.coerce.number().positive().max(4096),
  maxMegapixels: z.coerce.number().positive().max(1000),
  queueLimit: z.coerce.number().int().min(0).max(10_000),
  maxUploads: z.coerce.number().int().min(1).max(1000),
  uploadGraceMs: z.number().int().min(100),
  uploadMinBytesPerS: z.number().min(0),
  headersTimeoutMs: z.number().int().min(100),
  scenesDir: z.string().nullable(),
});

function splitList(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(","));
  return items.map((s) => s.trim()).filter(Boolean);
}

/** Thrown for settings that cannot work; the CLI shows the message and exits 2. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Merges flags, environment and defaults and validates the result.
 *
 *   const config = resolveConfig({ port: "8080" }, process.env);
 */
export function resolveConfig(flags: ConfigInput = {}, env: NodeJS.ProcessEnv = process.env): DaemonConfig {
  const pick = <T>(flag: T | undefined, envName: string): T | string | undefined => flag ?? (env[envName] || undefined);
  const raw = {
    host: pick(flags.host, "PORELIGHT_HOST") ?? CONFIG_DEFAULTS.host,
    port: pick(flags.port, "PORELIGHT_PORT") ?? CONFIG_DEFAULTS.port,
    token: pick(flags.token, "PORELIGHT_TOKEN") ?? null,
    dataDir: pick(flags.dataDir, "PORELIGHT_DATA_DIR") ?? defaultDataDir(env),
    corsOrigins: splitList(flags.corsOrigin ?? env.PORELIGHT_CORS_ORIGINS) ?? [],
    maxUploadMb: pick(flags.maxUploadMb, "PORELIGHT_MAX_UPLOAD_MB") ?? CONFIG_DEFAULTS.maxUploadBytes / 2 ** 20,
    maxMegapixels: pick(flags.maxMegapixels, "PORELIGHT_MAX_MEGAPIXELS") ?? CONFIG_DEFAULTS.maxPixels / 1e6,
    queueLimit: pick(flags.queueLimit, "PORELIGHT_QUEUE_LIMIT") ?? CONFIG_DEFAULTS.queueLimit,
    maxUploads: pick(flags.maxUploads, "PORELIGHT_MAX_UPLOADS") ?? CONFIG_DEFAULTS.maxUploads,
    uploadGraceMs: flags.uploadGraceMs ?? CONFIG_DEFAULTS.uploadGraceMs,
    uploadMinBytesPerS: flags.uploadMinBytesPerS ?? CONFIG_DEFAULTS.uploadMinBytesPerS,
    headersTimeoutMs: flags.headersTimeoutMs ?? CONFIG_DEFAULTS.headersTimeoutMs,
    scenesDir: flags.scenesDir === undefined ? DEFAULT_SCENES_DIR : flags.scenesDir,
  };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`invalid setting ${issue.path.join(".")}: ${issue.message}`);
  }
  const c = parsed.data;
  if (!isLoopbackHost(c.host) && !c.token) {
    throw new ConfigError(
      `binding to ${c.host} exposes the daemon beyond this machine: pass --token (or PORELIGHT_TOKEN) with a secret of at least ${MIN_TOKEN_LENGTH} characters`,
    );
  }
  return {
    host: c.host,
    port: c.port,
    token: c.token,
    dataDir: c.dataDir,
    corsOrigins: c.corsOrigins,
    maxUploadBytes: Math.round(c.maxUploadMb * 2 ** 20),
    maxPixels: Math.round(c.maxMegapixels * 1e6),
    queueLimit: c.queueLimit,
    maxUploads: c.maxUploads,
    uploadGraceMs: c.uploadGraceMs,
    uploadMinBytesPerS: c.uploadMinBytesPerS,
    headersTimeoutMs: c.headersTimeoutMs,
    scenesDir: c.scenesDir,
  };
}
